"""Precision, recall and speed of match_students on the labelled linkage set.

python -m bench.linkage_eval --students 20000 [--seed 7] [--show-errors 10]
"""

import argparse
import time
from dataclasses import dataclass

import polars as pl

from bench.linkage_data import LinkageSet
from bench.linkage_noise import hard_linkage_set
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
    found_in_review: int = 0  # true links held for review with the true applicant proposed
    queue: int = 0  # students an operator has to look at

    @property
    def recall_with_review(self) -> float:
        found = self.correct_links + self.found_in_review
        return found / self.true_links if self.true_links else 1.0

    @property
    def queue_share(self) -> float:
        return self.queue / self.decisions.height if self.decisions.height else 0.0

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


HELD = ("review", "ambiguous", "not_merged")


def in_queue() -> pl.Expr:
    """A student `ost review list` shows: held for review (A009), tied (A002), an OEN conflict."""
    return pl.col("status").is_in(HELD)


def evaluate(linkage: LinkageSet) -> Evaluation:
    """Run match_students on the set and score its links against the truth."""
    started = time.perf_counter()
    decisions = match_students(linkage.students, linkage.applicants)
    seconds = time.perf_counter() - started
    frame = judged(decisions, linkage)
    outcomes = dict(frame.group_by("status").len().sort("status").iter_rows())
    proposed = (pl.col("application_number") == pl.col("true_application_number")).fill_null(
        False
    ) | pl.col("candidates").list.contains(pl.col("true_application_number")).fill_null(False)
    queued = frame.filter(in_queue())
    found = queued.filter(pl.col("true_link") & proposed)
    return Evaluation(
        found_in_review=found.height,
        queue=queued.height,
        predicted_links=int(frame["predicted"].sum()),
        correct_links=int(frame["correct"].sum()),
        true_links=int(frame["true_link"].sum()),
        outcomes=outcomes,
        seconds=seconds,
        decisions=frame,
    )


def _side_by_side(rows: pl.DataFrame, linkage: LinkageSet) -> pl.DataFrame:
    """The student and their true application, one line each, for reading errors."""
    student = linkage.students.select(
        "student_key",
        student=pl.concat_str(
            "surname", "first_name", "middle_name", "oen", "birth_date", "mident",
            separator=" | ", ignore_nulls=True,
        ),
    )  # fmt: skip
    applicant = linkage.applicants.select(
        true_application_number="application_number",
        applicant=pl.concat_str(
            "last_name", "first_name", "middle_name", "previous_last_name", "oen", "birth_date",
            pl.col("school_midents").list.join(","),
            separator=" | ", ignore_nulls=True,
        ),
    )  # fmt: skip
    joined = rows.join(student, on="student_key").join(
        applicant, on="true_application_number", how="left"
    )
    return joined.select("status", "reason", "student", "applicant")


def _show_errors(evaluation: Evaluation, linkage: LinkageSet, count: int) -> None:
    """Print the wrong links and the missed links, `count` of each."""
    frame = evaluation.decisions
    wrong = frame.filter(pl.col("predicted") & ~pl.col("correct"))
    missed = frame.filter(pl.col("true_link") & ~pl.col("correct"))
    for title, rows in (("wrong links", wrong), ("missed links", missed)):
        by_status = ", ".join(f"{k} {v}" for k, v in rows.group_by("status").len().iter_rows())
        print(f"\n{title}: {rows.height} ({by_status})")
        for row in _side_by_side(rows.head(count), linkage).iter_rows():
            print("  " + "\n    ".join(str(value) for value in row))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show-errors", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    linkage = hard_linkage_set(args.students, args.seed)
    generated = time.perf_counter() - started
    evaluation = evaluate(linkage)
    print(f"students {linkage.students.height}, applicants {linkage.applicants.height}")
    print(f"generated in {generated:.1f} s; match_students in {evaluation.seconds:.2f} s")
    print(
        f"recall with the review zone {evaluation.recall_with_review:.5f}, "
        f"queue {evaluation.queue} ({evaluation.queue_share:.2%} of students)"
    )
    quality = (evaluation.precision, evaluation.recall, evaluation.f1)
    print("precision {:.5f}  recall {:.5f}  F1 {:.5f}".format(*quality))
    print(
        f"links: predicted {evaluation.predicted_links}, correct {evaluation.correct_links}, "
        f"true {evaluation.true_links}"
    )
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in evaluation.outcomes.items()))
    if args.show_errors:
        _show_errors(evaluation, linkage, args.show_errors)


if __name__ == "__main__":
    main()
