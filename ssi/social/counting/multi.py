"""Multi-seat counting methods: STV, PAV and sequential Phragmén."""

from __future__ import annotations

from collections.abc import Sequence

from ssi.social.counting._common import CountResult, Ties
from ssi.social.counting._profile import Profile

__all__ = ["count_pav", "count_seq_phragmen", "count_stv"]


def count_stv(
    options: Sequence[str], profile: Profile, *, seats: int, ties: Ties
) -> CountResult:
    """Count by STV (not yet written)."""
    raise NotImplementedError


def count_pav(
    options: Sequence[str], profile: Profile, *, seats: int, ties: Ties
) -> CountResult:
    """Count by PAV (not yet written)."""
    raise NotImplementedError


def count_seq_phragmen(
    options: Sequence[str], profile: Profile, *, seats: int, ties: Ties
) -> CountResult:
    """Count by sequential Phragmén (not yet written)."""
    raise NotImplementedError
