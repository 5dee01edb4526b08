"""The Agora context and docs/vocabulary.md agree: every term is documented,
and the vendoring script writes the vendored file."""

from __future__ import annotations

import importlib.resources
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CONTEXT = json.loads(
    importlib.resources.files("ssi.jsonld")
    .joinpath("contexts", "agora-v1.json")
    .read_text(encoding="utf-8")
)


def test_every_term_is_documented():
    doc = (ROOT / "docs" / "vocabulary.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([A-Za-z]+)` \|", doc, re.M))
    terms = {term for term in CONTEXT["@context"] if not term.startswith("@")}
    assert terms <= rows, terms - rows


def test_every_term_is_protected_under_the_agora_vocabulary():
    context = CONTEXT["@context"]
    assert context["@protected"] is True
    for term, definition in context.items():
        if term.startswith("@"):
            continue
        iri = definition if isinstance(definition, str) else definition["@id"]
        assert iri == f"https://w3id.org/agora/vocab#{term}"


def test_the_vendoring_script_writes_the_same_context():
    script = (ROOT / "scripts" / "vendor_contexts.sh").read_text(encoding="utf-8")
    start = script.index("cat >\"${dest}/${AGORA_V1_FILE}\" <<'EOF'\n")
    body = script[start:].split("\n", 1)[1].split("\nEOF\n", 1)[0]
    assert json.loads(body) == CONTEXT
