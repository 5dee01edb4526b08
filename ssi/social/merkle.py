"""The RFC 9162 Merkle tree over the ballots a tally counted.

A tally commits to the CIDs of the ballots it counted with one SHA-256 Merkle
Tree Hash (RFC 9162 section 2.1.1, the same as RFC 6962 section 2.1): a leaf
is ``SHA-256(0x00 || data)``, an interior node ``SHA-256(0x01 || left ||
right)``, a tree of ``n > 1`` leaves splits at the largest power of two
smaller than ``n``, and the empty tree's hash is ``SHA-256("")``. A voter who
holds the root gets an inclusion proof (the audit path of section 2.1.3.1)
that their ballot is a leaf, and checks it with the algorithm of section
2.1.3.2.

The tree is built bottom-up: each level pairs adjacent nodes and carries an
unpaired last node up as it is, which gives the same hashes as the recursive
definition (the left part of every split is a complete tree) in linear time
and without recursion. ``hashlib`` is the primitive; the reasons for not
depending on a Merkle tree package are in docs/tallies.md.

Spec: https://www.rfc-editor.org/rfc/rfc9162#section-2.1, docs/tallies.md
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Final

from ssi.errors import InclusionProofError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "ballot_leaves",
    "inclusion_path",
    "leaf_hash",
    "merkle_root",
    "node_hash",
    "root_of_hashes",
    "verify_inclusion_path",
]

HASH_SIZE: Final = 32
"""The length of every hash in the tree (SHA-256)."""
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()
"""The Merkle Tree Hash of an empty list (RFC 9162 section 2.1.1)."""
_LEAF: Final = b"\x00"
_NODE: Final = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """Return the hash of a leaf: ``SHA-256(0x00 || data)``.

    Spec: https://www.rfc-editor.org/rfc/rfc9162#section-2.1.1
    """
    return hashlib.sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the hash of an interior node: ``SHA-256(0x01 || left || right)``.

    Spec: https://www.rfc-editor.org/rfc/rfc9162#section-2.1.1
    """
    return hashlib.sha256(_NODE + left + right).digest()


def ballot_leaves(cids: Iterable[str]) -> list[bytes]:
    """Return the leaf data of a tally's tree: each CID's UTF-8 bytes, sorted.

    Duplicates are kept once. Sorting the text and sorting its UTF-8 bytes
    give the same order (CIDs are ASCII).

    Spec: docs/tallies.md (Ballot root)
    """
    return sorted({cid.encode("utf-8") for cid in cids})


def _levels(hashes: list[bytes]) -> list[list[bytes]]:
    """Every level of the tree, from the leaf hashes up to the root's."""
    levels = [hashes]
    level = hashes
    sha256 = hashlib.sha256
    while len(level) > 1:
        upper = [
            sha256(_NODE + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            upper.append(level[-1])
        levels.append(upper)
        level = upper
    return levels


def root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    """Return the Merkle Tree Hash of a list whose leaf hashes are ``hashes``.

    Spec: https://www.rfc-editor.org/rfc/rfc9162#section-2.1.1
    """
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    sha256 = hashlib.sha256
    while len(level) > 1:
        upper = [
            sha256(_NODE + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            upper.append(level[-1])
        level = upper
    return level[0]


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """Return the Merkle Tree Hash of ``leaves`` (leaf data, in order).

    Spec: https://www.rfc-editor.org/rfc/rfc9162#section-2.1.1
    """
    sha256 = hashlib.sha256
    return root_of_hashes([sha256(_LEAF + data).digest() for data in leaves])


def inclusion_path(leaves: Sequence[bytes], index: int) -> tuple[bytes, ...]:
    """Return the inclusion proof (audit path) of ``leaves[index]``.

    The hashes go from the leaf's sibling up to the child of the root, as
    RFC 9162 section 2.1.3.1 orders them.

    Spec: https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3.1

    Raises:
        IndexError: ``index`` is not the index of a leaf (programmer misuse).
    """
    if not 0 <= index < len(leaves):
        raise IndexError(f"no leaf {index} in a tree of {len(leaves)}")
    levels = _levels([leaf_hash(data) for data in leaves])
    path: list[bytes] = []
    position = index
    for level in levels[:-1]:
        sibling = position ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        position //= 2
    return tuple(path)


def verify_inclusion_path(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf`` (a leaf hash) is leaf ``index`` of the tree of
    ``size`` leaves whose hash is ``root``, by the audit ``path``.

    Spec: https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3.2

    Raises:
        InclusionProofError: the proof does not prove it (the message does
            not say which step failed beyond the index, size or path length).
    """
    if not (0 <= index < size):
        raise InclusionProofError(
            f"leaf index {index} is outside a tree of {size} leaves."
        )
    if any(len(item) != HASH_SIZE for item in (leaf, root, *path)):
        raise InclusionProofError("every hash of an inclusion proof has 32 bytes.")
    fn, sn, result = index, size - 1, leaf
    for item in path:
        if sn == 0:
            raise InclusionProofError(
                f"the inclusion proof has {len(path)} hashes, more than the "
                f"tree of {size} leaves needs."
            )
        if fn & 1 or fn == sn:
            result = node_hash(item, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, item)
        fn >>= 1
        sn >>= 1
    if sn != 0 or result != root:
        raise InclusionProofError(
            f"the inclusion proof of leaf {index} does not lead to the root."
        )
