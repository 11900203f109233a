"""Whether the end-to-end cost grows linearly with the size of the batch."""

from __future__ import annotations

import math
from typing import Any

# Time per record may drift this much over a fourfold size before growth is called superlinear.
LINEAR_TOLERANCE = 0.25


def slope(points: list[tuple[float, float]]) -> float | None:
    """The least-squares slope of log(seconds) on log(records): 1 is linear."""
    if len(points) < 2:
        return None
    xs = [math.log(records) for records, _ in points]
    ys = [math.log(seconds) for _, seconds in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if not spread:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def growth_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per size: records, seconds, microseconds per record; the slope and the verdict."""
    ordered = sorted(runs, key=lambda run: run["records"])
    sizes = [
        {
            "scale": run["scale"],
            "records": run["records"],
            "seconds": run["run"]["seconds"],
            "microseconds_per_record": round(run["run"]["seconds"] / run["records"] * 1e6, 2),
            "peak_rss_bytes": run["run"]["peak_rss_bytes"],
        }
        for run in ordered
    ]
    fitted = slope([(size["records"], size["seconds"]) for size in sizes])
    first, last = sizes[0]["microseconds_per_record"], sizes[-1]["microseconds_per_record"]
    drift = last / first - 1 if first else None
    linear = fitted is not None and drift is not None and drift <= LINEAR_TOLERANCE
    return {
        "sizes": sizes,
        "slope": round(fitted, 3) if fitted is not None else None,
        "per_record_drift": round(drift, 3) if drift is not None else None,
        "linear": linear,
    }


def growth_from(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """`growth_of` for each database."""
    return {"tolerance": LINEAR_TOLERANCE, "backends": {b: growth_of(r) for b, r in runs.items()}}
