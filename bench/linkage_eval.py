"""Precision, recall and speed of match_students on the labelled linkage set.

    python -m bench.linkage_eval --students 20000 [--seed 7] [--show-errors 10]
"""

import argparse
import time
from dataclasses import dataclass

import polars as pl

from bench.linkage_data import LinkageSet, generate_linkage_set
from matching import match_students


@dataclass(frozen=True)
class Evaluation:
    """Link quality against the truth, and the time match_students took."""

    predicted_links: int
    correct_links: int
    true_links: int
    outcomes: dict[str, int]
    seconds: float
    decisions: pl.DataFrame

    @property
    def precision(self) -> float:
        return self.correct_links / self.predicted_links if self.predicted_links else 1.0

    @property
    def recall(self) -> float:
        return self.correct_links / self.true_links if self.true_links else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def judged(decisions: pl.DataFrame, linkage: LinkageSet) -> pl.DataFrame:
    """Decisions beside the truth: `predicted` (a matched link), `correct`, `true_link`."""
    return decisions.join(linkage.truth, on="student_key").with_columns(
        predicted=pl.col("status") == "matched",
        correct=(pl.col("status") == "matched")
        & (pl.col("application_number") == pl.col("true_application_number")).fill_null(False),
        true_link=pl.col("true_application_number").is_not_null() & ~pl.col("true_international"),
    )


def evaluate(linkage: LinkageSet) -> Evaluation:
    """Run match_students on the set and score its links against the truth."""
    started = time.perf_counter()
    decisions = match_students(linkage.students, linkage.applicants)
    seconds = time.perf_counter() - started
    frame = judged(decisions, linkage)
    outcomes = dict(frame.group_by("status").len().sort("status").iter_rows())
    return Evaluation(
        predicted_links=int(frame["predicted"].sum()),
        correct_links=int(frame["correct"].sum()),
        true_links=int(frame["true_link"].sum()),
        outcomes=outcomes,
        seconds=seconds,
        decisions=frame,
    )


def _show_errors(evaluation: Evaluation, linkage: LinkageSet, count: int) -> None:
    frame = evaluation.decisions
    wrong = frame.filter(pl.col("predicted") & ~pl.col("correct"))
    missed = frame.filter(pl.col("true_link") & ~pl.col("correct"))
    students = linkage.students.select("student_key", "surname", "first_name", "middle_name", "oen", "birth_date")
    applicants = linkage.applicants.select(
        true_application_number="application_number",
        a_first="first_name",
        a_middle="middle_name",
        a_last="last_name",
        a_prev="previous_last_name",
        a_oen="oen",
        a_bd="birth_date",
        a_schools="school_midents",
    )
    with pl.Config(tbl_rows=count, fmt_str_lengths=120, tbl_width_chars=250, tbl_cols=-1):
        for title, rows in (("wrong links", wrong), ("missed links", missed)):
            print(f"\n{title}: {rows.height}")
            print(rows.group_by("status").len())
            shown = rows.head(count).join(students, on="student_key").join(
                applicants, on="true_application_number", how="left"
            )
            for row in shown.iter_rows(named=True):
                print({k: v for k, v in row.items() if k not in ("predicted", "correct", "true_link")})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show-errors", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    linkage = generate_linkage_set(args.students, args.seed)
    generated = time.perf_counter() - started
    evaluation = evaluate(linkage)
    print(f"students {linkage.students.height}, applicants {linkage.applicants.height}")
    print(f"generated in {generated:.1f} s; match_students in {evaluation.seconds:.2f} s")
    print(f"precision {evaluation.precision:.5f}  recall {evaluation.recall:.5f}  F1 {evaluation.f1:.5f}")
    print(
        f"links: predicted {evaluation.predicted_links}, correct {evaluation.correct_links}, "
        f"true {evaluation.true_links}"
    )
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in evaluation.outcomes.items()))
    if args.show_errors:
        _show_errors(evaluation, linkage, args.show_errors)


if __name__ == "__main__":
    main()
