"""Agora: the life of a community that governs itself.

Three stewards create a community whose DID needs two of their three
signatures; five members are admitted; the members ratify their constitution
by vote; a proposal is signalled, opened, voted on (with a delegation, a
changed vote and a ballot from a member revoked before the close), tallied and
recounted by an outsider from one file; an amendment with 60 % support fails
its 2/3 rule, a second one passes, and constitution version 2 is in force.
Then the members elect five moderators, whose mandates the stewards issue; a
post is reported as spam, two of the three moderators drawn by lot label it
and the feed hides it, while a label by a moderator outside the panel and
one by a moderator whose mandate has expired do not count; the author
appeals, the appeal panel (which shares no one with the first) overturns,
and the post returns to the feed. Every step is a signed object and every
result can be recounted offline. Last, the community's objects go to a hub,
a second hub copies the first, and a newcomer reads the feed, a proposal and
its tally from the second hub and recounts it.

Run it with ``make demo``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _demo import Agora, HubProcess, environment, say

from ssi.cid import object_cid
from ssi.social import Panels, draw_panels

EXAMPLE = Path(__file__).resolve().parent / "constitution.toml"
INIT = (
    ("init", "--kdf-profile", "test")
    if os.environ.get("AGORA_DEMO_QUICK_KDF") == "1"
    else ("init",)
)
"""How the wallets are made: the test suite runs this demo with the cheap key
derivation (AGORA_DEMO_QUICK_KDF=1), ``make demo`` with the standard one."""
STEWARDS = ("ada", "bob", "cy")
FOUNDERS = ("ada", "bob", "cy", "dee", "eve")
MODERATORS = ("ada", "bob", "cy", "dee", "fay")
"""The candidates the members elect; gus stands too and is not elected."""
REPORTER = "ada"
"""Who reports the post: a moderator, so the draw skips her."""
LABEL = "spam"
OFFER = (
    "Brass gears, hand-cut for difference engines: 20 % off for members this "
    "week, see gus-gears.example"
)


def heading(title: str) -> None:
    """Print a section title, underlined."""
    print(f"{title}\n{'-' * len(title)}")


def stamp(moment: datetime) -> str:
    """An RFC 3339 time, to the second, in UTC."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Life:
    """The people, their wallets and the files they exchange."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.envs = {n: environment(root, n) for n in (*FOUNDERS, "fay", "gus")}
        self.run = Agora(root, self.envs["ada"])
        self.dids: dict[str, str] = {}
        self.memberships: dict[str, Path] = {}
        self.community = ""
        self.log = root / "engines.jsonl"
        self.status = root / "status.json"
        self.status_versions: list[Path] = []
        self.constitution: Path | None = None
        self.mandates: dict[str, Path] = {}
        self.case_files: list[Path] = []
        self.short_term = ""
        """The moderator whose first mandate ends on day 17."""
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        self.day0 = start + timedelta(hours=1)

    def day(self, number: float) -> str:
        """A time on the demo's timeline: ``number`` days after it starts."""
        return stamp(self.day0 + timedelta(days=number))

    def file(self, name: str) -> Path:
        return self.root / name

    def __call__(self, who: str, *args: str, expect: int = 0) -> object:
        return self.run(*args, env=self.envs[who], expect=expect)


def main() -> None:
    """Tell the community's story, from three stewards to its second constitution."""
    print("Agora: a community governs itself\n" + "=" * 33 + "\n")
    with tempfile.TemporaryDirectory(prefix="agora-community-") as folder:
        life = Life(Path(folder))
        stewards(life)
        members(life)
        ratify(life)
        meeting = decide(life)
        recount(life, meeting)
        amend(life)
        moderate(life)
        on_hubs(life)


def stewards(life: Life) -> None:
    """ada, bob and cy make steward keys; ada creates the community, 2 of 3."""
    heading("Three stewards, two signatures")
    say(
        "No single founder holds the community's authority: its did:agora DID is "
        "controlled by three stewards, each with their own wallet, and every entry "
        "of its log and every credential it issues needs two of their signatures."
    )
    packages = {}
    for name in STEWARDS:
        life(name, *INIT)
        out = life.file(f"{name}-steward.json")
        life(name, "community", "steward-key", "--as", name, "--out", str(out))
        packages[name] = out
    say(
        "$TMP/ada-steward.json, $TMP/bob-steward.json, $TMP/cy-steward.json: each "
        "steward's public package (an update key, a hash committing to the next "
        "one, an assertion key); the private keys stay in their wallets."
    )
    entry = life.file("engines-1.json")
    made = life(
        "ada", "community", "create", "Analytical Engines", "--alias", "engines",
        "--as", "ada", "--steward", str(packages["bob"]), "--steward",
        str(packages["cy"]), "--threshold", "2", "--out", str(entry),
    )  # fmt: skip
    assert isinstance(made, dict)
    life.community = str(made["did"])
    life.run.names[life.community] = "$ENGINES"
    say(
        f"$TMP/engines-1.json: the first entry of the community's log, signed by "
        f"ada alone. The community's DID, $ENGINES below: {life.community}."
    )
    done = life(
        "bob", "community", "cosign", str(entry), "--as", "bob", "--out", str(life.log)
    )
    assert isinstance(done, dict)
    say(
        f"$TMP/engines.jsonl: bob adds his proof; {done['proofs']} proofs meet "
        f"the threshold of {done['threshold']}, the entry is complete, and this "
        "file is the community's log, which anyone can resolve the DID from."
    )
    for name in ("ada", "cy"):
        life(name, "did", "log", "import", str(life.log))
    say("ada and cy import the completed log into their wallets.")
    print()


def members(life: Life) -> None:
    """Five founders make their DIDs; ada admits each and cy cosigns."""
    heading("Five members")
    for name in FOUNDERS:
        if name not in STEWARDS:
            life(name, *INIT)
        made = life(name, "did", "create", "--alias", name)
        assert isinstance(made, dict)
        life.dids[name] = str(made["did"])
        life.run.names[life.dids[name]] = "$" + name.upper()
    say(
        "ada, bob, cy, dee and eve each create a did:key DID in their own wallet "
        "($ADA to $EVE below) and give it to the stewards."
    )
    for name in FOUNDERS:
        admit(life, name)
    say(
        "$TMP/member-ada.json to $TMP/member-eve.json: five memberships. ada "
        "issues each with her steward key (the -1 files), cy cosigns it: two "
        "steward proofs."
    )
    publish_status(life)
    checked = life("fay", "vc", "verify", str(life.memberships["dee"]), "--log",
                   str(life.log), *status_args(life))  # fmt: skip
    assert isinstance(checked, dict)
    say(
        f"Anyone checks dee's membership with the log and the status lists: "
        f"verified={checked['verified']}."
    )
    half = life("fay", "vc", "verify", str(life.file("member-dee-1.json")), "--log",
                str(life.log), *status_args(life), expect=1)  # fmt: skip
    assert isinstance(half, dict)
    problems = [p["errorCode"] for p in half["problems"]]
    say(
        f"The same membership with ada's proof alone: verified={half['verified']} "
        f"({', '.join(problems)}): one steward cannot admit anyone."
    )
    print()


def status_args(life: Life) -> tuple[str, ...]:
    """The options that give every version of the community's status lists:
    a tally judges each member's status at the times that matter (a proposal,
    a signal, the close), not only by the newest list."""
    return tuple(
        arg for path in life.status_versions for arg in ("--status-list", str(path))
    )


def admit(life: Life, name: str, *since: str) -> None:
    """ada admits ``name`` with one steward proof; cy adds the second."""
    first = life.file(f"member-{name}-1.json")
    life("ada", "community", "admit", "engines", life.dids[name], *since, "--out",
         str(first))  # fmt: skip
    final = life.file(f"member-{name}.json")
    life("cy", "community", "cosign", str(first), "--as", "cy", "--out", str(final))
    life.memberships[name] = final


def publish_status(life: Life) -> None:
    """ada signs the status lists; bob cosigns each one that changed."""
    life("ada", "community", "status-list", "engines", "--out", str(life.status),
         "--force")  # fmt: skip
    suspension = life.status.with_name("status-suspension.json")
    written = []
    for path, kind in ((life.status, "revocation"), (suspension, "suspension")):
        versions = [p for p in life.status_versions if f"-{kind}-" in p.name]
        if versions and _unsigned(versions[-1]) == _unsigned(path):
            continue
        kept = life.file(f"status-{kind}-{len(versions) + 1}.json")
        life("bob", "community", "cosign", str(path), "--as", "bob", "--out",
             str(kept))  # fmt: skip
        life.status_versions.append(kept)
        written.append(f"$TMP/{kept.name}")
    say(
        f"{' and '.join(written)}: the community's status lists as they stand, "
        "signed by ada and cosigned by bob. Every version is kept and travels "
        "with the votes: a tally judges status as of the times that matter."
    )


def _unsigned(path: Path) -> dict[str, object]:
    """A status list credential without its proofs."""
    document = json.loads(path.read_text(encoding="utf-8"))
    document.pop("proof", None)
    return dict(document)


def ratify(life: Life) -> None:
    """The founders ratify the genesis constitution under its own amendment rule."""
    heading("The founders ratify their constitution")
    rules = life.file("rules.json")
    life("ada", "constitution", "draft", life.community, "--from", str(EXAMPLE),
         "--out", str(rules))  # fmt: skip
    say(
        "$TMP/rules.json: the rules of examples/constitution.toml, checked and "
        "written as JSON: who may propose, 3 signals before a vote opens, votes of "
        "2 to 14 days, amendments by plurality needing a quorum of 1/2 and at "
        "least 2/3 yes, delegation and revoting allowed, the moderation settings."
    )
    say(
        "Every act below is dated with --at on a timeline that starts today: the "
        "demo plays three weeks of the community's life in a minute, and a tally "
        "judges each input by the time it claims, as of the vote's close."
    )
    tally, _ = vote(
        life, "genesis", kind="amendment", title="Ratify our constitution",
        extra=("--amendment", str(rules)), method="plurality", opens=0.1, closes=3,
        ballots={"ada": "yes", "bob": "yes", "cy": "yes", "dee": "yes", "eve": "no"},
        proposer="dee", constitution=None,
    )  # fmt: skip
    adopt(life, tally, "genesis", version=1, at=3.05)
    print()


def vote(
    life: Life,
    name: str,
    *,
    kind: str,
    title: str,
    extra: tuple[str, ...],
    method: str,
    opens: float,
    closes: float,
    ballots: dict[str, str],
    proposer: str,
    constitution: str | None,
    passes: bool = True,
    option: str = "--choice",
    show: bool = True,
) -> tuple[Path, Path]:
    """A proposal, three signals, the ballots, a bundle and a tally by eve."""
    proposal = life.file(f"{name}-proposal.json")
    cited = ("--constitution", constitution) if constitution else ()
    made = life(
        proposer, "proposal", "create", "--as", proposer, "--community",
        life.community, "--kind", kind, "--title", title, *extra, "--method",
        method, "--opens", life.day(opens), "--closes", life.day(closes), *cited,
        "--out", str(proposal),
    )  # fmt: skip
    assert isinstance(made, dict)
    cid = str(made["cid"])
    say(f"$TMP/{name}-proposal.json: {proposer}'s proposal {cid}.")
    files = [proposal]
    for signer in ("ada", "bob", "cy"):
        signal = life.file(f"{name}-signal-{signer}.json")
        life(signer, "proposal", "signal", str(proposal), "--as", signer, "--out",
             str(signal))  # fmt: skip
        files.append(signal)
    say(
        f"$TMP/{name}-signal-ada.json, -bob.json, -cy.json: three members signal "
        "support before the vote opens, as the constitution requires."
    )
    for voter, choice in ballots.items():
        ballot = life.file(f"{name}-ballot-{voter}.json")
        life(voter, "vote", str(proposal), "--as", voter, option, choice, "--at",
             life.day(opens + 1), "--out", str(ballot))  # fmt: skip
        files.append(ballot)
    say(f"$TMP/{name}-ballot-*.json: the ballots, each signed by its voter.")
    return finish(life, name, cid, files, passes=passes, show=show)


def finish(
    life: Life,
    name: str,
    cid: str,
    files: list[Path],
    *,
    passes: bool = True,
    show: bool = True,
) -> tuple[Path, Path]:
    """Pack the vote with what verifies it, and have eve tally it."""
    bundle = life.file(f"{name}.jsonl")
    if life.constitution is not None:
        files = [*files, life.constitution]
    memberships = [
        arg for path in life.memberships.values() for arg in ("--membership", str(path))
    ]
    life("eve", "bundle", "pack", *map(str, files), *memberships, "--log",
         str(life.log), *status_args(life), "--out", str(bundle),
         "--force")  # fmt: skip
    say(
        f"$TMP/{name}.jsonl: one bundle with the proposal, signals and ballots, "
        "the constitution it is counted under, every membership of the "
        "community, its status lists and its log."
    )
    tally = life.file(f"{name}-tally.json")
    life("eve", "tally", "compute", cid, "--bundle", str(bundle), "--sign-as", "eve",
         "--out", str(tally), expect=0 if passes else 1)  # fmt: skip
    result = json.loads(tally.read_text(encoding="utf-8"))["credentialSubject"]
    say(
        f"$TMP/{name}-tally.json: eve counts the vote and signs the result: "
        f"passed={result['result']['passed']}."
    )
    if show:
        life.run.text("tally", "show", str(tally), env=life.envs["eve"])
    return tally, bundle


def adopt(life: Life, tally: Path, name: str, *, version: int, at: float) -> None:
    """ada issues the constitution the passed amendment yields; bob cosigns."""
    first = life.file(f"constitution-v{version}-1.json")
    life("ada", "constitution", "adopt", str(tally), "--as", "engines", "--bundle",
         str(life.file(f"{name}.jsonl")), "--at", life.day(at), "--out",
         str(first))  # fmt: skip
    final = life.file(f"constitution-v{version}.json")
    life("bob", "community", "cosign", str(first), "--as", "bob", "--out",
         str(final))  # fmt: skip
    life.constitution = final
    made = json.loads(final.read_text(encoding="utf-8"))
    say(
        f"$TMP/constitution-v{version}.json: the community issues constitution "
        f"version {version}, ratifiedBy the tally, recounted first; ada signs, bob "
        f"cosigns ({len(made['proof'])} steward proofs)."
    )


def cid_of(path: Path) -> str:
    """The CID of the signed object in ``path``."""
    return object_cid(json.loads(path.read_text(encoding="utf-8")))


def decide(life: Life) -> tuple[Path, Path]:
    """An ordinary decision under constitution v1: delegation, a changed vote,
    a ballot from a member revoked before the close; counted by Schulze."""
    heading("A decision: where shall we meet?")
    assert life.constitution is not None
    v1 = cid_of(life.constitution)
    delegation = life.file("meeting-delegation-dee.json")
    life("dee", "delegate", "--as", "dee", "--to", life.dids["bob"], "--community",
         life.community, "--at", life.day(3.5), "--out", str(delegation))  # fmt: skip
    say(
        "$TMP/meeting-delegation-dee.json: dee, often away, delegates her vote to "
        "bob for every decision; a ballot of her own would override it."
    )
    proposal = life.file("meeting-proposal.json")
    made = life(
        "ada", "proposal", "create", "--as", "ada", "--community", life.community,
        "--kind", "ordinary", "--title", "Where shall we meet?", "--option",
        "lib=The library", "--option", "park=The park", "--option", "pub=The pub",
        "--method", "schulze", "--opens", life.day(4), "--closes", life.day(7),
        "--constitution", v1, "--out", str(proposal),
    )  # fmt: skip
    assert isinstance(made, dict)
    cid = str(made["cid"])
    say(
        f"$TMP/meeting-proposal.json: ada proposes three places, ranked by the "
        f"Schulze method, under constitution version 1 ({v1})."
    )
    files = [proposal, delegation]
    for signer in ("ada", "bob", "cy"):
        signal = life.file(f"meeting-signal-{signer}.json")
        life(signer, "proposal", "signal", str(proposal), "--as", signer, "--out",
             str(signal))  # fmt: skip
        files.append(signal)
    say("$TMP/meeting-signal-*.json: three signals before the vote opens.")
    eve = json.loads(life.memberships["eve"].read_text(encoding="utf-8"))
    life("ada", "community", "revoke", "engines", str(eve["id"]), "--at",
         life.day(4.5))  # fmt: skip
    publish_status(life)
    say(
        "The stewards revoke eve's membership on day 4.5, before the vote closes "
        "(she sold her account): the re-signed lists take effect then."
    )
    rankings = (
        ("ada", "lib,park,pub", 5),
        ("bob", "park,lib,pub", 5),
        ("cy", "pub,park,lib", 5),
        ("eve", "pub,lib,park", 5),
        ("cy", "park,pub,lib", 6),
    )
    for index, (voter, ranking, day) in enumerate(rankings):
        ballot = life.file(f"meeting-ballot-{index}-{voter}.json")
        life(voter, "vote", str(proposal), "--as", voter, "--rank", ranking, "--at",
             life.day(day), "--out", str(ballot))  # fmt: skip
        files.append(ballot)
    say(
        "$TMP/meeting-ballot-*.json: rankings, best first. cy votes on day 5, then "
        "changes her mind on day 6: the constitution allows revoting, so her "
        "latest ballot before the close counts. eve votes too, though revoked."
    )
    return finish(life, "meeting", cid, files)


def recount(life: Life, meeting: tuple[Path, Path]) -> None:
    """An outsider, with no wallet, recounts the tally from the bundle."""
    heading("An outsider recounts")
    tally, bundle = meeting
    outsider = environment(life.root, "olga")
    life.run.text("tally", "verify", str(tally), "--bundle", str(bundle), env=outsider)
    say(
        "olga, who is not a member and has no wallet, recounts the vote from "
        "$TMP/meeting.jsonl alone: every signature, membership and status, the "
        "delegation, the count and the Merkle root of the counted ballots match."
    )
    counted = json.loads(tally.read_text(encoding="utf-8"))["credentialSubject"]
    ada_ballot = cid_of(life.file("meeting-ballot-0-ada.json"))
    proof = life.run("tally", "proof", str(tally), ada_ballot, env=outsider)
    assert isinstance(proof, dict)
    say(
        f"ada asks for proof that her ballot was counted: leaf "
        f"{proof['proof']['index'] + 1} of {proof['proof']['size']} under the root "
        f"{counted['ballotRoot']}, verified={proof['verified']}."
    )
    forged = json.loads(tally.read_text(encoding="utf-8"))
    forged["credentialSubject"]["result"]["count"]["winners"] = ["pub"]
    fake = life.file("meeting-tally-forged.json")
    fake.write_text(json.dumps(forged), encoding="utf-8")
    report = life.run("tally", "verify", str(fake), "--bundle", str(bundle),
                      env=outsider, expect=1)  # fmt: skip
    assert isinstance(report, dict)
    differences = "; ".join(
        f"{d['path']}: expected {json.dumps(d['expected'])}, found "
        f"{json.dumps(d['found'])}"
        for d in report["differences"]
    )
    say(
        f"$TMP/meeting-tally-forged.json: a copy of the tally that names the pub "
        f"as winner. The recount catches it: verified={report['verified']}, "
        f"{differences}."
    )
    print()


def amend(life: Life) -> None:
    """fay joins; an amendment with 60 % support fails its 2/3 rule; another
    one passes and constitution version 2 is in force."""
    heading("Two amendments")
    life("fay", *INIT)
    made = life("fay", "did", "create", "--alias", "fay")
    assert isinstance(made, dict)
    life.dids["fay"] = str(made["did"])
    life.run.names[life.dids["fay"]] = "$FAY"
    admit(life, "fay", "--valid-from", life.day(7.5))
    say(
        "fay joins on day 7.5: $TMP/member-fay.json, issued by ada and cosigned "
        "by cy, valid from then (a recount of the earlier votes does not count "
        "her)."
    )
    assert life.constitution is not None
    v1 = cid_of(life.constitution)
    text = EXAMPLE.read_text(encoding="utf-8")
    longer = life.file("longer-votes.toml")
    longer.write_text(text.replace('min = "P2D"', 'min = "P3D"'), encoding="utf-8")
    labelled = life.file("harassment-label.toml")
    labelled.write_text(
        text + '\n[[moderation.labels]]\nvalue = "harassment"\naction = "hide"\n',
        encoding="utf-8",
    )
    say(
        "Two amendments, each the full text of a new constitution: "
        "$TMP/longer-votes.toml (votes of at least three days) and "
        "$TMP/harassment-label.toml (a new moderation label that hides posts)."
    )
    vote(
        life, "longer-votes", kind="amendment", title="Votes of at least three days",
        extra=("--amendment", str(longer)), method="plurality", opens=8, closes=11,
        ballots={"ada": "yes", "bob": "yes", "cy": "yes", "dee": "no", "fay": "no"},
        proposer="bob", constitution=v1, passes=False,
    )  # fmt: skip
    say(
        "3 yes of 5: 60 % support, under the 2/3 an amendment needs. It fails; "
        "eve's revoked membership does not count; dee voted herself, so her "
        "delegation to bob carried nothing."
    )
    tally, _ = vote(
        life, "harassment-label", kind="amendment", title="A label for harassment",
        extra=("--amendment", str(labelled)), method="plurality", opens=8, closes=11,
        ballots={"ada": "yes", "bob": "yes", "cy": "yes", "dee": "yes", "fay": "no"},
        proposer="cy", constitution=v1,
    )  # fmt: skip
    adopt(life, tally, "harassment-label", version=2, at=11.05)
    life.run.text("constitution", "show", str(life.constitution), env=life.envs["ada"])
    in_force(life)
    print()


def in_force(life: Life) -> None:
    """Which version is in force, from the evidence alone."""
    history = life.file("history.jsonl")
    records = [
        life.file(name)
        for name in (
            "constitution-v1.json",
            "constitution-v2.json",
            "genesis-tally.json",
            "longer-votes-tally.json",
            "harassment-label-tally.json",
        )
    ]
    memberships = [
        arg for path in life.memberships.values() for arg in ("--membership", str(path))
    ]
    life("eve", "bundle", "pack", *map(str, records), *memberships, "--log",
         str(life.log), *status_args(life), "--out", str(history))  # fmt: skip
    say(
        "$TMP/history.jsonl: the constitutions and the tallies, packed with what "
        "verifies them."
    )
    outsider = environment(life.root, "olga")
    life.run.text(
        "constitution", "in-force", life.community, "--bundle", str(history),
        "--bundle", str(life.file("genesis.jsonl")), "--bundle",
        str(life.file("harassment-label.jsonl")), "--at", life.day(12), env=outsider,
    )  # fmt: skip
    say(
        "On day 12 olga asks which constitution is in force, from the files "
        "alone: each version is issued by the community with two steward "
        "proofs, cites a tally of a passed amendment proposing exactly its "
        "rules, under the version it replaces, takes effect after that vote "
        "closed, and every tally recounts from the votes in the bundles. Version "
        "2 is in force."
    )


# --- Moderation -------------------------------------------------------------------


def moderate(life: Life) -> None:
    """Five moderators elected and mandated; a post reported, labelled by two
    of its panel and hidden; the author appeals and it is back."""
    tally = elect(life)
    post = life.file("gears-post.json")
    made = life("gus", "post", "create", "--as", "gus", "--community",
                life.community, "--text", OFFER, "--out", str(post))  # fmt: skip
    post_cid = str(made["cid"])
    say(f"$TMP/gears-post.json: gus posts an offer in the community ({post_cid}).")
    cast = draw(life, post_cid, tally)
    mandates(life, tally, short=cast.panel[2])
    print()
    labelled(life, post, cast)
    appealed(life, post, cast)


def elect(life: Life) -> Path:
    """gus joins; the members elect five moderators by proportional approval."""
    heading("Five moderators")
    life("gus", *INIT)
    made = life("gus", "did", "create", "--alias", "gus")
    life.dids["gus"] = str(made["did"])
    life.run.names[life.dids["gus"]] = "$GUS"
    admit(life, "gus", "--valid-from", life.day(12))
    say("gus, who cuts gears for a living, joins on day 12: $TMP/member-gus.json.")
    assert life.constitution is not None
    v2 = cid_of(life.constitution)
    candidates = tuple(
        arg for name in (*MODERATORS, "gus") for arg in ("--candidate", life.dids[name])
    )
    approved = ",".join(life.dids[name] for name in MODERATORS)
    tally, _ = vote(
        life, "moderators", kind="election", title="Five moderators",
        extra=(*candidates, "--seats", "5"), method="pav", opens=12.5, closes=14.5,
        ballots={"ada": approved, "bob": approved, "cy": approved}, proposer="bob",
        constitution=v2, option="--approve", show=False,
    )  # fmt: skip
    winners = elected(tally)
    assert set(winners) == {life.dids[name] for name in MODERATORS}, winners
    say(
        "Six candidates for five seats, counted by proportional approval voting "
        "under constitution version 2: ada, bob, cy, dee and fay are elected, "
        "gus is not."
    )
    return tally


def elected(tally: Path) -> list[str]:
    """The winners a tally names."""
    result = json.loads(tally.read_text(encoding="utf-8"))["credentialSubject"]
    return [str(did) for did in result["result"]["count"]["winners"]]


def draw(life: Life, post_cid: str, tally: Path) -> Panels:
    """The panels of the case (gus's post, spam), drawn as anyone can."""
    assert life.constitution is not None
    rules = json.loads(life.constitution.read_text(encoding="utf-8"))
    moderation = rules["credentialSubject"]["rules"]["moderation"]
    cast = draw_panels(
        post_cid,
        LABEL,
        elected(tally),
        size=moderation["panelSize"],
        appeal_size=moderation["appealPanelSize"],
        skip=(life.dids[REPORTER], life.dids["gus"]),
    )
    assert (len(cast.panel), len(cast.appeal_panel)) == (3, 1), cast
    return cast


def name_of(life: Life, did: str) -> str:
    """The demo's name for one of its DIDs."""
    return next(name for name, known in life.dids.items() if known == did)


def mandates(life: Life, tally: Path, *, short: str) -> None:
    """ada issues each winner's mandate for the community, bob cosigns; one
    moderator serves a short term."""
    shortly = name_of(life, short)
    life.short_term = shortly
    life.mandates = {}
    for name in MODERATORS:
        first = life.file(f"mandate-{name}-1.json")
        term = ("--until", life.day(17)) if name == shortly else ("--term", "P90D")
        life("ada", "mandate", "issue", "engines", life.dids[name], "--election",
             str(tally), "--valid-from", life.day(14.6), *term, "--out",
             str(first))  # fmt: skip
        final = life.file(f"mandate-{name}.json")
        life("bob", "community", "cosign", str(first), "--as", "bob", "--out",
             str(final))  # fmt: skip
        life.mandates[name] = final
    say(
        "$TMP/mandate-ada.json to $TMP/mandate-fay.json: the community's "
        "mandates, issued by ada with her steward key and cosigned by bob. Each "
        "cites the election's tally and runs from day 14.6, after the vote "
        f"closed, for the 90 days the constitution allows; {shortly} asked for "
        "a short first term, to day 17."
    )
    life.run.text("mandate", "show", str(life.mandates[shortly]),
                  env=life.envs["ada"])  # fmt: skip


def labelled(life: Life, post: Path, cast: Panels) -> None:
    """The report, the panel's labels, the labels that do not count, the
    case and the feed that hides the post."""
    heading("A post reported as spam")
    report = life.file("report.json")
    life(REPORTER, "moderation", "report", str(post), "--community", life.community,
         "--label", LABEL, "--reason", "An advert for a shop", "--as", REPORTER,
         "--at", life.day(16), "--out", str(report))  # fmt: skip
    first, second, late = (name_of(life, did) for did in cast.panel)
    say(
        f"$TMP/report.json: {REPORTER} reports the post as spam on day 16, which "
        "opens the case. Its panel is drawn by lot among the moderators whose "
        "mandates are valid then: the lowest SHA-256 of 'post CID|spam|DID', "
        f"skipping the reporter ({REPORTER}) and the author. The panel is "
        f"{first}, {second} and {late}; the appeal panel, the next in the same "
        f"order, is {name_of(life, cast.appeal_panel[0])}."
    )
    files = [post, report]
    acts = (
        (REPORTER, 16.1, "An advert, as I reported"),
        (first, 16.3, "Advertises a shop; not about building engines"),
        (second, 16.5, "A commercial offer with a link"),
        (late, 17.5, "Spam"),
    )
    for name, day, reason in acts:
        label = life.file(f"label-{name}.json")
        life(name, "moderation", "label", str(post), "--community", life.community,
             "--label", LABEL, "--reason", reason, "--as", name, "--at",
             life.day(day), "--out", str(label))  # fmt: skip
        files.append(label)
    say(
        f"$TMP/label-*.json: four moderators label it. {first} and {second}, on "
        f"the panel, agree: 2 of 3, the constitution's agreement, so the label "
        f"takes effect on day 16.5. {REPORTER} labels too, but she reported the "
        f"case and is not on its panel; {late} is on the panel but labels on day "
        f"17.5, after {late}'s mandate ended."
    )
    case = life.file("case.jsonl")
    life.case_files = [case]
    pack(life, [*files, *life.mandates.values(), life.file("moderators-tally.json")],
         case)  # fmt: skip
    say(
        "$TMP/case.jsonl: the post, the report, the labels, the mandates and the "
        "election's tally, packed with what verifies them."
    )
    outsider = environment(life.root, "olga")
    life.run.text("moderation", "case", str(post), "--label", LABEL, "--community",
                  life.community, *evidence(life), "--at", life.day(18),
                  env=outsider, columns=76)  # fmt: skip
    say(
        "olga, with no wallet, reads the case on day 18 from the files: the "
        "draw, each label and whether it counts, and the decision."
    )
    life.run.text("mandate", "verify", str(life.mandates[late]), *evidence(life),
                  "--at", life.day(17.5), env=outsider, expect=1)  # fmt: skip
    feed(life, post, at=18, hidden=True)
    print()


def appealed(life: Life, post: Path, cast: Panels) -> None:
    """gus appeals; the appeal panel overturns; the post is back."""
    heading("An appeal")
    appeal = life.file("appeal.json")
    life("gus", "moderation", "appeal", str(post), "--community", life.community,
         "--label", LABEL, "--reason", "I cut these gears myself, for members who "
         "build engines; the preamble welcomes builders", "--as", "gus", "--at",
         life.day(18.5), "--out", str(appeal))  # fmt: skip
    judge = name_of(life, cast.appeal_panel[0])
    say(
        "$TMP/appeal.json: gus, the post's author, appeals on day 18.5. The "
        f"appeal panel is {judge}, who sat on no panel of the case."
    )
    verdict = life.file("verdict.json")
    life(judge, "moderation", "verdict", str(appeal), "--community",
         life.community, "--overturn", "--reason", "A member's own work, on "
         "topic", "--as", judge, "--at", life.day(19), "--out",
         str(verdict))  # fmt: skip
    bundle = life.file("appeal.jsonl")
    pack(life, [appeal, verdict], bundle)
    life.case_files.append(bundle)
    say(
        f"$TMP/verdict.json: {judge} overturns the label on day 19: 1 of the "
        "appeal panel of 1, more than half. $TMP/appeal.jsonl carries the "
        "appeal and the verdict."
    )
    outsider = environment(life.root, "olga")
    life.run.text("moderation", "log", "--community", life.community,
                  *evidence(life), "--at", life.day(20), env=outsider,
                  columns=76)  # fmt: skip
    feed(life, post, at=20, hidden=False)
    print()


def pack(life: Life, files: list[Path], bundle: Path) -> None:
    """Pack moderation objects with every membership, the log and the lists."""
    memberships = [
        arg for path in life.memberships.values() for arg in ("--membership", str(path))
    ]
    life("eve", "bundle", "pack", *map(str, files), *memberships, "--log",
         str(life.log), *status_args(life), "--out", str(bundle))  # fmt: skip


def evidence(life: Life) -> tuple[str, ...]:
    """The bundles a reader judges the community's moderation from: the
    constitutions with their votes, the election, and the case."""
    names = (
        "history.jsonl",
        "genesis.jsonl",
        "harassment-label.jsonl",
        "moderators.jsonl",
    )
    paths = [*(life.file(name) for name in names), *life.case_files]
    return tuple(arg for path in paths for arg in ("--bundle", str(path)))


def feed(life: Life, post: Path, *, at: float, hidden: bool) -> None:
    """olga's feed on day ``at``, with the community's moderation applied."""
    outsider = environment(life.root, "olga")
    policy = life.root / "olga" / "feed-policy.toml"
    if not policy.exists():
        policy.parent.mkdir(exist_ok=True)
        policy.write_text(
            f'follow = ["{life.community}"]\n\n[actions]\nhide = "hide"\n',
            encoding="utf-8",
        )
        life.run("store", "add", str(post), env=outsider)
        say(
            "olga keeps gus's post in her object store, and a feed policy "
            "($TMP/olga/feed-policy.toml) that follows the community's moderation "
            "and hides what its vocabulary says to hide (spam)."
        )
    shown = life.run.text("feed", "--community", life.community, *evidence(life),
                          "--log", str(life.log), "--at", life.day(at),
                          env=outsider)  # fmt: skip
    assert (OFFER[:40] not in shown) == hidden, shown
    if hidden:
        say(
            f"On day {at:g} olga's feed shows the post as a one-line placeholder "
            "naming the label, the 2 of 3 who agreed and the case."
        )
    else:
        say(
            f"On day {at:g} the label is overturned and the post is back in "
            "olga's feed."
        )


# --- Hubs -------------------------------------------------------------------------


VOTES = ("genesis", "meeting", "longer-votes", "harassment-label")
"""The bundles of the votes, each with its proposal, signals and ballots."""


def on_hubs(life: Life) -> None:
    """eve pushes the community's objects to hub A, hub B follows A, and ida,
    with a fresh wallet, reads and recounts from hub B. Both hubs are
    stopped whatever happens."""
    heading("The community on two hubs")
    say(
        "Until now every file went from hand to hand. A hub is where objects "
        "meet: it verifies what it is given, keeps only what verifies, serves it "
        "to anyone and copies other hubs, trusting none of them; whoever reads "
        "from a hub verifies again. Each hub runs here on SQLite, in a folder of "
        "its own, on a free port of this machine, and judges validity as of day "
        "20 (--at), where the demo's timeline ends (a hub in service judges by "
        "its clock)."
    )
    everything = life.file("engines-all.jsonl")
    bundles = [
        life.file(f"{name}.jsonl")
        for name in (*VOTES, "history", "moderators", "case", "appeal")
    ]
    merged = life("eve", "bundle", "merge", *map(str, bundles), "--out",
                  str(everything))  # fmt: skip
    assert isinstance(merged, dict)
    say(
        f"$TMP/engines-all.jsonl: the votes, the constitutions and their "
        f"tallies, the election and the moderation case merged into one bundle: "
        f"{merged['objects']} objects, each once, with the community's log, its "
        f"{merged['statusLists']} status lists and its {merged['memberships']} "
        "memberships."
    )
    hubs: list[HubProcess] = []
    try:
        first = start_hub(life, hubs, "hub A")
        pushed = life.run.text("hub", "push", str(everything), "--to", first.url,
                               env=life.envs["eve"])  # fmt: skip
        totals = re.search(r"(\d+) stored, \d+ already present, (\d+) rejected", pushed)
        assert totals is not None, pushed
        tally = life.file("meeting-tally.json")
        life.run.text("hub", "push", str(tally), "--to", first.url,
                      env=life.envs["eve"])  # fmt: skip
        say(
            f"hub A verified each object as a reader would, with the log, lists "
            f"and memberships the bundle carries: stored {totals.group(1)}, "
            f"refused {totals.group(2)}. {life.short_term}'s mandate ended on "
            "day 17 and is no longer in force on day 20, but it is kept as "
            "evidence, its expiry recorded: the moderation case cites it, and "
            "whoever rebuilds the case from a hub judges each label as of its "
            "time. The memberships are kept as evidence too, eve's as well: her "
            "revocation stays "
            "recorded in the status lists, and a recount needs her membership "
            "to show why her ballot did not count. eve then pushes "
            "$TMP/meeting-tally.json, which travelled alone."
        )
        second = start_hub(life, hubs, "hub B", "--follow", first.url)
        say(
            "hub B follows hub A: it pages through A's objects, then reads A's "
            "stream of new ones, and verifies every object itself."
        )
        wait_for_copy(first, second)
        read_from_hub(life, second.url)
    finally:
        for hub in reversed(hubs):
            hub.stop()
        if hubs:
            say(f"{' and '.join(hub.name for hub in hubs)} are stopped.")
    print()


def start_hub(life: Life, hubs: list[HubProcess], name: str, *args: str) -> HubProcess:
    """Start a hub on SQLite in a folder of its own, as of day 20."""
    folder = life.file(name.replace(" ", "-").lower())
    folder.mkdir()
    hub = HubProcess(
        life.run, name, "--db", f"sqlite:///{folder / 'hub.sqlite'}", "--at",
        life.day(20), *args, env=environment(life.root, folder.name),
        log=folder / "hub.log",
    )  # fmt: skip
    hubs.append(hub)
    say(
        f"{name} listens at {hub.url} (${name.upper().replace(' ', '_')} below); "
        f"its log goes to $TMP/{folder.name}/hub.log."
    )
    return hub


def wait_for_copy(source: HubProcess, follower: HubProcess) -> None:
    """Show the follower's progress until it holds every object of the source."""
    target = source.count()
    held = -1
    deadline = time.monotonic() + 120
    while held < target:
        now = follower.count()
        if now != held:
            held = now
            print(
                f"    {follower.name} holds {held} of the {target} objects of "
                f"{source.name}"
            )
        if time.monotonic() > deadline:
            raise SystemExit(f"{follower.name} did not copy {source.name} in time.")
        time.sleep(0.2)


def read_from_hub(life: Life, hub: str) -> None:
    """ida, with a fresh wallet, reads the feed, a proposal and its tally
    from hub B, and recounts the tally."""
    life.envs["ida"] = environment(life.root, "ida")
    life("ida", *INIT)
    ida = life.envs["ida"]
    say(
        "ida, who lives elsewhere, makes a fresh wallet. She knows the "
        "community's DID and hub B's address, nothing else."
    )
    life.run.text("feed", "--hub", hub, "--community", life.community, "--at",
                  life.day(20), env=ida)  # fmt: skip
    say(
        "Her feed, from hub B: every object fetched is verified on her side, "
        "the community's log and status lists included."
    )
    proposal = cid_of(life.file("meeting-proposal.json"))
    life.run.text("proposal", "show", proposal, "--hub", hub, "--at", life.day(20),
                  env=ida)  # fmt: skip
    say(
        "The meeting proposal with the signals, ballots and tally that refer to "
        "it, each verified on her side."
    )
    tally = cid_of(life.file("meeting-tally.json"))
    life.run.text("tally", "verify", tally, "--hub", hub, "--at", life.day(20),
                  env=ida)  # fmt: skip
    say(
        "ida recounts the meeting vote from what hub B serves: the ballots, the "
        "delegation, every membership and version of the status lists, the "
        "constitution and the community's log. The recount matches eve's tally: "
        "the same winner, the same rejected ballots, the same Merkle root."
    )


if __name__ == "__main__":
    main()
