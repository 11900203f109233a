"""OENs and birth dates are masked on the console by default."""

from __future__ import annotations

import polars as pl
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.privacy import (
    mask_date,
    mask_finding,
    mask_oen,
    mask_text,
    masked_personal_columns,
)
from tests.pipeline.test_ingest_end_to_end import SAMPLES


def test_finding_values_and_messages_are_masked() -> None:
    row = {
        "code": "S004",
        "field": "birth_date",
        "value": "20210115",
        "message": "Student 1 has the invalid birth date '20210115' (age under 10).",
    }
    masked = mask_finding(row)
    assert masked["value"] == "2021****"
    assert "20210115" not in masked["message"] and "2021****" in masked["message"]


def test_a_birth_date_that_is_no_date_is_shown_it_is_what_to_correct() -> None:
    for value in ("20080631", "2008-13-01", "2008O501"):
        row = {"code": "S004", "field": "birth_date", "value": value, "message": f"'{value}'"}
        assert mask_finding(row) == row


def test_applicant_oen_in_a004_message_is_masked() -> None:
    row = {
        "code": "A004",
        "field": "oen",
        "value": "123456789",
        "message": "file gives the OEN 123456789 and the applicant declared 123456798",
    }
    message = mask_finding(row)["message"]
    assert "123456789" not in message and "123456798" not in message
    assert "******789" in message and "******798" in message


def test_a_masked_oen_keeps_its_length() -> None:
    # S005 reports an OEN that is not nine digits: the mask must not make it look like nine.
    assert [mask_oen(oen) for oen in ("345678912", "34567891", "123", "")] == [
        "******912",
        "*****891",
        "***",
        "",
    ]


def test_free_text_masking() -> None:
    assert mask_text("oen=345678912 born 2008-05-21 or 20080521") == (
        "oen=******912 born 2008****** or 2008****"
    )


def test_validate_console_masks_unless_asked() -> None:
    sample = str(SAMPLES / "S871234.C1")
    masked = CliRunner().invoke(app, ["validate", sample]).stdout
    shown = CliRunner().invoke(app, ["validate", sample, "--show-personal"]).stdout
    assert "75846729" not in masked and "*****729" in masked
    assert "'20080631'" in masked  # June 31st: no one's birth date, and what to correct
    assert "75846729" in shown
    hint = "OENs and birth dates are partly hidden (*); --show-personal shows them."
    assert hint in masked and hint not in shown


def test_nothing_masked_nothing_said() -> None:
    clean = CliRunner().invoke(app, ["validate", str(SAMPLES / "S885827.C1")]).stdout
    assert "--show-personal" not in clean


def test_masked_export_columns_mask_as_the_console_does() -> None:
    oens = ["123456789", None, "12", "", "1234"]
    births = ["2008-05-01", None, "20", "2008", "20081"]
    masked = pl.DataFrame({"oen": oens, "birth_date": births}).select(masked_personal_columns())
    assert masked["oen"].to_list() == [mask_oen(value) for value in oens]
    assert masked["birth_date"].to_list() == [mask_date(value) for value in births]
