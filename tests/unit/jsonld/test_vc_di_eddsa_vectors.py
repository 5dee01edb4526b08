"""The W3C Data Integrity EdDSA test vectors (Appendix B): each canonical stage.

The canonical documents, proof configurations and their SHA-256 hashes are
published in the specification; these tests reproduce every one of them byte
for byte with the bundled contexts, offline.
"""

from __future__ import annotations

import hashlib

import pytest

from ssi.jsonld import canonicalize_jcs, canonicalize_rdfc
from tests.vectors import load

FOLDER = "vc-di-eddsa"

# (folder, unsigned document, file-name suffix) for each RDFC-1.0 representation.
RDFC = [
    pytest.param("eddsa-rdfc-2022", "unsigned.json", "DataInt", id="eddsa-rdfc-2022"),
    pytest.param(
        "eddsa-rdfc-2022/employ",
        "employmentAuth.json",
        "DataInt",
        id="eddsa-rdfc-2022/employ",
    ),
    pytest.param(
        "Ed25519Signature2020", "unsigned.json", "EdSig", id="Ed25519Signature2020"
    ),
]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(("folder", "unsigned", "suffix"), RDFC)
def test_rdfc_canonical_document(folder, unsigned, suffix):
    canonical = canonicalize_rdfc(load.json_file(FOLDER, unsigned))
    assert canonical == load.text(FOLDER, folder, f"canonDoc{suffix}.txt")
    digest = _sha256(canonical.encode("utf-8"))
    assert digest == load.text(FOLDER, folder, f"docHash{suffix}.txt")


@pytest.mark.parametrize(("folder", "unsigned", "suffix"), RDFC)
def test_rdfc_canonical_proof_configuration(folder, unsigned, suffix):
    config = load.json_file(FOLDER, folder, f"proofConfig{suffix}.json")
    canonical = canonicalize_rdfc(config)
    assert canonical == load.text(FOLDER, folder, f"proofCanon{suffix}.txt")
    digest = _sha256(canonical.encode("utf-8"))
    assert digest == load.text(FOLDER, folder, f"proofHash{suffix}.txt")


@pytest.mark.parametrize(("folder", "unsigned", "suffix"), RDFC)
def test_rdfc_combined_hash(folder, unsigned, suffix):
    document = canonicalize_rdfc(load.json_file(FOLDER, unsigned))
    config = canonicalize_rdfc(
        load.json_file(FOLDER, folder, f"proofConfig{suffix}.json")
    )
    combined = _sha256(config.encode("utf-8")) + _sha256(document.encode("utf-8"))
    assert combined == load.text(FOLDER, folder, f"combinedHash{suffix}.txt")


@pytest.mark.parametrize(("folder", "unsigned", "suffix"), RDFC)
def test_rdfc_signed_document_yields_the_same_stages(folder, unsigned, suffix):
    # Verification rebuilds both inputs from the signed document.
    signed = load.json_file(FOLDER, folder, f"signed{suffix}.json")
    proof = signed.pop("proof")
    del proof["proofValue"]
    proof["@context"] = signed["@context"]
    assert canonicalize_rdfc(signed) == load.text(
        FOLDER, folder, f"canonDoc{suffix}.txt"
    )
    assert canonicalize_rdfc(proof) == load.text(
        FOLDER, folder, f"proofCanon{suffix}.txt"
    )


def test_jcs_canonical_document():
    canonical = canonicalize_jcs(load.json_file(FOLDER, "unsigned.json"))
    assert canonical == load.data(FOLDER, "eddsa-jcs-2022", "canonDocJCS.txt")
    assert _sha256(canonical) == load.text(FOLDER, "eddsa-jcs-2022", "docHashJCS.txt")


def test_jcs_canonical_proof_configuration():
    config = load.json_file(FOLDER, "eddsa-jcs-2022", "proofConfigJCS.json")
    canonical = canonicalize_jcs(config)
    assert canonical == load.data(FOLDER, "eddsa-jcs-2022", "proofCanonJCS.txt")
    assert _sha256(canonical) == load.text(FOLDER, "eddsa-jcs-2022", "proofHashJCS.txt")


def test_jcs_combined_hash():
    document = canonicalize_jcs(load.json_file(FOLDER, "unsigned.json"))
    config = canonicalize_jcs(
        load.json_file(FOLDER, "eddsa-jcs-2022", "proofConfigJCS.json")
    )
    combined = _sha256(config) + _sha256(document)
    assert combined == load.text(FOLDER, "eddsa-jcs-2022", "combinedHashJCS.txt")


def test_jcs_signed_document_yields_the_same_stages():
    signed = load.json_file(FOLDER, "eddsa-jcs-2022", "signedJCS.json")
    proof = signed.pop("proof")
    del proof["proofValue"]
    assert canonicalize_jcs(signed) == load.data(
        FOLDER, "eddsa-jcs-2022", "canonDocJCS.txt"
    )
    assert canonicalize_jcs(proof) == load.data(
        FOLDER, "eddsa-jcs-2022", "proofCanonJCS.txt"
    )
