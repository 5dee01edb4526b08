"""A thread between two people, carried to a third who verifies it offline.

ada and bob each have a wallet and a did:agora DID. They write a thread (a
post, a reply, an edit, a reaction), sending each other the signed files; ada
rotates her keys midway. The thread then travels to carol's wallet as a bundle
and as QR codes; carol, who has never met them, verifies it, keeps it, names
its authors and reads the feed. Last, a tampered copy of the bundle shows which
object failed and why. Everything goes through the ``agora`` command, in a
temporary directory, with random passphrases.

Run it with ``make demo``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from _demo import Agora, environment, say

FIRST = "The Engine weaves algebraic patterns, as the loom weaves flowers."
EDITED = "The Analytical Engine weaves algebraic patterns as a loom weaves flowers."
REPLY = "Could it compose music too?"
ANSWER = "It might compose elaborate pieces of music of any complexity."
TAMPERED = "Could it compose music too? Send me your keys to find out."


def heading(title: str) -> None:
    """Print a section title, underlined."""
    print(f"{title}\n{'-' * len(title)}")


def main() -> None:
    """Tell the story of one thread, from two wallets to a third."""
    print("Agora: a thread, carried to a stranger\n" + "=" * 38 + "\n")
    with tempfile.TemporaryDirectory(prefix="agora-thread-") as folder:
        root = Path(folder)
        ada = environment(root, "ada")
        bob = environment(root, "bob")
        carol = environment(root, "carol")
        run = Agora(root, ada)
        files = identities(run, root, ada, bob)
        cids = thread(run, root, bob, files)
        bundle = travel(run, root, carol, files)
        read(run, carol, bundle)
        tamper(run, root, carol, bundle, cids)


def identities(
    run: Agora, root: Path, ada: dict[str, str], bob: dict[str, str]
) -> dict[str, Path]:
    """ada and bob each make a wallet and a did:agora DID, and publish its log."""
    heading("Two people, two wallets")
    say(
        "Every command runs with --json; what it answers is summed up. The line "
        "above each command names the wallet it runs in. Each wallet is unlocked "
        "with its own random passphrase (AGORA_PASSPHRASE)."
    )
    logs = {}
    for name, env in (("ada", ada), ("bob", bob)):
        run("init", env=env)
        made = run("did", "create", "--alias", name, "--method", "agora", env=env)
        variable = "$" + name.upper()
        say(
            f"{name}'s DID, {variable} below: {made['did']}, a did:agora DID whose "
            "identifier is the hash of its first log entry."
        )
        run.names[made["did"]] = variable
        log = root / f"{name}.jsonl"
        run("did", "log", "export", name, "--out", str(log), env=env)
        say(
            f"$TMP/{name}.jsonl: {name} publishes the DID's log, signed history of "
            "its keys; with it anyone can resolve the DID offline."
        )
        logs[name] = log
    print()
    return logs


def thread(
    run: Agora,
    root: Path,
    bob: dict[str, str],
    logs: dict[str, Path],
) -> dict[str, str]:
    """A post, a reply, an edit and a reaction; a key rotation; a post after it."""
    heading("A thread: post, reply, edit, reaction")
    cids: dict[str, str] = {}
    post = root / "post.json"
    made = run("post", "create", "--as", "ada", "--text", FIRST, "--out", str(post))
    cids["post"] = made["cid"]
    say(
        f"$TMP/post.json: ada's post, a credential she signed in her wallet. Its "
        f"CID, {made['cid']}, is the hash of its content: every reference to it "
        "names exactly this object. She sends the file to bob (any route will "
        "do: mail, a chat, a USB stick)."
    )
    report = run("post", "verify", str(post), "--log", str(logs["ada"]), env=bob)
    say(
        f"bob checks it with ada's published log: verified={report['verified']}, "
        f"written by {run.shorten(report['object']['author'])}."
    )
    reply = root / "reply.json"
    made = run(
        "post", "create", "--as", "bob", "--text", REPLY,
        "--reply-to", cids["post"], "--out", str(reply), env=bob,
    )  # fmt: skip
    cids["reply"] = made["cid"]
    say("$TMP/reply.json: bob's reply names ada's post by its CID; he sends it to ada.")
    report = run("post", "verify", str(reply), "--log", str(logs["bob"]))
    say(f"ada checks bob's reply: verified={report['verified']}.")
    edit = root / "edit.json"
    made = run(
        "post", "create", "--as", "ada", "--text", EDITED,
        "--replaces", cids["post"], "--out", str(edit),
    )  # fmt: skip
    cids["edit"] = made["cid"]
    say(
        "$TMP/edit.json: ada edits her post. The signed original cannot change; the "
        "edit is a new post that replaces it, and readers show the latest edit by "
        "the same author."
    )
    reaction = root / "reaction.json"
    made = run(
        "post", "react", cids["post"], "--as", "bob", "--value", "endorse",
        "--out", str(reaction), env=bob,
    )  # fmt: skip
    cids["reaction"] = made["cid"]
    say(f"$TMP/reaction.json: bob endorses ada's post ({made['type']}, by its CID).")
    print()

    heading("ada rotates her keys")
    rotated = run("did", "rotate", "ada")
    say(
        f"version {rotated['versionId']} of ada's DID: her pre-committed update "
        f"key takes over and {', '.join(rotated['rotatedOutKeys'])}, the key that "
        "signed her post and edit, is replaced by a new signing key."
    )
    run("did", "log", "export", "ada", "--out", str(logs["ada"]), "--force")
    say("ada publishes her log again, now with the rotation; --force replaces it.")
    answer = root / "answer.json"
    made = run(
        "post", "create", "--as", "ada", "--text", ANSWER,
        "--reply-to", cids["reply"], "--out", str(answer),
    )  # fmt: skip
    cids["answer"] = made["cid"]
    say("$TMP/answer.json: ada answers bob's reply, signed with her new key.")
    report = run("post", "verify", str(post), "--log", str(logs["ada"]), env=bob)
    warning = run.shorten(report["report"]["warnings"][0])
    say(
        f"Her first post, signed before the rotation, still verifies: "
        f"verified={report['verified']}, with a warning: {warning}"
    )
    print()
    return cids


def travel(
    run: Agora,
    root: Path,
    carol: dict[str, str],
    logs: dict[str, Path],
) -> Path:
    """ada packs the thread into a bundle and sends it as QR codes to carol."""
    heading("The thread travels: a bundle, then QR codes")
    bundle = root / "thread.jsonl"
    names = ("post", "reply", "edit", "reaction", "answer")
    packed = run(
        "bundle", "pack", *(str(root / f"{name}.json") for name in names),
        "--log", str(logs["ada"]), "--log", str(logs["bob"]), "--out", str(bundle),
    )  # fmt: skip
    say(
        f"$TMP/thread.jsonl: a bundle, one JSON object a line, of the "
        f"{packed['objects']} signed objects and the {packed['logs']} DID logs a "
        "verifier needs; nothing else is needed to check it."
    )
    image = root / "thread.png"
    encoded = run("qr", "encode", str(bundle), "--out", str(image))
    codes = [Path(name) for name in encoded["files"]]
    shown = ", ".join(run.shorten(str(code)) for code in codes)
    say(
        f"$TMP/thread.png: the {encoded['bytes']} bytes, compressed, need "
        f"{encoded['codes']} QR codes, written as {shown}: ada shows them on her "
        "screen and carol scans them."
    )
    received = root / "received.jsonl"
    decoded = run(
        "qr", "decode", *(str(code) for code in codes), "--out", str(received),
        env=carol,
    )  # fmt: skip
    same = bundle.read_bytes() == received.read_bytes()
    if not same or decoded["sha256"] != encoded["sha256"]:
        raise SystemExit("the bundle read back from the QR codes differs")
    say(
        f"$TMP/received.jsonl: what carol read from the {decoded['images']} "
        f"images, {decoded['bytes']} bytes, identical to $TMP/thread.jsonl "
        f"byte for byte (SHA-256 {decoded['sha256']})."
    )
    print()
    return received


def read(run: Agora, carol: dict[str, str], bundle: Path) -> None:
    """carol verifies the bundle offline, keeps it, names its authors, reads it."""
    heading("carol verifies, keeps and reads the thread")
    report = run("bundle", "verify", str(bundle), env=carol)
    say(
        f"carol has no wallet yet and nothing is fetched: the bundle's own logs "
        f"resolve the authors' DIDs. verified={report['verified']}: "
        f"{report['objects']} objects, {report['failed']} failed. (The "
        "bundle's first lines are its header and the two logs.)"
    )
    for result in report["results"]:
        author = run.shorten(result["author"])
        kind = "/".join(result["types"])
        warnings = [run.shorten(warning) for warning in result["warnings"]]
        if all("has been rotated out" in warning for warning in warnings):
            warnings = ["signed before ada's rotation"] if warnings else []
        note = "".join(f"; warning: {warning}" for warning in warnings)
        say(f"line {result['line']}: {kind} by {author}, verified{note}")
    authors = {result["author"] for result in report["results"]}
    run("init", env=carol)
    stored = run("bundle", "unpack", str(bundle), "--into-store", env=carol)
    say(
        f"carol's wallet and its object store: {stored['stored']} objects stored "
        f"(the store verifies each again), {stored['rejected']} rejected."
    )
    for name, variable in (("Ada", "$ADA"), ("Bob", "$BOB")):
        did = next(did for did in authors if run.names.get(did) == variable)
        run("contact", "add", name, did, env=carol)
    say(
        "carol names the two authors whose DIDs the report gave: from now on the "
        "feed and the other commands that show these DIDs name them Ada and Bob."
    )
    say("The feed, as carol's terminal shows it (agora feed, without --json):")
    shown = run.text("feed", env=carol)
    for expected in (EDITED, REPLY, ANSWER):
        if expected not in shown:
            raise SystemExit(f"the feed does not show: {expected}")
    say(
        "ada's post shows its edit (the first version is kept, not shown) and bob's "
        "endorsement; bob's reply and ada's answer are indented under what they "
        "answer; under each post is the CID of the version shown."
    )
    print()


def tamper(
    run: Agora, root: Path, carol: dict[str, str], bundle: Path, cids: dict[str, str]
) -> None:
    """A copy of the bundle with one post changed fails, and says where and why."""
    heading("A tampered copy")
    tampered = root / "tampered.jsonl"
    lines = bundle.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        item: Any = json.loads(line)
        if item.get("kind") != "credential":
            continue
        subject = item["credential"].get("credentialSubject", {})
        if subject.get("content") == REPLY:
            subject["content"] = TAMPERED
            lines[index] = json.dumps(item, separators=(",", ":")) + "\n"
            break
    else:
        raise SystemExit("bob's reply is not in the bundle")
    tampered.write_text("".join(lines), encoding="utf-8")
    say(
        f"$TMP/tampered.jsonl: a copy of the bundle in which someone changed the "
        f'text of bob\'s reply to "{TAMPERED}"'
    )
    report = run("bundle", "verify", str(tampered), expect=1, env=carol)
    failed = [result for result in report["results"] if not result["verified"]]
    if len(failed) != 1 or failed[0]["cid"] == cids["reply"]:
        raise SystemExit("the tampered copy did not fail as it should")
    for result in failed:
        problem = result["problems"][0]
        say(
            f"exit 1, verified={report['verified']}: {report['failed']} of "
            f"{report['objects']} objects failed. Line {result['line']}, a "
            f"{'/'.join(result['types'])} by {run.shorten(result['author'])}, "
            f"CID {result['cid']}: {problem['code']}: {problem['detail']}"
        )
        say(
            f"Its CID is not the one bob's reply has ({cids['reply']}): a CID "
            "names one content, so a changed object is another object, and its "
            "signature no longer matches. The other objects still verify."
        )
    print()


if __name__ == "__main__":
    main()
