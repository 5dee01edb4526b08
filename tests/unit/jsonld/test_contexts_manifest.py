"""The vendored contexts: MANIFEST.json, digests, licences and the vendoring script."""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import re
from pathlib import Path

import pytest

from ssi.jsonld import bundled_context_urls

CONTEXTS = Path(str(importlib.resources.files("ssi.jsonld").joinpath("contexts")))
MANIFEST = json.loads((CONTEXTS / "MANIFEST.json").read_text(encoding="utf-8"))
ENTRIES = MANIFEST["contexts"]
SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "vendor_contexts.sh"

REQUIRED_URLS = {
    "https://www.w3.org/2018/credentials/v1",
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/ns/credentials/examples/v2",
    "https://w3id.org/security/data-integrity/v1",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/multikey/v1",
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/suites/ed25519-2020/v1",
    "https://www.w3.org/ns/credentials/status/v1",
    "https://w3id.org/citizenship/v4rc1",
}


def _ids(entries):
    return [entry["url"] for entry in entries]


def test_every_context_file_is_in_the_manifest_with_its_digest():
    listed = {entry["file"]: entry["sha256"] for entry in ENTRIES}
    files = {p.name for p in CONTEXTS.iterdir() if p.is_file()} - {"MANIFEST.json"}
    assert files == set(listed)
    for name in files:
        digest = hashlib.sha256((CONTEXTS / name).read_bytes()).hexdigest()
        assert digest == listed[name], name


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_every_entry_names_an_existing_json_context(entry):
    path = CONTEXTS / entry["file"]
    assert path.is_file()
    assert re.fullmatch(r"[a-z0-9][a-z0-9.-]*\.json", entry["file"])
    document = json.loads(path.read_bytes())
    assert "@context" in document


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_every_entry_has_a_licence_and_a_source(entry):
    licence = CONTEXTS / entry["license"]
    assert licence.parent.name == "LICENSES"
    assert licence.is_file()
    assert licence.read_text(encoding="utf-8").strip()
    if "package" in entry:
        assert entry["version"]
        assert entry["path"]
    else:
        assert entry["source"]


def test_every_licence_file_belongs_to_an_entry():
    referenced = {entry["license"] for entry in ENTRIES}
    present = {f"LICENSES/{p.name}" for p in (CONTEXTS / "LICENSES").iterdir()}
    assert present == referenced


def test_the_manifest_holds_no_machine_paths():
    text = (CONTEXTS / "MANIFEST.json").read_text(encoding="utf-8")
    for value in re.findall(r'"([^"]*)"', text):
        assert not value.startswith("/"), value
        assert ".." not in value.split("/"), value


def test_urls_are_unique_and_cover_what_the_library_needs():
    urls = [entry["url"] for entry in ENTRIES]
    assert len(urls) == len(set(urls))
    assert set(urls) == bundled_context_urls()
    assert set(urls) >= REQUIRED_URLS


def test_the_vc2_examples_context_is_the_one_term_w3c_document():
    entry = next(
        e
        for e in ENTRIES
        if e["url"] == "https://www.w3.org/ns/credentials/examples/v2"
    )
    document = json.loads((CONTEXTS / entry["file"]).read_bytes())
    assert document == {
        "@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}
    }
    assert "package" not in entry


def test_the_script_pins_the_versions_recorded_in_the_manifest():
    script = SCRIPT.read_text(encoding="utf-8")
    pinned = {}
    for url, _file, package, version, _source in re.findall(
        r'^\s*"(https://[^|]+)\|([^|]+)\|([^|]+)\|([^|]+)\|([^"]+)"$', script, re.M
    ):
        pinned[url] = (package, version)
    recorded = {
        e["url"]: (e["package"], e["version"]) for e in ENTRIES if "package" in e
    }
    assert pinned == recorded


def test_the_script_is_strict_bash_and_writes_no_absolute_paths():
    script = SCRIPT.read_text(encoding="utf-8")
    assert script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script
    # Paths in the script are relative to the repository or made by mktemp:
    # no home or work directory of any machine.
    for root in ("home", "root", "work"):
        assert f"/{root}/" not in script
    assert "mktemp -d" in script
