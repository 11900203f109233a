"""Estimate the Fellegi-Sunter weights of matching/data/weights.csv, and the zone thresholds.

    python -m bench weights [--students N] [--seeds 7,11] [--write]

On labelled sets generated with the TRAINING seeds only (never the held-out seed of
`bench.linkage`): `m` of a field level is how often the true links show it, `u` how often
random student-applicant pairs do, both smoothed; weight = log2(m / u). Then the thresholds:
every (merge, margin) pair of a grid is scored on the same sets, and the lowest merge threshold
that keeps precision at the target is suggested, with the review threshold that brings recall,
the review zone counted, to its target.
"""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

import polars as pl

from bench.linkage_data import LinkageSet
from bench.linkage_noise import hard_linkage_set
from matching.decide import by_account, ranked
from matching.fields import FIELDS
from matching.pool import ApplicantPool
from matching.prepare import prepare_students
from matching.scoring import pair_evidence
from matching.weights import WEIGHTS_SCHEMA, read_weights

TRAINING_SEEDS = (7, 11)
RANDOM_PAIRS = 400_000
SMOOTHING = 0.5  # pseudo-count of every level, on both sides
WEIGHTS_PATH = Path(__file__).resolve().parents[1] / "matching" / "data" / "weights.csv"
PRECISION_TARGET = 0.9995  # on the training sets: a margin below the 0.999 goal
REVIEW_RECALL_TARGET = 0.999


def _levels(linkage: LinkageSet, pairs: pl.DataFrame) -> pl.DataFrame:
    """Each field's level for the given (student_key, application_number) pairs."""
    students = prepare_students(linkage.students)
    pool = ApplicantPool.of(linkage.applicants)
    indexed = pairs.join(students.select("s_idx", "student_key"), on="student_key").join(
        pool.prepared.select("a_idx", "application_number"), on="application_number"
    )
    named = indexed["a_idx"].unique().sort()
    evidence = pair_evidence(students, pool.prepared[named], indexed.select("s_idx", "a_idx"))
    return evidence.select(*(f + "_fs" for f in FIELDS))


def true_pairs(linkage: LinkageSet) -> pl.DataFrame:
    truth = linkage.truth.filter(pl.col("true_application_number").is_not_null())
    return truth.select("student_key", application_number="true_application_number")


def random_pairs(linkage: LinkageSet, count: int, seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    keys = linkage.students["student_key"].to_list()
    numbers = linkage.applicants["application_number"].to_list()
    rows = [(rng.choice(keys), rng.choice(numbers)) for _ in range(count)]
    return pl.DataFrame(rows, schema=["student_key", "application_number"], orient="row")


def _frequencies(levels: pl.DataFrame, name: str) -> pl.DataFrame:
    parts = [
        levels.group_by(pl.col(f + "_fs").alias("level")).len(name).with_columns(field=pl.lit(f))
        for f in FIELDS
    ]
    return pl.concat(parts).select("field", "level", name)


def estimate(sets: list[LinkageSet], seed: int) -> pl.DataFrame:
    """The weights table (WEIGHTS_SCHEMA) from the labelled sets."""
    links = pl.concat([_levels(s, true_pairs(s)) for s in sets])
    unrelated = pl.concat(
        [
            _levels(s, random_pairs(s, RANDOM_PAIRS // len(sets), seed + i))
            for i, s in enumerate(sets)
        ]
    )
    counts = _frequencies(links, "m_count").join(
        _frequencies(unrelated, "u_count"), on=["field", "level"], how="full", coalesce=True
    )
    counts = counts.fill_null(0)
    smoothed = counts.with_columns(
        m=(pl.col("m_count") + SMOOTHING)
        / (pl.col("m_count").sum().over("field") + SMOOTHING * pl.len().over("field")),
        u=(pl.col("u_count") + SMOOTHING)
        / (pl.col("u_count").sum().over("field") + SMOOTHING * pl.len().over("field")),
    )
    table = smoothed.with_columns(weight=(pl.col("m") / pl.col("u")).log(2).round(3))
    table = table.with_columns(pl.col("m").round(8), pl.col("u").round(8))
    return table.select(list(WEIGHTS_SCHEMA)).sort("field", "weight", descending=[False, True])


def best_and_second(linkage: LinkageSet) -> pl.DataFrame:
    """Per student: the best candidate's weight, whether it is the truth, the runner-up's."""
    students = prepare_students(linkage.students)
    pool = ApplicantPool.of(linkage.applicants)
    pairs, applicants = pool.candidates(students)
    evidence = ranked(by_account(pair_evidence(students, applicants, pairs)))
    numbers = applicants.select("a_idx", "application_number", "a_international")
    top = evidence.filter(pl.col("rank") <= 1).join(numbers, on="a_idx")
    per = top.group_by("s_idx").agg(
        best=pl.col("weight").first(),
        second=pl.col("weight").get(1, null_on_oob=True),
        number=pl.col("application_number").first(),
        international=pl.col("a_international").first(),
    )
    truth = students.select("s_idx", "student_key").join(linkage.truth, on="student_key")
    return truth.join(per, on="s_idx", how="left").with_columns(
        correct=pl.col("number") == pl.col("true_application_number"),
        true_link=pl.col("true_application_number").is_not_null() & ~pl.col("true_international"),
    )


def scan(frame: pl.DataFrame) -> pl.DataFrame:
    """Precision and recall of every (merge, margin), and the review zone below it."""
    rows = []
    second = pl.col("second").fill_null(-math.inf)
    true_links = int(frame["true_link"].sum())
    for merge in [x / 2 for x in range(10, 81)]:
        for margin in (2.0, 4.0, 6.0, 8.0, 10.0):
            merged = frame.filter(
                (pl.col("best") >= merge)
                & (pl.col("best") - second >= margin)
                & ~pl.col("international")
            )
            correct = int(merged["correct"].fill_null(False).sum())
            rows.append(
                {
                    "merge": merge,
                    "margin": margin,
                    "precision": correct / max(merged.height, 1),
                    "recall": correct / max(true_links, 1),
                }
            )
    return pl.DataFrame(rows)


def review_zone(frame: pl.DataFrame, merge: float, margin: float) -> pl.DataFrame:
    """For each review threshold: recall counting the review zone, and the queue's share."""
    rows = []
    second = pl.col("second").fill_null(-math.inf)
    true_links = int(frame["true_link"].sum())
    auto = (pl.col("best") >= merge) & (pl.col("best") - second >= margin)
    for review in [x / 2 for x in range(-10, int(merge * 2) + 1)]:
        held = frame.filter(~auto & (pl.col("best") >= review))
        found = frame.filter(
            (auto | (pl.col("best") >= review)) & pl.col("correct").fill_null(False)
        )
        found = found.filter(pl.col("true_link"))
        rows.append(
            {
                "review": review,
                "recall_with_review": found.height / max(true_links, 1),
                "queue_share": held.height / frame.height,
            }
        )
    return pl.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--students", type=int, default=30_000)
    parser.add_argument("--seeds", default=",".join(map(str, TRAINING_SEEDS)))
    parser.add_argument("--write", action="store_true", help="write matching/data/weights.csv")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    sets = [hard_linkage_set(args.students, seed) for seed in seeds]
    table = estimate(sets, seeds[0])
    print(table)
    if args.write:
        WEIGHTS_PATH.write_text(table.write_csv(float_precision=None), encoding="utf-8")
        read_weights(WEIGHTS_PATH.read_text("utf-8"))
        print(f"wrote {WEIGHTS_PATH}")
    frame = pl.concat([best_and_second(s) for s in sets])
    grid = scan(frame)
    good = grid.filter(pl.col("precision") >= PRECISION_TARGET).sort(
        "recall", "merge", descending=[True, False]
    )
    print(good.head(10))
    if good.is_empty():
        print("no threshold reaches the precision target")
        return
    merge, margin = good["merge"][0], good["margin"][0]
    zone = review_zone(frame, merge, margin)
    fit = zone.filter(pl.col("recall_with_review") >= REVIEW_RECALL_TARGET).sort(
        "review", descending=True
    )
    print(f"merge {merge} margin {margin}")
    print(fit.head(5) if not fit.is_empty() else zone.sort("review").head(10))


if __name__ == "__main__":
    main()
