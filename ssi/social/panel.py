"""Panels drawn by verifiable lot: who judges a moderation case.

A case is a pair (subject CID, label value). Its moderators are ordered by
the lowest SHA-256 of the UTF-8 text ``<subject CID>|<label value>|<DID>``;
the panel is the first ``size`` of them, skipping anyone who reported the
case or authored the subject; the appeal panel is the next ``appeal_size``
in the same order, so the two never share a member. Nobody chooses the
cases they judge or who judges with them, and anyone can recompute both
panels from the case and the list of moderators whose mandates were valid
when the case opened (mandates are the moderation issue's next piece).

Spec: docs/moderation.md (Panels by verifiable lot)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Panels", "draw_panels", "lot_key"]


def lot_key(subject: str, label: str, moderator: str) -> str:
    """Return a moderator's place in a case's draw: the lowercase hex SHA-256
    of the UTF-8 text ``<subject>|<label>|<moderator>``.

    Spec: docs/moderation.md (Panels by verifiable lot)
    """
    text = f"{subject}|{label}|{moderator}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Panels:
    """The draw of one case.

    Attributes:
        order: every moderator not skipped, by ascending lot key.
        skipped: moderators left out of the draw (reporters, the author).
        panel: the first panel, in draw order.
        appeal_panel: the appeal panel, in draw order; no member of
            ``panel`` is in it.
    """

    order: tuple[str, ...]
    skipped: tuple[str, ...]
    panel: tuple[str, ...]
    appeal_panel: tuple[str, ...]


def draw_panels(
    subject: str,
    label: str,
    moderators: Iterable[str],
    *,
    size: int,
    appeal_size: int = 0,
    skip: Iterable[str] = (),
) -> Panels:
    """Draw a case's panel and appeal panel from ``moderators`` (each DID
    counts once, whatever order they are given in).

    When fewer moderators remain than ``size`` (or than ``size +
    appeal_size``), the panels are as large as the moderators allow.

    Spec: docs/moderation.md (Panels by verifiable lot)

    Raises:
        ValueError: ``size`` is not positive, ``appeal_size`` is negative, or
            a moderator is not a string (the caller's mistakes).
    """
    if type(size) is not int or size < 1:
        raise ValueError("size must be a positive integer")
    if type(appeal_size) is not int or appeal_size < 0:
        raise ValueError("appeal_size must be a non-negative integer")
    distinct = set(moderators)
    if not all(isinstance(did, str) for did in distinct):
        raise ValueError("moderators must be DIDs (strings)")
    excluded = set(skip)
    ranked = sorted(distinct, key=lambda did: (lot_key(subject, label, did), did))
    order = tuple(did for did in ranked if did not in excluded)
    skipped = tuple(did for did in ranked if did in excluded)
    return Panels(
        order=order,
        skipped=skipped,
        panel=order[:size],
        appeal_panel=order[size : size + appeal_size],
    )
