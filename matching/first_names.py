"""First-name agreement: exact, nickname, middle name, part of a compound name, short form, typo."""

import polars as pl

from matching.ladder import Rule, first_rule
from matching.similarity import with_typo
from matching.variants import variant_pairs

EXACT = 4
VARIANT = 3
TYPO = 2
WEAK = 1  # not given, or an initial only: can tie with a candidate, never match alone
NONE = 0

NICKNAME = "nickname"
MIDDLE = "middle name"
COMPOUND = "part of a compound first name"
SHORT_FORM = "short form"
INITIALS = "initials of a compound first name"
TYPING = "typo"
ACCENTS = "accents"
NOT_GIVEN = "not given"
INITIAL = "initial only"

SHORT_FORM_LETTERS = 3  # DAN for DANIEL; shorter prefixes prove nothing

# A word's best relation to the other side's word, and the kind it gives the whole name.
_RANKS = {"equal": 3, NICKNAME: 2, SHORT_FORM: 1}
# When both sides align, the kind reported: the most telling first.
_KIND_PRIORITY = {MIDDLE: 0, NICKNAME: 1, SHORT_FORM: 2, COMPOUND: 3}


def _variant_flag(frame: pl.DataFrame, left: str, right: str, flag: str) -> pl.DataFrame:
    """Add boolean column `flag`: (left, right) is a pair of the variant table."""
    table = variant_pairs().select(pl.col("name").alias(left), pl.col("variant").alias(right))
    table = table.with_columns(pl.lit(True).alias(flag))
    joined = frame.join(table, on=[left, right], how="left", maintain_order="left")
    return joined.with_columns(pl.col(flag).fill_null(False))


def _word_relations(pairs: pl.DataFrame, words: str, others: dict[str, str]) -> pl.DataFrame:
    """(pair_id, word_id, role, rank) of each word of `words` against the `others` by role."""
    own = pairs.select("pair_id", word=words).explode("word").drop_nulls().with_row_index("word_id")
    pool = pairs.select("pair_id", **others).unpivot(
        index="pair_id", variable_name="role", value_name="other"
    )
    pool = pool.explode("other").drop_nulls()
    met = _variant_flag(own.join(pool, on="pair_id"), "word", "other", "variant")
    shorter = pl.min_horizontal(pl.col("word").str.len_chars(), pl.col("other").str.len_chars())
    prefix = pl.col("word").str.starts_with(pl.col("other")) | pl.col("other").str.starts_with(
        pl.col("word")
    )
    rank = (
        pl.when(pl.col("word") == pl.col("other"))
        .then(_RANKS["equal"])
        .when(pl.col("variant"))
        .then(_RANKS[NICKNAME])
        .when(prefix & (shorter >= SHORT_FORM_LETTERS))
        .then(_RANKS[SHORT_FORM])
        .otherwise(0)
    )
    return met.select("pair_id", "word_id", "role", rank=rank).filter(pl.col("rank") > 0)


def _aligned(pairs: pl.DataFrame, words: str, others: dict[str, str]) -> pl.DataFrame:
    """(pair_id, kind) of the pairs where every word of `words` meets a word on the other side."""
    counts = pairs.select("pair_id", words=pl.col(words).list.len()).filter(pl.col("words") > 0)
    relations = _word_relations(pairs, words, others)
    # Prefer meeting the other side's first name over its middle name, then the closest relation.
    best = relations.sort("role", "rank", descending=[False, True]).group_by("word_id").first()
    per_pair = best.group_by("pair_id").agg(
        met=pl.len(),
        via_middle=(pl.col("role") == "middle").any(),
        nickname=(pl.col("rank") == _RANKS[NICKNAME]).any(),
        short_form=(pl.col("rank") == _RANKS[SHORT_FORM]).any(),
    )
    kind = (
        pl.when("via_middle")
        .then(pl.lit(MIDDLE))
        .when("nickname")
        .then(pl.lit(NICKNAME))
        .when("short_form")
        .then(pl.lit(SHORT_FORM))
        .otherwise(pl.lit(COMPOUND))
    )
    complete = per_pair.join(counts, on="pair_id").filter(pl.col("met") == pl.col("words"))
    return complete.select("pair_id", kind=kind)


def _with_alignment(pairs: pl.DataFrame) -> pl.DataFrame:
    """Add `aligned_kind`: every applicant first-name word meets the student's, or the reverse."""
    # The applicant's words may meet the student's middle name (a middle name used as first
    # name); the student's first name meeting only the applicant's middle name proves nothing:
    # siblings share names that way.
    applicant_side = _aligned(pairs, "a_first_t", {"first": "s_first_t", "middle": "s_middle_t"})
    student_side = _aligned(pairs, "s_first_t", {"first": "a_first_t"})
    both = pl.concat([applicant_side, student_side])
    priority = pl.col("kind").replace_strict(_KIND_PRIORITY, return_dtype=pl.Int8)
    best = (
        both.sort(priority, "pair_id").group_by("pair_id").agg(aligned_kind=pl.col("kind").first())
    )
    return pairs.join(best, on="pair_id", how="left")


def _middle_forms() -> pl.Expr:
    """A middle name used as, or folded into, the first name."""
    s_first, s_middle, s_fm = pl.col("s_first_c"), pl.col("s_middle_c"), pl.col("s_fm_c")
    a_first, a_middle, a_fm = pl.col("a_first_c"), pl.col("a_middle_c"), pl.col("a_fm_c")
    return (
        ((a_first == s_middle) & (s_middle != ""))
        | ((a_first == s_fm) & (s_middle != ""))
        | ((a_fm == s_first) & (a_middle != ""))
    )


def _compound_initials() -> pl.Expr:
    """JF for JEAN-FRANCOIS, JP for JOHN PAUL (either side)."""
    applicant = (pl.col("a_first_c") == pl.col("s_first_i")) & (pl.col("s_first_i") != "")
    return applicant | ((pl.col("s_first_c") == pl.col("a_first_i")) & (pl.col("a_first_i") != ""))


def _initial_only() -> pl.Expr:
    """One side gives a single letter, the other a name starting with it."""
    s_first, a_first = pl.col("s_first_c"), pl.col("a_first_c")
    single = (s_first.str.len_chars() == 1) | (a_first.str.len_chars() == 1)
    return single & (s_first.str.slice(0, 1) == a_first.str.slice(0, 1)) & (s_first != "")


def with_first_name_evidence(pairs: pl.DataFrame) -> pl.DataFrame:
    """Add `first_level` (EXACT .. NONE) and `first_kind` (how a non-exact first name agreed)."""
    pairs = pairs.with_row_index("pair_id")
    exact = (pl.col("s_first_c") == pl.col("a_first_c")) & (pl.col("s_first_c") != "")
    pairs = _variant_flag(pairs, "s_first_c", "a_first_c", "first_variant")
    pairs = with_typo(pairs, "s_first_c", "a_first_c", ~exact, "first_typo")
    pairs = _with_alignment(pairs)
    rules: list[Rule] = [
        (exact & (pl.col("s_first_a") != pl.col("a_first_a")), EXACT, ACCENTS),
        (exact, EXACT, None),
        (pl.col("first_variant"), VARIANT, NICKNAME),
        (_middle_forms(), VARIANT, MIDDLE),
        (_compound_initials(), VARIANT, INITIALS),
        (pl.col("aligned_kind").is_not_null(), VARIANT, None),
        (pl.col("first_typo"), TYPO, TYPING),
        (pl.col("a_first_c") == "", WEAK, NOT_GIVEN),
        (_initial_only(), WEAK, INITIAL),
    ]
    level, kind = first_rule(rules, NONE)
    kind = pl.coalesce(kind, pl.when(level == VARIANT).then(pl.col("aligned_kind")))
    return pairs.with_columns(first_level=level, first_kind=kind).drop("pair_id")
