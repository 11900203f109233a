"""The single registry of OST glossary codes, their messages (en, fr) and actions."""

from .markdown import glossary_markdown
from .registry import (
    LANGUAGES,
    GlossaryEntry,
    Severity,
    UnknownCode,
    entry,
    glossary,
    render_message,
    severities,
    severity_of,
)

__all__ = [
    "LANGUAGES",
    "GlossaryEntry",
    "Severity",
    "UnknownCode",
    "entry",
    "glossary",
    "glossary_markdown",
    "render_message",
    "severities",
    "severity_of",
]
