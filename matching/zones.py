"""The three zones of a pair's total weight: merged, held for review, pending."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Zones:
    """The three zones of a total weight (docs/matching.md).

    merge: a candidate at or above it, ahead of every other by `margin`, is merged automatically;
    review: from it up to `merge` (or a tie), the student is held for an operator's review;
    below it the student is pending. Defaults chosen on the training seeds (bench/RESULTS.md).
    """

    merge: float = 16.5
    review: float = 7.5
    margin: float = 2.0
