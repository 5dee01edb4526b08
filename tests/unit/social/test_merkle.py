"""The RFC 9162 Merkle tree: published roots and inclusion proofs, pymerkle
agreeing on roots, and every leaf of many tree sizes proving its inclusion."""

from __future__ import annotations

import base64

import pymerkle
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssi.errors import InclusionProofError
from ssi.social import merkle
from tests.vectors import load

ROOTS = load.json_file("rfc9162-merkle", "roots.json")
INPUTS = [bytes.fromhex(item) for item in ROOTS["leafInputs"]]
INCLUSION = sorted(load.path("rfc9162-merkle", "inclusion").rglob("*.json"))


def b64(value):
    return base64.b64decode(value) if value is not None else b""


@pytest.mark.parametrize("size", range(len(ROOTS["rootHashes"])))
def test_the_published_root_of_every_size(size):
    assert merkle.merkle_root(INPUTS[:size]).hex() == ROOTS["rootHashes"][size]


@pytest.mark.parametrize(
    "case",
    INCLUSION,
    ids=[str(p.relative_to(load.path("rfc9162-merkle"))) for p in INCLUSION],
)
def test_published_inclusion_proofs(case):
    data = load.json_file(str(case))
    path = [b64(item) for item in data["proof"] or []]
    check = (
        b64(data["leafHash"]),
        data["leafIdx"],
        data["treeSize"],
        path,
        b64(data["root"]),
    )
    if data["wantErr"]:
        with pytest.raises(InclusionProofError):
            merkle.verify_inclusion_path(*check)
    else:
        merkle.verify_inclusion_path(*check)


def test_our_proofs_are_the_published_ones():
    for case in INCLUSION:
        data = load.json_file(str(case))
        size = data["treeSize"]
        if data["wantErr"] or size > len(INPUTS) or "happy" not in case.name:
            continue
        leaves = INPUTS[:size]
        if merkle.leaf_hash(leaves[data["leafIdx"]]) != b64(data["leafHash"]):
            continue
        path = merkle.inclusion_path(leaves, data["leafIdx"])
        assert [base64.b64encode(p).decode() for p in path] == (data["proof"] or [])


def test_every_leaf_of_every_size_up_to_40_proves_itself_and_no_other():
    leaves = [bytes([i, i * 7 % 256]) for i in range(40)]
    for size in range(1, 41):
        tree = leaves[:size]
        root = merkle.merkle_root(tree)
        for index in range(size):
            path = merkle.inclusion_path(tree, index)
            leaf = merkle.leaf_hash(tree[index])
            merkle.verify_inclusion_path(leaf, index, size, path, root)
            if size > 1:
                other = (index + 1) % size
                with pytest.raises(InclusionProofError):
                    merkle.verify_inclusion_path(leaf, other, size, path, root)
                with pytest.raises(InclusionProofError):
                    merkle.verify_inclusion_path(
                        merkle.leaf_hash(tree[other]), index, size, path, root
                    )


def test_the_empty_tree_and_bad_arguments():
    assert merkle.merkle_root([]) == merkle.EMPTY_ROOT
    with pytest.raises(IndexError):
        merkle.inclusion_path([b"a"], 1)
    with pytest.raises(InclusionProofError, match="outside"):
        merkle.verify_inclusion_path(bytes(32), 0, 0, [], bytes(32))
    with pytest.raises(InclusionProofError, match="32 bytes"):
        merkle.verify_inclusion_path(b"short", 0, 1, [], bytes(32))


def test_ballot_leaves_are_sorted_utf8_once_each():
    assert merkle.ballot_leaves(["b", "a", "b"]) == [b"a", b"b"]


@given(st.lists(st.binary(max_size=40), max_size=70))
def test_pymerkle_agrees_on_every_root(leaves):
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    for data in leaves:
        tree.append_entry(data)
    theirs = tree.get_root() if leaves else merkle.EMPTY_ROOT
    assert merkle.merkle_root(leaves) == theirs
