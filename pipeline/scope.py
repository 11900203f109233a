"""Whose data a reader may see: every school (an operator), or a set of MIDENTs (a school or
board account). Every read of school data takes a scope, and the store filters by it
(`pipeline.store.transmissions.in_scope`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """`midents` None: every school; otherwise only these MIDENTs (never empty by design)."""

    midents: frozenset[str] | None = None

    @property
    def everything(self) -> bool:
        return self.midents is None

    def allows(self, mident: str | None) -> bool:
        """Whether a record of this school may be shown."""
        return self.midents is None or (mident is not None and mident in self.midents)


EVERY_SCHOOL = Scope(None)


def schools(midents: Iterable[str]) -> Scope:
    """The scope of a school or board account."""
    return Scope(frozenset(midents))
