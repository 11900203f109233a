"""What a decision says: its glossary codes, the fields that agreed, and a readable reason."""

import polars as pl

from matching import dates, first_names, middle_names, oen, surnames
from matching.schema import AMBIGUOUS, INTERNATIONAL, MATCHED, NOT_MERGED, PENDING, REVIEW
from matching.scoring import SCHOOL_AGREES, middle_confirms

STATUS_CODES = {
    PENDING: "A001",
    AMBIGUOUS: "A002",
    NOT_MERGED: "A003",
    INTERNATIONAL: "A005",
    REVIEW: "A009",
}
OEN_DIFFERS = "A004"
NAME_VARIANT = "A006"

_merged = pl.col("status").is_in([MATCHED, INTERNATIONAL])
_status = pl.col("status")


def _text(*parts: pl.Expr | str) -> pl.Expr:
    """Concatenate literal text and columns (a null column nulls the whole part)."""
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in parts])


def _date(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%Y-%m-%d")


def _name_variant() -> pl.Expr:
    surname = pl.col("sur_kind").is_not_null() & (pl.col("sur_level") >= surnames.TYPO)
    first = pl.col("first_kind").is_not_null() & (pl.col("first_level") >= first_names.TYPO)
    return surname | first


def codes() -> pl.Expr:
    """Glossary codes: the status's own, A004 (OENs differ, merged), A006 (a name variant)."""
    status_code = _status.replace_strict(STATUS_CODES, default=None, return_dtype=pl.String)
    oens_differ = _merged & pl.col("oen_level").is_in([oen.SLIP, oen.DIFFERENT])
    variant = _merged & _name_variant().fill_null(False)
    return pl.concat_list(
        status_code,
        pl.when(oens_differ).then(pl.lit(OEN_DIFFERS)),
        pl.when(variant).then(pl.lit(NAME_VARIANT)),
    ).list.drop_nulls()


def agreed() -> pl.Expr:
    """The fields that agreed for the applicant the decision speaks of."""
    fields = {
        "oen": pl.col("oen_level") == oen.EQUAL,
        "birth_date": pl.col("bd_level") >= dates.TOLERATED,
        "surname": pl.col("sur_level") >= surnames.TYPO,
        "first_name": pl.col("first_level") >= first_names.TYPO,
        "middle_name": pl.col("middle_level") >= middle_names.COMPATIBLE,
        "school": pl.col("school") == SCHOOL_AGREES,
    }
    flags = [pl.when(agree.fill_null(False)).then(pl.lit(name)) for name, agree in fields.items()]
    return pl.concat_list(flags).list.drop_nulls()


def _basis() -> pl.Expr:
    """Why a merged pair matched."""
    confirmations = pl.concat_str(
        pl.when(pl.col("school") == SCHOOL_AGREES).then(
            _text("school ", pl.col("mident"), " confirms")
        ),
        pl.when(pl.col("oen_level") == oen.SLIP).then(pl.lit("OEN typed with one slip")),
        pl.when(middle_confirms()).then(pl.lit("middle name confirms")),
        separator="; ",
        ignore_nulls=True,
    )
    slip = _text("birth date ", _date("s_bd"), " ~ ", _date("a_bd"), " (", pl.col("bd_slip"), ")")
    return (
        pl.when(pl.col("oen_match") & (pl.col("bd_level") == dates.EXACT))
        .then(pl.lit("OEN and birth date agree"))
        .when(pl.col("oen_match") & (pl.col("bd_level") == dates.TOLERATED))
        .then(_text("OEN agrees; ", slip))
        .when(pl.col("oen_match"))
        .then(
            _text("OEN and name agree; birth date ", _date("s_bd"), " differs from ", _date("a_bd"))
        )
        .otherwise(_text("birth date and name agree; ", confirmations))
    )


def _oen_note() -> pl.Expr:
    return pl.when(pl.col("oen_level").is_in([oen.SLIP, oen.DIFFERENT])).then(
        _text("applicant declared OEN ", pl.col("a_oen"), ", the school reported ", pl.col("s_oen"))
    )


def _surname_note() -> pl.Expr:
    previous = pl.col("sur_kind").str.starts_with(surnames.PREVIOUS)
    other = pl.when(previous).then(pl.col("a_prev")).otherwise(pl.col("a_last"))
    varied = _text("surname ", pl.col("s_surname"), " ~ ", other, " (", pl.col("sur_kind"), ")")
    differs = _text("surname ", pl.col("s_surname"), " differs from ", pl.col("a_last"))
    return pl.when(pl.col("sur_level") < surnames.TYPO).then(differs).otherwise(varied)


def _first_note() -> pl.Expr:
    shown = pl.col("a_first").fill_null("")
    varied = _text("first name ", pl.col("s_first"), " ~ ", shown, " (", pl.col("first_kind"), ")")
    differs = _text("first name ", pl.col("s_first"), " differs from ", shown)
    return pl.when(pl.col("first_level") < first_names.TYPO).then(differs).otherwise(varied)


def weight_note() -> pl.Expr:
    """`evidence weight W (OEN equal +17.2, birth date one_digit +3.1, ...)`."""
    fields = pl.col("evidence_fields").list.eval(
        pl.concat_str(
            pl.element().struct.field("field").str.replace("_", " "),
            pl.lit(" "),
            pl.element().struct.field("level"),
            pl.lit(" "),
            pl.when(pl.element().struct.field("weight") >= 0)
            .then(pl.lit("+"))
            .otherwise(pl.lit("")),
            pl.element().struct.field("weight").round(1).cast(pl.String),
        )
    )
    return _text(
        "evidence weight ",
        pl.col("weight").round(1).cast(pl.String),
        " (",
        fields.list.join(", "),
        ")",
    )


def _merged_reason() -> pl.Expr:
    international = pl.when(_status == INTERNATIONAL).then(
        pl.lit("applied as an international applicant: grades not merged")
    )
    parts = [_basis(), _oen_note(), _surname_note(), _first_note(), international, weight_note()]
    return pl.concat_str(parts, separator="; ", ignore_nulls=True)


def _review_reason() -> pl.Expr:
    held = _text(
        "applicant ", pl.col("application_number"),
        " is probable, but the evidence is below the automatic threshold: held for review",
    )  # fmt: skip
    parts = [held, _oen_note(), _surname_note(), _first_note(), weight_note()]
    return pl.concat_str(parts, separator="; ", ignore_nulls=True)


def _pending_reason() -> pl.Expr:
    lost = _text("applicant ", pl.col("application_number"), " matches student ")
    lost = _text(lost, pl.col("rival_number"), " better")
    unconfirmed = _text(
        "applicant ",
        pl.col("application_number"),
        ": birth date and name agree, but no school, OEN or middle name confirms",
    )
    weak = _text("applicant ", pl.col("application_number"), ": ", _first_note())
    # The best candidate, never named by the decision: the first of those beaten.
    names_only = _text(
        "applicant ",
        pl.col("beaten_numbers").list.first(),
        " (evidence weight ",
        pl.col("beaten_weight").list.first().round(1).cast(pl.String),
        "): only the names agree, and no OEN, birth date, school or middle name confirms: "
        "not held for review",
    )
    return (
        pl.when(pl.col("rival_idx").is_not_null())
        .then(lost)
        .when(pl.col("first_level") >= first_names.TYPO)
        .then(unconfirmed)
        .when(pl.col("application_number").is_not_null())
        .then(weak)
        .when(pl.col("names_only").fill_null(False))
        .then(names_only)
        .otherwise(
            pl.lit("no applicant with this OEN, or with this birth date and a compatible name")
        )
    )


def _ambiguous_reason() -> pl.Expr:
    tied = pl.col("candidates").list.join(", ")
    rival = _text("applicant ", tied, " matches student ")
    rival = _text(rival, pl.col("rival_number"), " equally")
    count = pl.col("candidates").list.len().cast(pl.String)
    return (
        pl.when(pl.col("rival_idx").is_not_null())
        .then(rival)
        .otherwise(_text(count, " applicants match equally: ", tied))
    )


def _not_merged_reason() -> pl.Expr:
    return _text(
        "OEN ", pl.col("s_oen"), " belongs to applicant ", pl.col("application_number"),
        ", whose birth date (", _date("a_bd"), ") and name (",
        pl.concat_str(pl.col("a_first"), pl.col("a_last"), separator=" ", ignore_nulls=True),
        ") do not agree with the student's",
    )  # fmt: skip


def reason() -> pl.Expr:
    """A short human-readable explanation of the decision."""
    return (
        pl.when(_merged)
        .then(_merged_reason())
        .when(_status == AMBIGUOUS)
        .then(_ambiguous_reason())
        .when(_status == NOT_MERGED)
        .then(_not_merged_reason())
        .when(_status == REVIEW)
        .then(_review_reason())
        .otherwise(_pending_reason())
    )
