"""A community's status lists, every version kept, judged as of a moment.

A community republishes its status list credential each time it revokes or
suspends someone; every version stays valid evidence for the moments it
covers. :class:`StatusHistory` keeps the versions it is given (already
checked: signed, issued by the community) by list URL, and answers what a
``credentialStatus`` entry's status was at a moment: the version in force
is the one with the latest ``validFrom`` not after the moment (ties: the
larger CID). The tally's electorate and the moderators' mandates both judge
status this way.

Spec: docs/tallies.md (Eligibility), docs/moderation.md (Mandates)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ssi.errors import SSIError
from ssi.status.bitstring import StatusList
from ssi.status.credential import StatusListCredential, StatusListEntry

__all__ = ["StatusHistory"]


@dataclass(frozen=True, slots=True)
class _Version:
    cid: str
    credential: StatusListCredential
    valid_from: datetime


class StatusHistory:
    """Status list credentials by URL, every version, in time order."""

    def __init__(self) -> None:
        self._lists: dict[str, list[_Version]] = {}
        self._decoded: dict[tuple[str, int], StatusList | None] = {}
        self._sorted = True

    def add(self, cid: str, listed: StatusListCredential) -> None:
        """Keep one version (its CID and the list read); a list without an
        ``id`` or a ``validFrom`` cannot be placed in time and is left out.

        The caller checks, before, that it verified and whose it is.
        """
        url, valid_from = listed.id, listed.credential.valid_from
        if url is None or valid_from is None:
            return
        self._lists.setdefault(url, []).append(_Version(cid, listed, valid_from))
        self._sorted = False

    def status(self, entry: StatusListEntry, at: datetime) -> int | None:
        """Return the entry's status value in the version of its list in
        force at ``at``, or None when it is unknown: no version of that list
        is valid from ``at`` or earlier, the version does not serve the
        entry's purpose, its bits cannot be decoded at the entry's size, or
        the index lies outside the list.
        """
        if not self._sorted:
            for found in self._lists.values():
                found.sort(key=lambda version: (version.valid_from, version.cid))
            self._sorted = True
        current: _Version | None = None
        for version in self._lists.get(entry.list_credential, ()):
            if version.valid_from > at:
                break
            current = version
        if current is None or entry.purpose not in current.credential.purposes:
            return None
        bits = self._bits(current, entry.status_size)
        if bits is None or not 0 <= entry.index < bits.length:
            return None
        return bits.get(entry.index)

    def _bits(self, version: _Version, status_size: int) -> StatusList | None:
        key = (version.cid, status_size)
        if key not in self._decoded:
            declared = version.credential.status_size
            try:
                if declared is not None and declared != status_size:
                    raise ValueError
                decoded: StatusList | None = StatusList.decode(
                    version.credential.encoded_list, status_size=status_size
                )
            except (SSIError, ValueError):
                decoded = None
            self._decoded[key] = decoded
        return self._decoded[key]
