"""Messages name fields as a clerk says them, in each language; findings keep the layout's name."""

from __future__ import annotations

from error_glossary import render_message
from error_glossary.registry import LANGUAGES, field_labels
from parsers.layout import default_layout

# Fields that findings name besides those of the layout (F007, F010).
OTHER_FIELDS = {"file_name", "size"}


def test_every_field_has_a_label_in_every_language() -> None:
    named = {spec.name for spec in default_layout().fields} | OTHER_FIELDS
    labels = field_labels()
    assert named <= set(labels)
    for name in named:
        assert all(labels[name][lang].strip() for lang in LANGUAGES), name


def test_messages_use_the_label_of_their_language() -> None:
    context = {"field": "citizenship", "value": "XYZ", "student_number": "4471002"}
    english = render_message("S007", "en", context)
    french = render_message("S007", "fr", context)
    assert "invalid citizenship code 'XYZ'" in english
    assert "dans le champ citoyenneté" in french and "citizenship" not in french
    assert "courriel de la personne-ressource" in render_message(
        "F008", "fr", {"field": "contact_email", "value": "x"}
    )


def test_a_field_without_a_label_is_named_as_it_is() -> None:
    assert "header field not_a_field has" in render_message("F008", "en", {"field": "not_a_field"})
