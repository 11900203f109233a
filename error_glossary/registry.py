"""The registry of glossary codes (docs/rules.md), loaded from glossary.toml."""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast, get_args

Severity = Literal["error", "warning", "info"]
Scope = Literal["file", "record", "student", "grade", "matching", "merge"]
Language = Literal["en", "fr"]

LANGUAGES: tuple[str, ...] = get_args(Language)
SEVERITIES: tuple[str, ...] = get_args(Severity)
SCOPES: tuple[str, ...] = get_args(Scope)
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "field",
        "value",
        "expected",
        "line",
        "record_type",
        "student_number",
        "course",
        "application_number",
    }
)

_CODE_PATTERN = re.compile(r"[FRSGAM]\d{3}")
_TEXT_KEYS = ("title", "message", "action")
_ENTRY_KEYS = frozenset(
    {"severity", "scope", "sample"} | {f"{key}_{lang}" for key in _TEXT_KEYS for lang in LANGUAGES}
)


@dataclass(frozen=True)
class GlossaryEntry:
    """One glossary code: its severity, scope and texts keyed by language."""

    code: str
    severity: Severity
    scope: Scope
    title: Mapping[str, str]
    message: Mapping[str, str]
    action: Mapping[str, str]
    sample: Mapping[str, str]


class UnknownCode(KeyError):
    """A code that the glossary does not define."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        return f"unknown glossary code {self.code!r} (`ost glossary` lists them all)"


class _BlankForMissing(string.Formatter):
    """Formats a template, rendering a placeholder missing from the context or None as ''."""

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> str:
        value = kwargs.get(key) if isinstance(key, str) else None
        return "" if value is None else str(value).rstrip()


_FORMATTER = _BlankForMissing()


def placeholders(template: str) -> set[str]:
    """The placeholder names a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def load_glossary(path: Path | None = None) -> dict[str, GlossaryEntry]:
    """Read and check a glossary file (by default the package's glossary.toml)."""
    source = path or Path(__file__).with_name("glossary.toml")
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"{source.name}: cannot read the glossary: {error}") from error
    return {code: _parse_entry(source.name, code, table) for code, table in data.items()}


def _parse_entry(source: str, code: str, table: object) -> GlossaryEntry:
    where = f"{source}: [{code}]"
    if not _CODE_PATTERN.fullmatch(code):
        raise ValueError(f"{where}: a code is one letter of F, R, S, G, A, M and three digits")
    if not isinstance(table, dict):
        raise ValueError(f"{where}: must be a table")
    unknown = sorted(set(table) - _ENTRY_KEYS)
    missing = sorted(_ENTRY_KEYS - set(table))
    if unknown or missing:
        raise ValueError(f"{where}: unknown keys {unknown}, missing keys {missing}")
    texts = {key: _texts(where, key, table) for key in _TEXT_KEYS}
    return GlossaryEntry(
        code=code,
        severity=cast(Severity, _choice(where, "severity", table["severity"], SEVERITIES)),
        scope=cast(Scope, _choice(where, "scope", table["scope"], SCOPES)),
        title=texts["title"],
        message=_checked_messages(where, texts["message"]),
        action=texts["action"],
        sample=_sample(where, table["sample"]),
    )


def _choice(where: str, key: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{where}: {key} {value!r} is not one of {', '.join(allowed)}")
    return value


def _texts(where: str, key: str, table: dict[str, object]) -> Mapping[str, str]:
    texts: dict[str, str] = {}
    for lang in LANGUAGES:
        text = table[f"{key}_{lang}"]
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where}: {key}_{lang} must be a non-empty string")
        texts[lang] = text
    return MappingProxyType(texts)


def _checked_messages(where: str, messages: Mapping[str, str]) -> Mapping[str, str]:
    for lang, template in messages.items():
        try:
            fields = list(string.Formatter().parse(template))
        except ValueError as error:
            raise ValueError(f"{where}: message_{lang} is not a valid template: {error}") from None
        for _, name, spec, conversion in fields:
            if name is not None and (name not in PLACEHOLDERS or spec or conversion):
                raise ValueError(
                    f"{where}: message_{lang} uses {{{name}}}; allowed placeholders are "
                    + ", ".join(f"{{{allowed}}}" for allowed in sorted(PLACEHOLDERS))
                )
    return messages


def _sample(where: str, sample: object) -> Mapping[str, str]:
    if not isinstance(sample, dict) or not all(isinstance(v, str) for v in sample.values()):
        raise ValueError(f"{where}: sample must be a table of strings")
    return MappingProxyType(dict(sample))


@cache
def glossary() -> Mapping[str, GlossaryEntry]:
    """Every code of the package's glossary, in the order of docs/rules.md."""
    return MappingProxyType(load_glossary())


def entry(code: str) -> GlossaryEntry:
    """The glossary entry of a code; UnknownCode if it is not defined."""
    try:
        return glossary()[code]
    except KeyError:
        raise UnknownCode(code) from None


def severity_of(code: str) -> Severity:
    """The severity of a code."""
    return entry(code).severity


def severities() -> dict[str, Severity]:
    """Code -> severity for every code, to join onto a findings table."""
    return {code: item.severity for code, item in glossary().items()}


def render_message(code: str, lang: str, context: Mapping[str, object]) -> str:
    """The message of a code in a language, filled from context; missing values render blank.

    `{field}` names the field as the reader says it (`field_labels`), not as the layout does.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}: use one of {', '.join(LANGUAGES)}")
    field = context.get("field")
    if isinstance(field, str):
        context = {**context, "field": field_labels().get(field, {}).get(lang, field)}
    return _FORMATTER.vformat(entry(code).message[lang], (), context)


@cache
def field_labels(path: Path | None = None) -> Mapping[str, Mapping[str, str]]:
    """Each field's label by language, from fields.toml."""
    source = path or Path(__file__).with_name("fields.toml")
    with source.open("rb") as handle:
        table = tomllib.load(handle)
    return MappingProxyType(
        {
            name: MappingProxyType({lang: str(labels[lang]) for lang in LANGUAGES})
            for name, labels in table.items()
        }
    )
