"""Every example script runs to completion, and the quickstart and the thread
demo show what they promise."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

EXAMPLES = sorted(
    path
    for path in (Path(__file__).resolve().parents[1] / "examples").glob("*.py")
    # _demo.py is shared by the examples; community.py runs in
    # test_example_community.py, a file of its own, so that pytest-xdist runs it
    # beside these (it is the longest).
    if not path.name.startswith("_") and path.name != "community.py"
)


@cache
def run(script: Path) -> subprocess.CompletedProcess[str]:
    """Run an example once per test session (the quickstart takes seconds),
    its ``agora`` commands inside its process (AGORA_DEMO_IN_PROCESS=1):
    Python's start-up and imports are paid once, not once per command."""
    return subprocess.run(
        [sys.executable, str(script)],
        env=dict(os.environ, AGORA_DEMO_IN_PROCESS="1"),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script):
    completed = run(script)
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr


def test_quickstart_shows_each_key_type_and_its_dids():
    out = run(next(p for p in EXAMPLES if p.name == "quickstart.py")).stdout
    for key_type in ("Ed25519", "X25519", "P-256", "secp256k1"):
        assert f"{key_type} key" in out
    assert out.count("did:key:") == 4
    assert out.count("did:jwk:") == 4
    assert out.count("signature verifies") == 3
    assert "invalidDid" in out
    assert "methodNotSupported" in out


def test_quickstart_runs_a_community_with_revocation():
    out = run(next(p for p in EXAMPLES if p.name == "quickstart.py")).stdout
    assert "a verifier with only the published files: verified=True" in out
    assert "bob's presentation: verified=False, revoked:" in out


@pytest.mark.parametrize("name", ["quickstart.py", "thread.py"])
def test_demo_names_the_wallet_of_each_step_and_cuts_no_line(name):
    out = run(next(p for p in EXAMPLES if p.name == name)).stdout
    lines = out.splitlines()
    commands = [i for i, line in enumerate(lines) if line.startswith("    $ agora")]
    assert len(commands) > 20
    for index in commands:
        assert lines[index - 1].startswith("  [wallet $TMP/"), lines[index - 1]
    # Nothing is shortened with an ellipsis: identifiers and details are whole.
    assert "..." not in out
    # Every file a command writes is explained on a line of its own.
    for index in commands:
        command = lines[index]
        while command.endswith("\\"):
            index += 1
            command = command[:-1] + lines[index].strip()
        if "--out " in command:
            written = command.split("--out ", 1)[1].split()[0]
            explained = [
                line
                for line in lines
                if written in line
                and "$ agora" not in line
                and not line.startswith("        ")
            ]
            assert explained, written


def thread() -> str:
    return run(next(p for p in EXAMPLES if p.name == "thread.py")).stdout


def flat(text: str) -> str:
    """The text on one line: broken commands joined, runs of spaces made one."""
    return " ".join(text.replace(" \\\n", " ").split())


def section(out: str, title: str) -> str:
    """The text of the section with this title, up to the next one."""
    rest = out.split(f"\n{title}\n{'-' * len(title)}\n", 1)[1]
    return re.split(r"\n\n(?=[^\n]+\n-+\n)", rest, maxsplit=1)[0]


def test_thread_fits_88_columns_and_hides_the_temporary_folder():
    out = thread()
    assert [line for line in out.splitlines() if len(line) > 88] == []
    assert "agora-thread-" not in out
    assert "Traceback" not in out


def test_thread_gives_two_people_did_agora_identities_and_exchanges_files():
    out = thread()
    assert out.count("$ agora did create --alias ada --method agora") == 1
    assert out.count("$ agora did create --alias bob --method agora") == 1
    assert "ada's DID, $ADA below: did:agora:" in out
    assert "bob's DID, $BOB below: did:agora:" in out
    # Each signs in their own wallet; the other verifies the file received.
    assert (
        "bob checks it with ada's published log: verified=True, written by $ADA." in out
    )
    assert "ada checks bob's reply: verified=True." in out
    lines = out.splitlines()
    for command, wallet in (
        ("$ agora post create --as ada", "ada"),
        ("$ agora post create --as bob", "bob"),
        ("$ agora post react", "bob"),
        ("$ agora did rotate ada", "ada"),
    ):
        found = [i for i, line in enumerate(lines) if line.strip().startswith(command)]
        assert found, command
        for index in found:
            assert lines[index - 1] == f"  [wallet $TMP/{wallet}]", command
    assert "--reply-to" in out
    assert "--replaces" in out
    assert "--value endorse" in out


def test_thread_rotation_keeps_earlier_posts_verifying_with_a_warning():
    out = flat(thread())
    assert "version 2 of ada's DID" in out
    assert (
        "Her first post, signed before the rotation, still verifies: verified=True, "
        "with a warning: $ADA#key-1 has been rotated out of $ADA since this proof "
        "was made." in out
    )


def test_thread_travels_as_a_bundle_and_as_identical_qr_codes():
    out = flat(thread())
    assert "--log $TMP/ada.jsonl --log $TMP/bob.jsonl --out $TMP/thread.jsonl" in out
    assert "of the 5 signed objects and the 2 DID logs" in out
    codes = re.search(
        r"need (\d+) QR codes, written as ((?:\$TMP/thread-\d\.png,? ?)+)", out
    )
    assert codes is not None
    assert int(codes.group(1)) >= 2
    assert codes.group(2).count("$TMP/thread-") == int(codes.group(1))
    decoded = re.search(r"\$ agora qr decode ((?:\$TMP/thread-\d\.png )+)--out", out)
    assert decoded is not None
    assert decoded.group(1).count(".png") == int(codes.group(1))
    assert "identical to $TMP/thread.jsonl byte for byte (SHA-256 " in out


def test_thread_stranger_verifies_stores_names_and_reads_the_feed():
    part = section(thread(), "carol verifies, keeps and reads the thread")
    text = flat(part)
    assert "verified=True: 5 objects, 0 failed." in text
    assert text.count(", verified") == 5
    assert text.count("signed before ada's rotation") == 2
    assert "5 objects stored (the store verifies each again), 0 rejected." in text
    assert "$ agora contact add Ada $ADA" in text
    assert "$ agora contact add Bob $BOB" in text
    # The feed as a person sees it: a tree, petnames, the edit shown, the
    # reaction counted, replies indented under what they answer.
    feed = part.split("$ agora feed\n", 1)[1].splitlines()
    assert feed[0] == "    1 thread, 3 posts, 0 orphans, 0 ignored objects"
    tree = [line for line in feed if "●" in line or "↳" in line]
    assert tree[0].startswith("    ● Ada · ")
    assert " · edited " in tree[0]
    assert tree[0].endswith(" · endorse 1")
    assert tree[1].startswith("        ↳ Bob · ")
    assert tree[2].startswith("            ↳ Ada · ")
    body = "\n".join(feed)
    assert "The Analytical Engine weaves algebraic patterns" in body
    assert "The Engine weaves algebraic patterns" not in body
    assert "Could it compose music too?" in body
    assert "did:agora:" not in body
    assert "$ADA" not in body


def test_thread_tampered_copy_names_the_line_cid_and_problem():
    out = flat(section(thread(), "A tampered copy"))
    assert "$ agora bundle verify $TMP/tampered.jsonl" in out
    found = re.search(
        r"exit 1, verified=False: 1 of 5 objects failed\. Line (\d+), a Post by "
        r"\$BOB, CID (b[a-z2-7]+): PROOF_VERIFICATION_ERROR: ",
        out,
    )
    assert found is not None
    assert int(found.group(1)) > 3  # after the header and the two logs
    reply = re.search(r"the one bob's reply has \((b[a-z2-7]+)\)", out)
    assert reply is not None
    assert reply.group(1) != found.group(2)
