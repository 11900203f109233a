"""The applicants prepared once for many matches, with sorted blocking keys to search by."""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from matching.candidates import (
    PAIRS_SCHEMA,
    applicant_keys,
    candidate_pairs,
    dated_key,
    student_keys,
)
from matching.keys import (
    APPLICANT_NAMES,
    STUDENT_NAMES,
    name_keys,
    oen_slip_keys,
    similar_names,
    typo_name_keys,
)
from matching.prepare import prepare_applicants
from matching.weights import Zones


def rows_with(ordered: pl.DataFrame, column: str, values: pl.Series) -> pl.DataFrame:
    """The rows of `ordered` (sorted on `column`) whose `column` is one of `values`.

    Two binary searches per value instead of a scan, so that the cost of a small file does
    not grow with the number of applicants.
    """
    values = values.drop_nulls().unique()
    if values.is_empty():
        return ordered.clear()
    sorted_column = ordered[column]
    bounds = pl.DataFrame(
        {
            "start": sorted_column.search_sorted(values, side="left"),
            "end": sorted_column.search_sorted(values, side="right"),
        }
    )
    positions = bounds.select(pl.int_ranges("start", "end", dtype=pl.UInt32)).explode("start")
    return ordered[positions.to_series().drop_nulls()]


@dataclass(frozen=True)
class ApplicantPool:
    """Applicants prepared once for many `match_students` calls (every file of a batch).

    Beside the prepared applicants (row `a_idx` at position `a_idx`): their OENs and their
    blocking keys, each sorted, and the applicants as given sorted by application number, to
    find what a file needs by binary search rather than by scanning every applicant.
    """

    by_number: pl.DataFrame
    prepared: pl.DataFrame
    by_oen: pl.DataFrame
    keys: pl.DataFrame
    slip_keys: pl.DataFrame
    name_keys: pl.DataFrame
    typo_keys: pl.DataFrame
    zones: Zones = Zones()  # the thresholds decisions are taken with

    @classmethod
    def of(cls, applicants: pl.DataFrame, zones: Zones | None = None) -> ApplicantPool:
        prepared = prepare_applicants(applicants)
        return cls(
            applicants.sort("application_number"),
            prepared,
            by_oen=prepared.select("a_idx", "a_oen").drop_nulls("a_oen").sort("a_oen"),
            keys=applicant_keys(prepared).with_columns(dated_key()).sort("dated"),
            slip_keys=oen_slip_keys(prepared, "a_idx", "a_oen").sort("key"),
            name_keys=name_keys(prepared, "a_idx", *APPLICANT_NAMES).sort("key"),
            typo_keys=typo_name_keys(prepared, "a_idx", *APPLICANT_NAMES).sort("key"),
            zones=Zones() if zones is None else zones,
        )

    def candidates(self, students: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The students' candidate pairs, and the prepared applicants those pairs name.

        The pairs are found on the narrow OEN and key tables; only the applicants in some
        pair are then taken whole.
        """
        oens = rows_with(self.by_oen, "a_oen", students["s_oen"])
        # Only the applicants' keys that meet a student's, birth date and key at once.
        mine = student_keys(students)
        keys = rows_with(self.keys, "dated", mine.select(dated_key()).to_series())
        student_slips = oen_slip_keys(students, "s_idx", "s_oen")
        slips = rows_with(self.slip_keys, "key", student_slips["key"])
        # The names alone are searched only for students whose OEN and birth date found no one.
        found = oens.with_columns(a_bd=self.prepared["a_bd"].gather(oens["a_idx"])).join(
            students.select("s_idx", a_oen="s_oen", a_bd="s_bd"), on=["a_oen", "a_bd"]
        )
        unsure = students.join(found.select("s_idx"), on="s_idx", how="anti")
        more = pl.concat(
            [
                student_slips.join(slips, on="key").select("s_idx", "a_idx"),
                self._similar(students, name_keys(unsure, "s_idx", *STUDENT_NAMES), self.name_keys),
                self._similar(
                    students, typo_name_keys(unsure, "s_idx", *STUDENT_NAMES), self.typo_keys
                ),
            ]
        )
        pairs = candidate_pairs(students, oens, keys, more, mine)
        named = pairs["a_idx"].unique()
        # The representatives of their accounts too: a decision may name one of them.
        named = pl.concat([named, self.prepared["a_rep"].gather(named)]).unique().sort()
        return pairs, self.prepared[named]

    def _similar(
        self, students: pl.DataFrame, theirs: pl.DataFrame, keys: pl.DataFrame
    ) -> pl.DataFrame:
        """(s_idx, a_idx) sharing one of the students' name keys `theirs` (from `keys`, the
        applicants' sorted), kept when the full names are similar."""
        found = rows_with(keys, "key", theirs["key"])
        met = theirs.join(found, on="key").select("s_idx", "a_idx").unique()
        return similar_names(met, students, self.prepared).cast(PAIRS_SCHEMA)  # type: ignore[arg-type]

    def restricted_to(self, indexes: pl.Series) -> ApplicantPool:
        """The same pool searching only these applicants (by `a_idx`, numbering unchanged)."""
        kept = pl.col("a_idx").is_in(indexes.implode())
        return replace(
            self,
            by_oen=self.by_oen.filter(kept),
            keys=self.keys.filter(kept),
            slip_keys=self.slip_keys.filter(kept),
            name_keys=self.name_keys.filter(kept),
            typo_keys=self.typo_keys.filter(kept),
        )

    def applicants(self, numbers: pl.Series) -> pl.DataFrame:
        """The applicants (as given) with these application numbers."""
        return rows_with(self.by_number, "application_number", numbers)
