"""did:agora threshold DIDs: entries authorized by m of n update keys.

A DID whose entry carries ``threshold`` (m) is controlled by its n update
keys (a community's stewards) together: the next entry needs proofs by at
least m distinct authorized keys. ``nextKeyHashes`` then holds one commitment
per update key, in the same order (``nextKeyHashes[i]`` commits to the key
that will replace ``updateKeys[i]``), so each steward pre-rotates on their own.

Three kinds of entry follow a threshold state (m, keys ``U``, commitments
``H``):

- an **update** keeps ``updateKeys``, ``nextKeyHashes`` and ``threshold`` and
  marks nothing compromised: m proofs by distinct current keys (``U``);
- a **steward rotation** keeps the number of keys and m, and replaces some
  keys ``U[i]`` by the key committed in ``H[i]`` (with a fresh commitment):
  each rotated key signs with its revealed key, and the stewards who do not
  rotate sign with their current keys, m distinct stewards in all; it may mark
  the replaced keys compromised, nothing else;
- every other change (stewards added or removed, m changed, other keys marked
  compromised, deactivation) is a **reconfiguration**: m proofs by distinct
  committed keys (keys whose hashes are in ``H``).

With no commitment (``H`` empty), m current keys may sign any entry.

Spec: docs/did-agora.md (4.5 Threshold DIDs)
"""

from __future__ import annotations

from collections.abc import Sequence

from ssi.agora.hashes import fail, key_hash
from ssi.types import JsonObject

__all__ = [
    "authorize_inception",
    "authorize_threshold",
    "check_threshold",
]

_FEW = "insufficientLogProofs"
_UNAUTHORIZED = "unauthorizedLogKey"


def check_threshold(
    entry: JsonObject,
    update_keys: tuple[str, ...],
    next_hashes: tuple[str, ...],
    version: int,
) -> int | None:
    """Return the entry's ``threshold`` (None when absent), checked against its
    keys: an integer from 1 to the number of update keys, and a commitment
    per key (or none).

    Raises:
        InvalidDIDLogError: ``invalidLogThreshold`` with the entry number.
    """
    if "threshold" not in entry:
        return None
    value = entry["threshold"]
    if type(value) is not int or not 1 <= value <= len(update_keys):
        raise fail(
            "invalidLogThreshold",
            version,
            "threshold must be an integer from 1 to the number of update keys.",
        )
    if next_hashes and len(next_hashes) != len(update_keys):
        raise fail(
            "invalidLogThreshold",
            version,
            "with a threshold, nextKeyHashes holds one commitment per update key.",
        )
    return value


def _enough(count: int, needed: int, version: int, what: str) -> None:
    if count < needed:
        raise fail(
            _FEW,
            version,
            f"it needs proofs by {needed} distinct {what}, and has {count}.",
        )


def authorize_inception(
    signers: Sequence[str], update_keys: tuple[str, ...], threshold: int, version: int
) -> None:
    """Check the proofs of the first entry of a threshold DID: every proof by
    one of its own update keys, and at least ``threshold`` distinct keys.

    Raises:
        InvalidDIDLogError: ``unauthorizedLogKey`` or ``insufficientLogProofs``.
    """
    if any(signer not in update_keys for signer in signers):
        raise fail(
            _UNAUTHORIZED,
            version,
            "the first entry must be signed by its own update keys.",
        )
    _enough(len(set(signers)), threshold, version, "update keys of its own")


def authorize_threshold(
    previous: tuple[tuple[str, ...], tuple[str, ...], int],
    signers: Sequence[str],
    entry: tuple[tuple[str, ...], tuple[str, ...], int | None, tuple[str, ...]],
    version: int,
) -> None:
    """Check that the distinct ``signers`` may sign an entry after a threshold
    state.

    Args:
        previous: the previous state's update keys, commitments and threshold.
        signers: the Multikeys that signed the entry (distinct).
        entry: the entry's update keys, commitments, threshold (None when
            absent) and the keys it marks compromised.
        version: the entry's number, for errors.

    Raises:
        InvalidDIDLogError: ``unauthorizedLogKey`` (a proof by a key that may
            not sign this entry) or ``insufficientLogProofs`` (fewer than m).
    """
    current, committed, needed = previous
    keys, hashes, threshold, marked = entry
    keeps = keys == current and hashes == committed and threshold == needed
    if (keeps and not marked) or not committed:
        if any(signer not in current for signer in signers):
            raise fail(
                _UNAUTHORIZED,
                version,
                "it is signed by a key that is not a current update key.",
            )
        _enough(len(signers), needed, version, "current update keys")
        return
    rotated = _rotated_slots(current, committed, entry, needed)
    if rotated is not None:
        _authorize_rotation(current, keys, rotated, signers, needed, version)
        return
    slots = {digest: i for i, digest in enumerate(committed)}
    if any(key_hash(signer) not in slots for signer in signers):
        raise fail(
            _UNAUTHORIZED,
            version,
            "changing the update keys or the threshold, marking keys compromised "
            "or deactivating needs keys committed in the entry before it.",
        )
    _enough(len(signers), needed, version, "committed keys")


def _rotated_slots(
    current: tuple[str, ...],
    committed: tuple[str, ...],
    entry: tuple[tuple[str, ...], tuple[str, ...], int | None, tuple[str, ...]],
    needed: int,
) -> set[int] | None:
    """The slots a steward rotation replaces, or None when the entry is not one."""
    keys, hashes, threshold, marked = entry
    if threshold != needed or len(keys) != len(current) or len(hashes) != len(keys):
        return None
    rotated: set[int] = set()
    for i, key in enumerate(keys):
        if key == current[i] and hashes[i] == committed[i]:
            continue
        if key_hash(key) != committed[i]:
            return None
        rotated.add(i)
    replaced = {current[i] for i in rotated}
    if not rotated or any(key not in replaced for key in marked):
        return None
    return rotated


def _authorize_rotation(
    current: tuple[str, ...],
    keys: tuple[str, ...],
    rotated: set[int],
    signers: Sequence[str],
    needed: int,
    version: int,
) -> None:
    allowed = {key for i, key in enumerate(keys) if i in rotated}
    allowed.update(key for i, key in enumerate(current) if i not in rotated)
    if any(signer not in allowed for signer in signers):
        raise fail(
            _UNAUTHORIZED,
            version,
            "in a steward rotation, a rotating steward signs with the key it "
            "reveals and the others with their current keys.",
        )
    for i in sorted(rotated):
        if keys[i] not in signers:
            raise fail(
                _UNAUTHORIZED,
                version,
                f"update key {i + 1} is rotated without a proof by the key it reveals.",
            )
    _enough(len(signers), needed, version, "stewards")
