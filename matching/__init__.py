"""Students x applicants -> match decisions with reasons (docs/matching.md)."""

from matching.match import ApplicantPool, match_students
from matching.schema import APPLICANTS_SCHEMA, MATCH_SCHEMA, STUDENTS_SCHEMA
from matching.weights import Zones

__all__ = [
    "APPLICANTS_SCHEMA",
    "MATCH_SCHEMA",
    "STUDENTS_SCHEMA",
    "ApplicantPool",
    "Zones",
    "match_students",
]
