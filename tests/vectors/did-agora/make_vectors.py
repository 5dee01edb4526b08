"""Regenerate the did:agora vector logs and ``expected.json`` in this folder.

The logs are built by ``tests/unit/agora/builders.py`` from fixed seeds and
fixed times, so regenerating them gives the same bytes unless the entry format,
hashing or signing changed (``tests/unit/agora/test_vectors.py`` checks that).
Run from anywhere: ``python tests/vectors/did-agora/make_vectors.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from tests.unit.agora.builders import jsonl, vector_logs  # noqa: E402


def main() -> None:
    """Write every vector log and the expectations."""
    # Files no longer made by the builders (an older entry format) stay, with
    # their expectations: published logs must keep validating.
    path = HERE / "expected.json"
    expected = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for name, (entries, expect) in vector_logs().items():
        (HERE / name).write_text(jsonl(entries), encoding="utf-8")
        expected[name] = expect
        print(f"wrote {name}")
    text = json.dumps(expected, indent=2, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")
    print("wrote expected.json")


if __name__ == "__main__":
    main()
