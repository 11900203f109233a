"""Name normalisation: case-folding, accents, punctuation and words, as polars expressions."""

# `folded` does the costly part once; the other functions take a folded name (or its words).

import polars as pl

# Letters that NFKD does not decompose into a base letter and a mark.
_UNDECOMPOSED = {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ß": "ss"}

# Surname particles: "DE LA CRUZ" and "Cruz" share their core word, "De" alone proves nothing.
PARTICLES = (
    "a", "al", "ap", "ben", "bin", "d", "da", "das", "de", "degli", "dei", "del", "della", "der",
    "des", "di", "do", "dos", "du", "el", "la", "las", "le", "les", "lo", "los", "st", "ste",
    "saint", "sainte", "san", "santa", "ten", "ter", "van", "vande", "vanden", "vander", "von", "y",
)  # fmt: skip


def folded(name: pl.Expr) -> pl.Expr:
    """Lower-case, accent-free letters separated by single spaces (docs/matching.md)."""
    letters = (
        name.fill_null("")
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_many(list(_UNDECOMPOSED), list(_UNDECOMPOSED.values()))
    )
    # Apostrophes join (O'NEIL = ONEIL); hyphens, dots and spaces separate.
    return letters.str.replace_all(r"['’`´]", "").str.replace_all(r"[^a-z]+", " ").str.strip_chars()


def compact(folded_name: pl.Expr) -> pl.Expr:
    """The folded name without spaces: GARCIA-LOPEZ, Garcia Lopez and garcialopez agree."""
    return folded_name.str.replace_all(" ", "", literal=True)


def words(folded_name: pl.Expr) -> pl.Expr:
    """The folded name's words as a list (empty for a missing name)."""
    return folded_name.str.extract_all(r"[a-z]+")


def core_words(name_words: pl.Expr) -> pl.Expr:
    """The words without surname particles (all of them when there are only particles: LE)."""
    core = name_words.list.eval(pl.element().filter(~pl.element().is_in(PARTICLES)))
    return pl.when(core.list.len() > 0).then(core).otherwise(name_words)


def initials(name_words: pl.Expr) -> pl.Expr:
    """The initials of a name of several words (JF for Jean-François), else empty."""
    letters = name_words.list.eval(pl.element().str.slice(0, 1)).list.join("")
    return pl.when(name_words.list.len() >= 2).then(letters).otherwise(pl.lit(""))


def accented(name: pl.Expr) -> pl.Expr:
    """Lower-case letters with their accents kept, to tell an accent difference from a match."""
    return (
        name.fill_null("").str.normalize("NFC").str.to_lowercase().str.replace_all(r"[^\p{L}]", "")
    )
