"""Agora quickstart: keys of every type, did:key and did:jwk DIDs, resolution,
signatures, and a credential issued, presented and verified, all offline; then
the same story through the ``agora`` command, with two throwaway wallets.

Run it with ``make demo``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from _demo import Agora, environment, say

import ssi

MESSAGE = b"Hello from Agora: a message signed by a key its owner controls."


def main() -> None:
    """Walk through the foundation of the toolkit and print what happens."""
    print("Agora quickstart\n================\n")
    for key_type in ("Ed25519", "X25519", "P-256", "secp256k1"):
        key = ssi.generate_key(key_type)
        print(f"{key_type} key")
        print(f"  public Multikey  {key.export_multikey()}")
        print(f"  JWK thumbprint   {key.public_key.jwk_thumbprint()}")
        for make in (ssi.did_key, ssi.did_jwk):
            did = make(key)
            result = ssi.resolve(did)
            if not result.ok or result.did_document is None:
                raise SystemExit(f"could not resolve {did}: {result.error}")
            document = result.did_document
            methods = ", ".join(vm.type for vm in document.verification_method)
            relations = [
                name
                for name, entries in (
                    ("assertionMethod", document.assertion_method),
                    ("authentication", document.authentication),
                    ("keyAgreement", document.key_agreement),
                )
                if entries
            ]
            print(f"  {did}")
            print(f"    resolved: {methods}; {', '.join(relations)}")
        if key.algorithm is None:
            print("  (key agreement only: X25519 keys do not sign)\n")
            continue
        signature = key.sign(MESSAGE)
        key.public_key.verify(MESSAGE, signature)
        print(
            f"  signed {len(MESSAGE)} bytes with {key.algorithm}: "
            f"{len(signature)}-byte signature verifies"
        )
        try:
            key.public_key.verify(MESSAGE + b"!", signature)
        except ssi.InvalidSignatureError:
            print("  the same signature over a changed message is refused\n")
        else:
            raise SystemExit("a changed message verified: this must never happen")

    credentials()

    bad = ssi.resolve("did:key:not-base58")
    print(f"Resolving a malformed DID answers with an error code: {bad.error}")
    unknown = ssi.resolve("did:example:123")
    print(f"Resolving an unsupported method: {unknown.error}\n")

    community_wallet()
    community_membership()


def credentials() -> None:
    """Issue a credential, present it, verify both, and show a tampered copy fail."""
    print("Verifiable credentials\n----------------------")
    community = ssi.signer(ssi.generate_key("Ed25519"))
    member = ssi.signer(ssi.generate_key("Ed25519"))
    community_did = community.key_id.split("#")[0]
    member_did = member.key_id.split("#")[0]
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential", "MembershipCredential"],
        "issuer": community_did,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": member_did, "role": "member"},
    }
    for suite in ("eddsa-jcs-2022", "eddsa-rdfc-2022"):
        signed = ssi.issue(credential, community, suite=suite)
        report = ssi.verify(signed)
        checks = ", ".join(check.name for check in report.checks)
        print(f"  {suite}: verified={report.verified} ({checks})")
    tampered = dict(signed, credentialSubject={"id": member_did, "role": "admin"})
    report = ssi.verify(tampered)
    problem = report.problems[0]
    print(
        f"  a tampered copy: verified={report.verified}, {problem.code}: "
        f"{problem.detail}"
    )
    presentation = ssi.present(
        [signed], member, challenge="8f2c", domain="agora.example"
    )
    report = ssi.verify_presentation(
        presentation, challenge="8f2c", domain="agora.example"
    )
    print(f"  presentation with the verifier's challenge: verified={report.verified}")
    report = ssi.verify_presentation(
        presentation, challenge="other", domain="agora.example"
    )
    print(
        f"  replayed to another challenge: verified={report.verified} "
        f"({report.problems[0].error.code})\n"
    )


def community_wallet() -> None:
    """Issue, store, present and verify a credential with the ``agora`` command.

    A community and a member each get a wallet in a temporary directory (the
    member's is ``$AGORA_HOME``, the community's is named with ``--home``),
    unlocked with a random passphrase from ``AGORA_PASSPHRASE``.
    """
    print("The agora command: two wallets, one credential\n" + "-" * 46)
    say(
        "Every command runs with --json; what it answers is summed up. The line "
        "above each command names the wallet it runs in: $AGORA_HOME, or the "
        "one given with --home."
    )
    with tempfile.TemporaryDirectory(prefix="agora-demo-") as folder:
        root = Path(folder)
        run = Agora(root, environment(root, "member"))
        community = ("--home", str(root / "community"))
        say("AGORA_HOME=$TMP/member, AGORA_PASSPHRASE=(random)")
        run(*community, "init")
        run("init")
        say("two wallets, Argon2id (standard profile) + AES-256-GCM")
        issuer = run(*community, "did", "create", "--alias", "community")
        say(f"the community: an {issuer['keyType']} did:{issuer['method']} DID")
        member = run(
            "did", "create", "--alias", "me", "--method", "jwk", "--key-type", "P-256"
        )
        run.names[member["did"]] = "$MEMBER"
        say(f"the member: a {member['keyType']} did:{member['method']} DID, $MEMBER")
        issued = root / "membership.json"
        credential = run(
            *community, "vc", "issue", "--issuer", "community",
            "--subject", member["did"], "--type", "MembershipCredential",
            "--claims", '{"role": "member"}', "--out", str(issued),
        )  # fmt: skip
        say(
            f"issued {credential['id']} ({credential['cryptosuite']}); "
            "$TMP/membership.json holds the signed credential, which the "
            "community hands to the member"
        )
        stored = run("vc", "store", str(issued))
        say(
            f"verified={stored['verified']}, stored as {stored['direction']} in "
            "the member's wallet"
        )
        presentation = root / "presentation.json"
        made = run(
            "vp", "create", "--holder", "me", "--challenge", "8f2c",
            "--domain", "agora.example", "--out", str(presentation), stored["id"],
        )  # fmt: skip
        say(
            f"$TMP/presentation.json holds the member's presentation "
            f"({made['cryptosuite']}), signed for the verifier's challenge 8f2c"
        )
        report = run(
            "vp", "verify", str(presentation), "--challenge", "8f2c",
            "--domain", "agora.example",
        )  # fmt: skip
        say(f"the verifier's answer: verified={report['verified']}")
        print()


def community_membership() -> None:
    """A community admits two members; one presents and is verified; the
    community revokes the other, whose presentation then fails."""
    print("A community with revocable membership\n" + "-" * 37)
    with tempfile.TemporaryDirectory(prefix="agora-demo-") as folder:
        root = Path(folder)
        run = Agora(root, environment(root, "engines"))
        verifier = environment(root, "verifier")
        verifier.pop("AGORA_PASSPHRASE")
        say(
            "Four wallets: the community's ($TMP/engines), ada's, bob's, and a "
            "verifier's that does not exist: the verifier has only the files the "
            "community publishes."
        )
        run("init")
        created = run("community", "create", "Analytical Engines", "--alias", "engines")
        run.names[created["did"]] = "$COMMUNITY"
        say("a did:agora community with revocation and suspension lists")
        log = root / "engines.jsonl"
        lists = root / "engines-status.json"
        members = {}
        for name in ("ada", "bob"):
            member = environment(root, name)
            run("init", env=member)
            did = run("did", "create", "--alias", name, env=member)["did"]
            run.names[did] = "$" + name.upper()
            signed = run(
                "community",
                "admit",
                "engines",
                did,
                "--out",
                str(root / f"{name}.json"),
            )
            say(
                f"{name} admitted: {signed['id']} with two status entries; "
                f"$TMP/{name}.json holds {name}'s membership credential"
            )
            members[name] = (member, signed["id"])

        def present(name: str, expect: int) -> Any:
            member, _ = members[name]
            card = root / f"{name}-vp.json"
            run(
                "vp", "create", "--holder", name, "--challenge", f"{name}-c",
                "--out", str(card), str(root / f"{name}.json"), env=member,
            )  # fmt: skip
            say(f"$TMP/{name}-vp.json: {name}'s presentation for the challenge")
            run("did", "log", "export", "engines", "--out", str(log), "--force")
            run(
                "community", "status-list", "engines", "--out", str(lists),
                "--force",
            )  # fmt: skip
            say(
                "the community publishes $TMP/engines.jsonl (its DID's log, to "
                "resolve its did:agora DID) and $TMP/engines-status.json and "
                "$TMP/engines-status-suspension.json (its signed status lists); "
                "--force replaces the copies published before"
            )
            suspension = lists.with_name("engines-status-suspension.json")
            return run(
                "vp", "verify", str(card), "--challenge", f"{name}-c", "--no-domain",
                "--log", str(log), "--status-list", str(lists),
                "--status-list", str(suspension),
                expect=expect, env=verifier,
            )  # fmt: skip

        report = present("ada", 0)
        verified = report["verified"]
        say(f"a verifier with only the published files: verified={verified}")
        run("community", "revoke", "engines", members["bob"][1])
        say("the community revokes bob's membership and re-signs its list")
        report = present("bob", 1)
        problem = report["credentials"][0]["problems"][0]
        say(
            f"bob's presentation: verified={report['verified']}, "
            f"{problem['errorCode']}: {problem['detail']}"
        )
        print()


if __name__ == "__main__":
    main()
