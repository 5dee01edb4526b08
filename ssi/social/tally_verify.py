"""Check a tally against its inputs, and prove a ballot was counted.

:func:`verify_tally` verifies a ``Tally`` credential's proof, recomputes the
tally from the proposal, constitution and inputs with
:func:`ssi.social.tally.compute_tally`, and compares: the proposal and
community named, the list of input CIDs, the Merkle root, the number of
counted ballots and, field by field, the recorded result. Every difference
is reported with its JSON path, the value the inputs give (``expected``) and
the value the tally holds (``found``). The lists that are sets sorted by CID
or DID (``counted``, ``inputs``, ``rejected``, ``ignored``, ``lost``) are
compared member by member, so a CID missing or added is reported as such,
not as a shift of every later item; other lists of objects are compared
item by item, and any other list that differs is reported whole.

:func:`inclusion_proof` gives a voter the RFC 9162 audit path of their
ballot's CID among a tally's counted ballots; :func:`verify_inclusion`
checks it against the tally's ``ballotRoot``.

Spec: docs/tallies.md (Verifying a tally, Inclusion proofs)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ssi.credentials.verifier import Verifier
from ssi.errors import InclusionProofError, TallyError, TallyMismatchError
from ssi.social import merkle
from ssi.social.tally import Tally, compute_tally, read_tally
from ssi.social.tally_inputs import signature_verified, tally_verifier
from ssi.social.tally_result import TallyResult
from ssi.types import JsonObject, JsonValue

__all__ = [
    "Difference",
    "InclusionProof",
    "TallyVerification",
    "inclusion_proof",
    "verify_inclusion",
    "verify_tally",
]

_SUBJECT: Final = "$.credentialSubject"
_ABSENT: Final = "(absent)"
_KEYED: Final = frozenset({"counted", "inputs", "rejected", "ignored", "lost"})
"""Lists that are sets sorted by a key (CID, DID): compared member by member."""


@dataclass(frozen=True, slots=True)
class Difference:
    """One field where a tally and its recomputation differ.

    Attributes:
        path: the JSON path in the tally credential.
        expected: what the inputs give (``"(absent)"`` for nothing).
        found: what the tally holds (``"(absent)"`` for nothing).
    """

    path: str
    expected: JsonValue
    found: JsonValue

    def __str__(self) -> str:
        return (
            f"{self.path}: expected {_show(self.expected)}, found {_show(self.found)}"
        )


@dataclass(frozen=True, slots=True)
class TallyVerification:
    """The outcome of :func:`verify_tally`.

    Attributes:
        verified: the tally's proof verified and nothing differs.
        signed: the tally's proof verified.
        differences: every differing field, in path order.
        recomputed: the result recomputed from the inputs.
    """

    verified: bool
    signed: bool
    differences: tuple[Difference, ...]
    recomputed: TallyResult

    def raise_for_differences(self) -> None:
        """Raise unless verified.

        Raises:
            TallyMismatchError: with one line per difference.
        """
        if self.verified:
            return
        lines = tuple(str(d) for d in self.differences)
        if not self.signed:
            lines = ("the tally's proof does not verify.", *lines)
        raise TallyMismatchError(
            f"the tally does not match its inputs ({len(lines)} problem(s)): "
            + "; ".join(lines[:5]),
            differences=lines,
        )


def verify_tally(
    tally: JsonObject,
    proposal: JsonObject,
    inputs: Sequence[JsonValue],
    *,
    constitution: JsonObject | None,
    logs: Mapping[str, Sequence[Sequence[JsonValue]]] | None = None,
    verifier: Verifier | None = None,
    executor: Executor | None = None,
    superseded_at: datetime | None = None,
) -> TallyVerification:
    """Verify ``tally``'s proof and recompute it from the same inputs.

    The arguments are those of :func:`ssi.social.tally.compute_tally`.

    Spec: docs/tallies.md (Verifying a tally)

    Raises:
        ParsingError, MalformedValueError, InvalidCIDError: the tally is not
            a tally credential.
        TallyError, InvalidConstitutionError: as for ``compute_tally``.
    """
    read = read_tally(tally)
    recomputed = compute_tally(
        proposal,
        inputs,
        constitution=constitution,
        logs=logs,
        verifier=verifier,
        executor=executor,
        superseded_at=superseded_at,
    )
    # The tally is signed after the close: its signer's did:agora log may
    # hold entries up to the tally's own time.
    checker = verifier or tally_verifier(
        logs, at=max(recomputed.closes, read.issued_at)
    )
    signed = signature_verified(checker.verify(tally))
    differences: list[Difference] = []
    _compare(f"{_SUBJECT}.proposal", recomputed.proposal, read.proposal, differences)
    _compare(f"{_SUBJECT}.community", recomputed.community, read.community, differences)
    _compare(
        f"{_SUBJECT}.inputs",
        list(recomputed.inputs),
        list(read.inputs),
        differences,
    )
    _compare(
        f"{_SUBJECT}.ballotRoot", recomputed.ballot_root, read.ballot_root, differences
    )
    _compare(
        f"{_SUBJECT}.countedBallots",
        len(recomputed.counted),
        read.counted_ballots,
        differences,
    )
    _compare(f"{_SUBJECT}.result", recomputed.to_json(), read.result, differences)
    return TallyVerification(
        verified=signed and not differences,
        signed=signed,
        differences=tuple(differences),
        recomputed=recomputed,
    )


def _compare(
    path: str, expected: JsonValue, found: JsonValue, out: list[Difference]
) -> None:
    if isinstance(expected, dict) and isinstance(found, dict):
        for key in sorted(set(expected) | set(found)):
            where = f"{path}.{key}"
            if key not in found:
                out.append(Difference(where, expected[key], _ABSENT))
            elif key not in expected:
                out.append(Difference(where, _ABSENT, found[key]))
            else:
                _compare(where, expected[key], found[key], out)
        return
    if isinstance(expected, list) and isinstance(found, list):
        if expected == found:
            return
        if path.rsplit(".", 1)[-1] in _KEYED:
            _compare_members(path, expected, found, out)
        elif len(expected) == len(found) and all(
            isinstance(item, dict) for item in (*expected, *found)
        ):
            for index, (mine, theirs) in enumerate(zip(expected, found, strict=True)):
                _compare(f"{path}[{index}]", mine, theirs, out)
        else:
            out.append(Difference(path, expected, found))
        return
    if type(expected) is not type(found) or expected != found:
        out.append(Difference(path, expected, found))


def _key(item: JsonValue) -> str:
    if isinstance(item, dict):
        for name in ("cid", "delegator"):
            value = item.get(name)
            if isinstance(value, str):
                return value
    return repr(item) if not isinstance(item, str) else item


def _compare_members(
    path: str, expected: list[JsonValue], found: list[JsonValue], out: list[Difference]
) -> None:
    """Sorted sets: report a different length, the members missing and
    added (by CID, or by value), then compare the members both hold."""
    if len(expected) != len(found):
        out.append(Difference(f"{path}.length", len(expected), len(found)))
    mine = {_key(item): item for item in expected}
    theirs = {_key(item): item for item in found}
    for key in sorted(set(mine) | set(theirs)):
        if key not in theirs:
            out.append(Difference(f"{path}[{key}]", mine[key], _ABSENT))
        elif key not in mine:
            out.append(Difference(f"{path}[{key}]", _ABSENT, theirs[key]))
        elif mine[key] != theirs[key]:
            _compare(f"{path}[{key}]", mine[key], theirs[key], out)


def _show(value: JsonValue) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """The proof that a ballot is among a tally's counted ballots.

    Attributes:
        ballot: the ballot's CID.
        index: its position among the counted CIDs, sorted.
        size: how many ballots were counted.
        path: the audit path, hex, from the leaf's sibling up.
        root: the tally's ``ballotRoot`` (hex).
    """

    ballot: str
    index: int
    size: int
    path: tuple[str, ...]
    root: str

    def to_json(self) -> JsonObject:
        """Return the proof as JSON."""
        return {
            "ballot": self.ballot,
            "index": self.index,
            "size": self.size,
            "path": list(self.path),
            "root": self.root,
        }


def inclusion_proof(tally: JsonObject | Tally, ballot: str) -> InclusionProof:
    """Return the inclusion proof of ``ballot`` (a CID) in ``tally``.

    Spec: docs/tallies.md (Inclusion proofs), RFC 9162 section 2.1.3.1

    Raises:
        TallyError: the tally does not list the ballot as counted, or its
            list does not give its ``ballotRoot``.
        ParsingError, MalformedValueError: not a tally credential.
    """
    read = tally if isinstance(tally, Tally) else read_tally(tally)
    leaves = merkle.ballot_leaves(read.counted)
    target = ballot.encode("utf-8")
    index = _find(leaves, target)
    if index is None:
        raise TallyError(f"the tally does not count the ballot {ballot[:80]}.")
    if merkle.merkle_root(leaves).hex() != read.ballot_root:
        raise TallyError("the tally's counted ballots do not give its ballotRoot.")
    path = merkle.inclusion_path(leaves, index)
    return InclusionProof(
        ballot=ballot,
        index=index,
        size=len(leaves),
        path=tuple(item.hex() for item in path),
        root=read.ballot_root,
    )


def verify_inclusion(proof: InclusionProof, *, ballot_root: str) -> None:
    """Check that ``proof`` shows its ballot under ``ballot_root`` (the hex
    root of a tally the voter trusts).

    Spec: docs/tallies.md (Inclusion proofs), RFC 9162 section 2.1.3.2

    Raises:
        InclusionProofError: it does not.
    """
    if proof.root != ballot_root:
        raise InclusionProofError("the proof is for another ballot root.")
    try:
        path = [bytes.fromhex(item) for item in proof.path]
        root = bytes.fromhex(ballot_root)
    except ValueError as exc:
        raise InclusionProofError("the proof holds a hash that is not hex.") from exc
    leaf = merkle.leaf_hash(proof.ballot.encode("utf-8"))
    merkle.verify_inclusion_path(leaf, proof.index, proof.size, path, root)


def _find(leaves: list[bytes], target: bytes) -> int | None:
    low, high = 0, len(leaves)
    while low < high:
        middle = (low + high) // 2
        if leaves[middle] < target:
            low = middle + 1
        else:
            high = middle
    return low if low < len(leaves) and leaves[low] == target else None
