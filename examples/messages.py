"""Private messages between two members, through a hub that cannot read them.

alice and bob each have a wallet and a did:agora DID, and a hub runs on this
machine (``agora hub serve``, SQLite). alice writes to bob's inbox on the
hub, authenticated encryption (DIDComm v2 authcrypt) proving that she wrote;
bob reads it, with her petname, and replies in the same thread. The demo then
searches the hub's database files for the texts: none is there, only
ciphertext. alice rotates her keys and announces it with a ``from_prior``
signed by her old key: bob's wallet learns her new keys, her next message
reads, and a message under her old key is refused. Last, a stranger with no
wallet leaves an anonymous note (anoncrypt): it reads, and its sender is not
proven. Everything goes through the ``agora`` command, in a temporary
directory, with random passphrases.

Run it with ``make demo``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _demo import Agora, HubProcess, environment, say

INIT = (
    ("init", "--kdf-profile", "test")
    if os.environ.get("AGORA_DEMO_QUICK_KDF") == "1"
    else ("init",)
)
"""How the wallets are made: the test suite runs this demo with the cheap key
derivation (AGORA_DEMO_QUICK_KDF=1), ``make demo`` with the standard one."""

FIRST = "The meeting moves to Thursday, 6 pm, in the map room of the library."
REPLY = "Thursday suits me. I will bring the minutes of the last meeting."
ANNOUNCE = "I have new keys; this message proves they are mine."
AFTER = "My first message under the new keys: see you on Thursday."
ANONYMOUS = "Someone left a box of old punched cards at your door."
PRIVATE = (FIRST, REPLY, ANNOUNCE, AFTER, ANONYMOUS)
"""The texts that travel through the hub, encrypted."""


def heading(title: str) -> None:
    """Print a section title, underlined."""
    print(f"{title}\n{'-' * len(title)}")


def main() -> None:
    """Tell the story of a private conversation through a hub."""
    print("Agora: private messages through a hub\n" + "=" * 37 + "\n")
    with tempfile.TemporaryDirectory(prefix="agora-messages-") as folder:
        root = Path(folder)
        alice = environment(root, "alice")
        bob = environment(root, "bob")
        run = Agora(root, alice)
        with hub(run, root) as url:
            dids = members(run, root, url, alice, bob)
            exchange(run, url, bob, dids["bob"])
            scan(root, PRIVATE[:2], list(dids.values()))
            rotation(run, root, url, bob, dids["bob"])
            anonymous(run, root, url, bob, dids["bob"])
            heading("The hub's files, at the end")
            scan(root, PRIVATE, list(dids.values()), title=False)


@contextmanager
def hub(run: Agora, root: Path) -> Iterator[str]:
    """Run ``agora hub serve`` on a free loopback port until the story ends."""
    heading("A hub on this machine")
    store = root / "hub"
    store.mkdir()
    env = environment(root, "hub")
    del env["AGORA_PASSPHRASE"]  # the hub opens no wallet
    server = HubProcess(
        run, "hub", "--db", f"sqlite:///{store / 'hub.sqlite'}", env=env,
        log=root / "hub.log",
    )  # fmt: skip
    try:
        say(
            f"$HUB below, {server.url}: a hub keeps objects in an SQLite store in "
            "$TMP/hub, and an inbox per DID beside it. It holds no key of "
            "anyone's; its log goes to $TMP/hub.log."
        )
        print()
        yield server.url
    finally:
        server.stop()


def members(
    run: Agora, root: Path, url: str, alice: dict[str, str], bob: dict[str, str]
) -> dict[str, str]:
    """Each makes a wallet and a did:agora DID, and publishes its log on the hub."""
    heading("Two members, two wallets, one hub")
    say(
        "Every command runs with --json (its answer is summed up) unless it shows "
        "what a person reads at a terminal. The line above each command names the "
        "wallet it runs in, unlocked with its own random passphrase "
        "(AGORA_PASSPHRASE)."
    )
    dids = {}
    for name, env in (("alice", alice), ("bob", bob)):
        run(*INIT, env=env)
        made = run("did", "create", "--alias", name, "--method", "agora", env=env)
        variable = "$" + name.upper()
        run.names[made["did"]] = variable
        dids[name] = made["did"]
        say(
            f"{name}'s DID, {variable} below: {made['did']}. Its document lists an "
            "Ed25519 key that signs and an X25519 key that messages are encrypted "
            "to (keyAgreement)."
        )
        log = root / f"{name}.jsonl"
        run("did", "log", "export", name, "--out", str(log), env=env)
        pushed = run("hub", "push", str(log), "--to", url, env=env)
        if not pushed["kept"]:
            raise SystemExit(f"the hub did not keep {name}'s log")
        say(
            f"$TMP/{name}.jsonl: the DID's log, the signed history of its keys, "
            f"which {name} pushes to the hub. The hub checked it and keeps it "
            f"(version {pushed['hubVersion']}): now it resolves {variable}, to "
            f"check that whoever opens {variable}'s inbox holds its key, and "
            "senders find there the keys to encrypt to."
        )
    run("contact", "add", "Alice", dids["alice"], env=bob)
    say(
        "They have met and exchanged DIDs; bob names alice in his wallet (a "
        "petname, Alice), and the messages he reads show that name."
    )
    print()
    return dids


def exchange(run: Agora, url: str, bob: dict[str, str], bob_did: str) -> None:
    """alice writes to bob's inbox; bob reads it and answers in the thread."""
    heading("alice writes, bob answers")
    sent = run(
        "msg", "send", "--as", "alice", "--to", bob_did, "--text", FIRST, "--via", url
    )
    say(
        f"alice's message ({sent['bytes']} bytes, {sent['mode']}) is encrypted to "
        "bob's keyAgreement key with ECDH-1PU, which mixes in alice's own key: only "
        "bob can read it, and it proves alice wrote it. The hub named it "
        f"{sent['inboxId']} in bob's inbox."
    )
    say("bob lists his inbox, as his terminal shows it, and deletes what he read:")
    shown = run.text("msg", "inbox", "--as", "bob", "--hub", url, "--delete", env=bob)
    flat = " ".join(shown.split())
    for expected in ("(1 deleted)", "Alice ($ALICE)", "sender proven"):
        if expected not in flat:
            raise SystemExit(f"bob's inbox does not show: {expected}")
    say(
        "To open his inbox, bob's wallet answered the hub's challenge with a "
        "presentation signed by his DID's key: nobody else can list, read or "
        "delete it. The encryption proves the sender, and bob's wallet names her "
        "by the petname he gave her."
    )
    reply = run(
        "msg", "send", "--as", "bob", "--to", "Alice", "--text", REPLY,
        "--thread", sent["id"], "--via", url, env=bob,
    )  # fmt: skip
    say(
        f"bob answers in the thread of alice's message (--thread {sent['id']}, "
        f"its id, becomes the answer's thid): {reply['bytes']} bytes of "
        "ciphertext in alice's inbox."
    )
    got = run("msg", "read", "--as", "alice", "--from", url)
    [item] = got["items"]
    if item["text"] != REPLY or not item["senderProven"] or item["thid"] != sent["id"]:
        raise SystemExit("alice could not read bob's answer")
    say(
        f"alice reads it: from {run.shorten(item['from'])}, senderProven="
        f'{item["senderProven"]}, thid {item["thid"]}: "{item["text"]}"'
    )
    print()


def scan(
    root: Path, texts: tuple[str, ...], dids: list[str], *, title: bool = True
) -> None:
    """Search every file of the hub's database for the texts sent so far."""
    if title:
        heading("What the hub keeps")
    files = sorted(path for path in (root / "hub").iterdir() if path.is_file())
    data = b"".join(path.read_bytes() for path in files)
    found = [text for text in texts if text.encode() in data]
    if found:
        raise SystemExit(f"the hub's files hold a private text: {found[0]}")
    public = [did for did in dids if did.encode() in data]
    if len(public) != len(dids) or b'"ciphertext"' not in data:
        raise SystemExit("the search of the hub's files does not work")
    say(
        f"The hub's database: {len(files)} files in $TMP/hub (the store, the "
        f"inboxes and the DID logs, with their write-ahead logs), {len(data)} "
        f"bytes. Searched byte for byte for each of the {len(texts)} private "
        f"texts sent through it: found 0 of {len(texts)}. The same search finds "
        f"both DIDs (their logs are public), and {data.count(b'ciphertext')} JWE "
        "ciphertext fields: the inboxes hold only what the hub cannot read."
    )
    print()


def rotation(
    run: Agora, root: Path, url: str, bob: dict[str, str], bob_did: str
) -> None:
    """alice rotates her keys and announces it; bob learns them from the message."""
    heading("alice rotates her keys and tells bob")
    rotated = run("did", "rotate", "alice")
    say(
        f"version {rotated['versionId']} of alice's DID: new signing and "
        "keyAgreement keys; her old ones are out of her DID document. bob's "
        "wallet, and the hub, know version 1 only."
    )
    announced = run(
        "msg", "send", "--as", "alice", "--to", bob_did, "--text", ANNOUNCE,
        "--announce-rotation", "--via", url,
    )  # fmt: skip
    say(
        f"--announce-rotation: the message ({announced['bytes']} bytes) carries a "
        "from_prior, a JWT signed by her version 1 key that vouches for the "
        "rotation, and her new log; it is encrypted with her version 1 "
        "keyAgreement key, the one bob knows."
    )
    shown = run.text("msg", "read", "--as", "bob", "--from", url, env=bob)
    flat = " ".join(shown.split())
    for expected in (ANNOUNCE, "new keys, announced with", "log kept in the wallet"):
        if expected not in flat:
            raise SystemExit(f"bob's reading does not show: {expected}")
    say(
        "bob's wallet checked the from_prior against the log, and kept the log: "
        "it now knows version 2 of alice's DID and her new keys."
    )
    log = root / "alice.jsonl"
    run("did", "log", "export", "alice", "--out", str(log), "--force")
    pushed = run("hub", "push", str(log), "--to", url)
    say(
        f"$TMP/alice.jsonl: alice's log again, now with the rotation (--force "
        f"replaces the file); the hub keeps version {pushed['hubVersion']}. Until "
        "then it would refuse her new key at her inbox (keyNotAuthorized): it "
        "knew only the key she had rotated out."
    )
    run("msg", "send", "--as", "alice", "--to", bob_did, "--text", AFTER, "--via", url)
    say("alice writes again, under her new keys (version 2).")
    print()


def anonymous(run: Agora, root: Path, url: str, bob: dict[str, str], did: str) -> None:
    """A stranger's anonymous note; then bob reads everything in his inbox."""
    heading("An anonymous note, and bob's inbox")
    stranger = environment(root, "stranger")
    stranger.pop("AGORA_PASSPHRASE")
    sent = run(
        "msg", "send", "--anon", "--to", did, "--text", ANONYMOUS, "--via", url,
        env=stranger,
    )  # fmt: skip
    say(
        f"Someone with no wallet at all ($TMP/stranger does not exist) writes to "
        f"bob's DID: anoncrypt (ECDH-ES), {sent['bytes']} bytes, no sender in it. "
        "Its agora found bob's keys in the log the hub keeps, and checked it."
    )
    shown = run.text("msg", "read", "--as", "bob", "--from", url, env=bob, expect=1)
    flat = " ".join(shown.split())
    for expected in (
        AFTER,
        "proven (authcrypt, key $ALICE#agreement-2)",
        "senderKeyNotInDocument",
        ANONYMOUS,
        "not proven: anonymous",
    ):
        if expected not in flat:
            raise SystemExit(f"bob's reading does not show: {expected}")
    say(
        "exit 1, as one message could not be read: alice's announcement, still "
        "in the inbox, is now refused (senderKeyNotInDocument). It was made with "
        "her version 1 key, which her DID no longer lists: whoever holds that old "
        "key cannot write as alice any more. Her new message reads, proven by her "
        "version 2 key. The anonymous note reads too, and bob's wallet says what "
        "it is: the sender is not proven."
    )
    print()


if __name__ == "__main__":
    main()
