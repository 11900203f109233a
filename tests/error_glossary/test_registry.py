"""The glossary holds exactly the codes of docs/rules.md, in both languages, and renders them."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from error_glossary import (
    LANGUAGES,
    GlossaryEntry,
    UnknownCode,
    entry,
    glossary,
    glossary_markdown,
    render_message,
    severities,
    severity_of,
)
from error_glossary.registry import PLACEHOLDERS, field_labels, load_glossary

# docs/rules.md is the contract: every code with its severity, in the order of docs/rules.md.
CONTRACT_SEVERITIES = {
    "F001": "error",
    "F002": "error",
    "F003": "error",
    "F004": "error",
    "F005": "error",
    "F006": "error",
    "F007": "error",
    "F008": "error",
    "F009": "info",
    "F010": "error",
    "F011": "warning",
    "R001": "error",
    "R002": "error",
    "R003": "error",
    "R004": "error",
    "R005": "error",
    "S001": "error",
    "S002": "error",
    "S003": "error",
    "S004": "error",
    "S005": "error",
    "S006": "error",
    "S007": "warning",
    "S008": "warning",
    "S009": "warning",
    "G001": "error",
    "G002": "error",
    "G003": "error",
    "G004": "error",
    "G005": "error",
    "G006": "error",
    "G007": "error",
    "G008": "error",
    "G009": "error",
    "G010": "error",
    "G011": "error",
    "G012": "error",
    "G013": "error",
    "G014": "error",
    "G015": "error",
    "G016": "error",
    "G017": "warning",
    "G018": "warning",
    "G019": "warning",
    "G020": "error",
    "G021": "warning",
    "G022": "warning",
    "A001": "info",
    "A002": "warning",
    "A003": "warning",
    "A004": "warning",
    "A005": "info",
    "A006": "info",
    "A007": "info",
    "A008": "info",
    "A009": "warning",
    "M001": "error",
    "M002": "error",
    "M003": "info",
    "M004": "warning",
}
SCOPE_BY_LETTER = {
    "F": "file",
    "R": "record",
    "S": "student",
    "G": "grade",
    "A": "matching",
    "M": "merge",
}
REPO_ROOT = Path(__file__).resolve().parents[2]
GLOSSARY_TOML = REPO_ROOT / "error_glossary" / "glossary.toml"
GLOSSARY_DOC = REPO_ROOT / "docs" / "glossary.md"

ENTRIES = list(glossary().values())


def placeholders_of(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_glossary_holds_exactly_the_spec_codes_in_spec_order() -> None:
    assert list(glossary()) == list(CONTRACT_SEVERITIES)


def test_severities_are_those_of_the_spec() -> None:
    assert severities() == CONTRACT_SEVERITIES
    assert all(severity_of(code) == severity for code, severity in CONTRACT_SEVERITIES.items())


def test_toml_defines_each_code_once() -> None:
    tables = re.findall(r"(?m)^\[([A-Z]\d{3})\]\s*$", GLOSSARY_TOML.read_text(encoding="utf-8"))
    assert sorted(tables) == sorted(set(tables)) == sorted(CONTRACT_SEVERITIES)


@pytest.mark.parametrize("item", ENTRIES, ids=lambda item: item.code)
def test_scope_follows_the_code_letter(item: GlossaryEntry) -> None:
    assert item.scope == SCOPE_BY_LETTER[item.code[0]]


@pytest.mark.parametrize("item", ENTRIES, ids=lambda item: item.code)
def test_every_text_exists_in_both_languages_and_is_translated(item: GlossaryEntry) -> None:
    for texts in (item.title, item.message, item.action):
        assert set(texts) == set(LANGUAGES)
        assert all(texts[lang].strip() for lang in LANGUAGES)
        assert texts["fr"] != texts["en"]


@pytest.mark.parametrize("item", ENTRIES, ids=lambda item: item.code)
def test_templates_use_only_allowed_placeholders_given_in_the_sample(item: GlossaryEntry) -> None:
    assert set(item.sample) <= PLACEHOLDERS
    used = {lang: placeholders_of(item.message[lang]) for lang in LANGUAGES}
    assert used["en"] == used["fr"], "both languages fill in the same values"
    assert used["en"] <= set(item.sample)
    for text in (*item.title.values(), *item.action.values()):
        assert not placeholders_of(text), "titles and actions are plain text"


@pytest.mark.parametrize("item", ENTRIES, ids=lambda item: item.code)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_renders_its_sample(item: GlossaryEntry, lang: str) -> None:
    rendered = render_message(item.code, lang, item.sample)
    assert "{" not in rendered and "}" not in rendered
    for name in placeholders_of(item.message[lang]):
        value = item.sample[name]
        if name == "field":  # named as the reader says it (fields.toml)
            value = field_labels()[value][lang]
        assert value in rendered


def test_render_message_fills_values_right_stripped() -> None:
    rendered = render_message("G004", "en", {"value": "1O5", "course": "ENG4U   ", "line": 7})
    assert "'1O5'" in rendered
    assert "course ENG4U:" in rendered


def test_render_message_renders_missing_and_none_values_blank() -> None:
    assert render_message("G004", "en", {}).startswith(
        "Mark '' of student  is not valid for course :"
    )
    for item in ENTRIES:
        blank: dict[str, object] = dict.fromkeys(item.sample)
        for lang in LANGUAGES:
            assert render_message(item.code, lang, {}) == render_message(item.code, lang, blank)


def test_render_message_refuses_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="unsupported language 'de'"):
        render_message("G004", "de", {})


def test_unknown_code_is_a_key_error_with_a_one_line_message() -> None:
    with pytest.raises(UnknownCode) as caught:
        entry("G999")
    assert isinstance(caught.value, KeyError)
    assert str(caught.value) == ("unknown glossary code 'G999' (`ost glossary` lists them all)")
    with pytest.raises(UnknownCode):
        render_message("X001", "en", {})
    with pytest.raises(UnknownCode):
        severity_of("")


def test_docs_glossary_is_generated_from_the_registry() -> None:
    assert GLOSSARY_DOC.read_text(encoding="utf-8") == glossary_markdown(), (
        "docs/glossary.md is out of date: run `python -m error_glossary > docs/glossary.md`"
    )


def test_markdown_has_an_anchored_section_per_code() -> None:
    document = glossary_markdown()
    for item in ENTRIES:
        assert f'<a id="{item.code.lower()}"></a>\n### {item.code} — {item.title["en"]}\n' in (
            document
        )
    assert document.startswith("<!--") and "# OST glossary / Glossaire OST" in document


VALID_TABLE = """
[G004]
severity = "error"
scope = "grade"
title_en = "Mark invalid"
title_fr = "Note invalide"
message_en = "Mark '{value}' is not valid."
message_fr = "La note « {value} » n'est pas valide."
action_en = "Correct the mark."
action_fr = "Corrigez la note."
sample = { value = "1O5" }
"""


def test_load_glossary_reads_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "glossary.toml"
    path.write_text(VALID_TABLE, encoding="utf-8")
    loaded = load_glossary(path)
    assert list(loaded) == ["G004"]
    assert loaded["G004"].message["fr"] == "La note « {value} » n'est pas valide."


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('[G004\nseverity = "error"\n', "cannot read the glossary"),
        (VALID_TABLE + VALID_TABLE, "cannot read the glossary"),
        (VALID_TABLE.replace('"error"', '"fatal"'), "severity 'fatal' is not one of"),
        (VALID_TABLE.replace('"grade"', '"course"'), "scope 'course' is not one of"),
        (VALID_TABLE.replace("title_fr", "# title_fr"), "missing keys ['title_fr']"),
        (VALID_TABLE.replace('action_fr = "Corrigez la note."', 'action_fr = " "'), "action_fr"),
        (VALID_TABLE.replace("'{value}' is", "'{mark}' is"), "uses {mark}"),
        (VALID_TABLE.replace("'{value}' is", "'{value!r}' is"), "uses {value}"),
        (VALID_TABLE.replace("[G004]", "[G04]"), "a code is one letter"),
        (VALID_TABLE.replace('{ value = "1O5" }', "{ value = 105 }"), "sample must be"),
    ],
)
def test_load_glossary_rejects_a_broken_file(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "glossary.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(problem)) as caught:
        load_glossary(path)
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("glossary.toml")
