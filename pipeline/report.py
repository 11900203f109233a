"""The report of one file: what `ost validate` and `ost ingest` say of it, as one typed value.

The same type serves a file only checked, a transmission ingested, a duplicate and a failure;
`to_json` gives the docs/commands.md object, `flatten` the CSV rows, `view` what the HTML
template shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypedDict

from pipeline.school_view import school_report
from rules.validate import Counts

DUPLICATE, FAILED = "duplicate", "failed"
FINDING_KEYS = (
    "code",
    "severity",
    "line",
    "record_type",
    "student_number",
    "surname",
    "first_name",
    "course",
    "field",
    "value",
    "message",
)
# docs/commands.md: the matching and merge counts of an ingested transmission, in this order.
EMPTY_MATCHING: Mapping[str, int] = {"matched": 0, "pending": 0, "ambiguous": 0, "not_merged": 0}


class FindingRow(TypedDict):
    """One finding as a report lists it, its message rendered in the report's language."""

    code: str
    severity: str
    line: int | None
    record_type: str | None
    student_number: str | None
    surname: str | None
    first_name: str | None
    course: str | None
    field: str | None
    value: str | None
    message: str


@dataclass(frozen=True)
class Capped:
    """A report listing only the first `listed` of its `total` findings."""

    listed: int
    total: int


@dataclass(frozen=True)
class Report:
    """One file's report (docs/commands.md). `id`, `matching` and `merge` are an ingested
    transmission's; `reason` makes it the report of a transmission whose run broke."""

    file: str
    status: str
    mident: str | None = None
    counts: Counts = Counts(0, 0, 0, 0)
    findings: tuple[FindingRow, ...] = ()
    id: int | None = None
    capped: Capped | None = None
    matching: Mapping[str, int] | None = None
    merge: Mapping[str, int] | None = None
    reason: str | None = None
    # For the HTML page only (not in the JSON): the header's number and creation time.
    transmission_number: str | None = None
    created_at: datetime | None = None

    @property
    def total(self) -> int:
        """How many findings the file has, listed or not."""
        return self.capped.total if self.capped else len(self.findings)

    @property
    def clean(self) -> bool:
        """Whether the report says "No errors detected in the data": checked, and no error
        found (warnings allowed). A duplicate was not checked at all."""
        return self.status != DUPLICATE and self.counts.errors == 0

    def to_json(self) -> dict[str, Any]:
        """The docs/commands.md object, keys in their documented order."""
        head: dict[str, Any] = {} if self.id is None else {"id": self.id}
        if self.reason is not None:
            return {**head, "file": self.file, "status": self.status, "reason": self.reason}
        body: dict[str, Any] = {
            **head,
            "file": self.file,
            "mident": self.mident,
            "status": self.status,
            "counts": counts_json(self.counts),
            "findings": list(self.findings),
        }
        if self.capped is not None:
            body["capped"] = {"listed": self.capped.listed, "total": self.capped.total}
        if self.matching is not None:
            body["matching"] = dict(self.matching)
        if self.merge is not None:
            body["merge"] = dict(self.merge)
        return body

    def flatten(self) -> list[list[object]]:
        """One CSV row per finding: the file, then every `FINDING_KEYS` value."""
        return [[self.file, *(row[key] for key in FINDING_KEYS)] for row in self.findings]  # type: ignore[literal-required]

    def view(self) -> dict[str, Any]:
        """What the HTML template shows of this file."""
        created = self.created_at
        return {
            **self.to_json(),
            "transmission_number": self.transmission_number,
            "created": created.strftime("%Y-%m-%d %H:%M:%S") if created else None,
            "total": self.total,
            "clean": self.clean,
        }

    def head(self, listed: int) -> Report:
        """The same report listing only its first `listed` findings (counts unchanged)."""
        return replace(self, findings=self.findings[:listed])

    def for_school(self, lang: str) -> Report:
        """The school's form of this report (`pipeline.school_view.school_report`)."""
        shown = school_report(self.to_json(), lang)
        return replace(
            self,
            counts=Counts(**shown["counts"]),
            findings=tuple(shown["findings"]),
            matching=None,
        )


def school_forms(reports: Mapping[str, Report]) -> dict[str, Report]:
    """Each language's report as the school sees it (docs/record.md: who sees what)."""
    return {lang: report.for_school(lang) for lang, report in reports.items()}


def counts_json(counts: Counts) -> dict[str, int]:
    return {
        "students": counts.students,
        "grades": counts.grades,
        "errors": counts.errors,
        "warnings": counts.warnings,
    }


def is_clean(report: Mapping[str, Any]) -> bool:
    """`Report.clean` of a report as JSON (the console prints those)."""
    return bool(report["status"] != DUPLICATE and report["counts"]["errors"] == 0)
