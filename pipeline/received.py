"""A file as received for ingest: its bytes, size and digest, read once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from parsers.fixed_width import UTF8_BOM
from parsers.layout import merge_order
from pipeline.files import open_regular, read_open, text_name


def sha256_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class Received:
    """A file as received: its bytes (None when over the size limit), size and digest."""

    name: str
    raw: bytes | None
    size: int
    sha256: str

    @property
    def order_key(self) -> tuple[str, str]:
        """(MIDENT, creation timestamp) from the T1 header (parsers/data/layout.csv), for
        docs/merging.md ordering."""
        first = (self.raw or b"").removeprefix(UTF8_BOM)[:200].decode("latin-1")
        return merge_order(first)


def receive(path: Path, max_bytes: int) -> Received:
    """Read a file for ingest, opened once without following links (`open_regular`); an
    oversized one is hashed in pieces from the same open file, never loaded whole."""
    name = text_name(path.name)
    with open_regular(path) as stream:
        size, raw = read_open(stream, path, max_bytes)
        if raw is not None:
            return Received(name, raw, size, sha256_of(raw))
        digest = hashlib.sha256()
        for piece in iter(lambda: stream.read(2**20), b""):
            digest.update(piece)
    return Received(name, None, size, digest.hexdigest())
