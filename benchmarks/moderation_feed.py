"""Moderated feed benchmark: a feed built and filtered with moderation, as a
multiple of the same feed built without it.

One world is made before any clock runs: a did:key community, its members'
memberships and one revocation status list; a genesis constitution ratified
by a passed amendment (labels ``spam`` -> hide, ``gore`` -> warn, ``satire``
-> inform; panels of 3, 2 must agree); an STV election of 7 moderators among
8 candidates, counted with ``compute_tally`` and recorded in a signed tally;
a mandate for each winner (the community's, with a revocation entry, valid
after the election); ``--posts`` distinct signed posts (default 10,000) by
20 authors, some of them replies; and ``--cases`` cases (default 1,000) on
distinct posts, each with a member's report and 2 or 3 labels by moderators
of its panel (drawn with ``draw_panels`` as the rules say). Everything is
signed with eddsa-jcs-2022.

Timed, in interleaved rounds (``common.interleave``), from the signed
objects each time, with a new verifier:

- ``without moderation``: ``Verifier.verify_many`` over the posts, then
  ``build_feed``;
- ``with moderation``: the same, then ``ModerationEvidence.from_objects``
  over the moderation objects, with the posts' authors taken from the feed
  (as ``agora feed`` does; it verifies every object, checks the mandates
  against the election tally, the constitution and the status list),
  ``moderation_log`` at a time after the last label, and ``moderate_feed``
  under a policy that follows the community (hide hides).

The figure is the ratio of the two times (with / without), per round, then
its median and range; the issue asks for "a small multiple". Rates are
posts per second.

Run with ``python benchmarks/moderation_feed.py`` (``--posts``, ``--cases``,
``--rounds``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from common import Case, interleave, print_figures

import ssi
from ssi import datetimes
from ssi.cid import object_cid
from ssi.credentials import FixedClock, Verifier
from ssi.datetimes import format_date_time
from ssi.keys import Ed25519KeyPair
from ssi.social import (
    ModerationEvidence,
    build_feed,
    compute_tally,
    draw_panels,
    label_credential,
    mandate_credential,
    membership_credential,
    moderate_feed,
    moderation_log,
    next_constitution,
    post_credential,
    proposal_credential,
    read_feed_policy,
    report_credential,
    signal_credential,
    tally_credential,
)
from ssi.social.ballot import ballot_credential
from ssi.status import StatusListState

T0 = datetime(2026, 3, 1, tzinfo=UTC)
RATIFY_OPENS = T0 + timedelta(days=2)
RATIFY_CLOSES = RATIFY_OPENS + timedelta(days=7)
OPENS = RATIFY_CLOSES + timedelta(days=1)
CLOSES = OPENS + timedelta(days=7)
ELECTED = CLOSES + timedelta(hours=1)
MANDATES_FROM = CLOSES + timedelta(days=1)
MANDATES_UNTIL = MANDATES_FROM + timedelta(days=80)
POSTS_FROM = MANDATES_FROM + timedelta(hours=1)
REVOCATIONS = "https://agora.example/status/moderation-bench"
AUTHORS = 20
CANDIDATES = 8
SEATS = 7
LABELS = (("spam", "hide"), ("gore", "warn"), ("satire", "inform"))
RULES: dict[str, Any] = {
    "preamble": "We keep the worst off our feeds, together.",
    "proposers": ["member"],
    "signals": {"count": 2},
    "votingPeriod": {"min": "P1D", "max": "P14D"},
    "revoting": True,
    "delegation": False,
    "maxScore": 5,
    "voiceCredits": 100,
    "kinds": {
        "ordinary": {"methods": ["plurality"], "quorum": "1/3", "threshold": ">1/2"},
        "amendment": {"methods": ["plurality"], "quorum": "1/2", "threshold": ">=2/3"},
        "election": {"methods": ["stv"], "quorum": "1/4", "threshold": "none"},
        "recall": {"methods": ["plurality"], "quorum": "1/3", "threshold": ">1/2"},
    },
    "moderation": {
        "labels": [{"value": value, "action": action} for value, action in LABELS],
        "panelSize": 3,
        "agreement": 2,
        "mandateTerm": "P90D",
        "appealPanelSize": 3,
        "appealMajority": ">1/2",
    },
}
WITHOUT = "without moderation"
WITH = "with moderation"


def key(number: int) -> Ed25519KeyPair:
    return Ed25519KeyPair.from_seed(number.to_bytes(4, "big") * 8)


class World:
    """The community, its election and moderators, the posts and the cases."""

    def __init__(self, posts: int, cases: int) -> None:
        if not 0 <= cases <= posts:
            raise SystemExit("--cases must be between 0 and --posts")
        self.community_key = key(900)
        self.community = ssi.did_key(self.community_key)
        self.author_keys = [key(901 + n) for n in range(AUTHORS)]
        self.candidate_keys = [key(950 + n) for n in range(CANDIDATES)]
        self.keys = {
            ssi.did_key(k): k for k in (*self.author_keys, *self.candidate_keys)
        }
        self.authors = [ssi.did_key(k) for k in self.author_keys]
        self.candidates = [ssi.did_key(k) for k in self.candidate_keys]
        self.revocation = StatusListState(REVOCATIONS, purpose="revocation")
        self.memberships = [
            self.sign(
                membership_credential(
                    self.community,
                    member,
                    valid_from=T0,
                    status=[self.revocation.entry(self.revocation.allocate())],
                ),
                self.community,
                T0,
            )
            for member in self.keys
        ]
        self.status_list = self.sign(
            self.revocation.credential(self.community, valid_from=T0),
            self.community,
            T0,
        )
        self.genesis: list[dict[str, Any]] = []
        self.constitution = self._ratify()
        self.election: list[dict[str, Any]] = []
        self.moderators = self._elect()
        self.posts: list[dict[str, Any]] = []
        self.cids: list[str] = []
        for number in range(posts):
            self._post(number)
        self.cases: list[dict[str, Any]] = []
        self.expected = {"hide": 0, "warn": 0, "inform": 0}
        stride = posts // cases if cases else 1
        for number in range(cases):
            self._case(number, number * stride)
        last = POSTS_FROM + timedelta(seconds=30 * posts + 600)
        self.at = last + timedelta(days=1)
        if self.at >= MANDATES_UNTIL:
            raise SystemExit("too many posts for the moderators' term")
        self.evidence_pool = [
            *self.memberships,
            self.constitution,
            *self.genesis,
            *self.election,
            self.status_list,
            *self.mandates,
            *self.cases,
        ]

    def sign(self, credential: dict[str, Any], did: str, moment: datetime) -> Any:
        signer_key = self.community_key if did == self.community else self.keys[did]
        return ssi.issue(
            credential,
            ssi.signer(signer_key),
            suite="eddsa-jcs-2022",
            created=format_date_time(moment),
        )

    def _vote(
        self,
        opens: datetime,
        closes: datetime,
        choice: Any,
        under: dict[str, Any] | None,
        **kind: Any,
    ) -> tuple[dict[str, Any], dict[str, Any], Any]:
        """A proposal put to every member; return it, its signed tally and
        the result."""
        proposal = self.sign(
            proposal_credential(
                self.authors[0],
                valid_from=T0,
                community=self.community,
                method="stv" if kind["kind"] == "election" else "plurality",
                opens=opens,
                closes=closes,
                **kind,
            ),
            self.authors[0],
            T0,
        )
        proposal_cid = object_cid(proposal)
        signals = [
            self.sign(
                signal_credential(
                    did, proposal_cid, valid_from=opens - timedelta(days=1)
                ),
                did,
                T0,
            )
            for did in self.authors[1:3]
        ]
        ballots = []
        for number, voter in enumerate(self.keys):
            cast = opens + timedelta(hours=number + 1)
            ballots.append(
                self.sign(
                    ballot_credential(
                        voter, proposal_cid, choice(number), cast_at=cast
                    ),
                    voter,
                    cast,
                )
            )
        result = compute_tally(
            proposal,
            [*self.memberships, self.status_list, *signals, *ballots],
            constitution=under,
        )
        if not result.passed:
            raise SystemExit(f"the benchmark's {kind['kind']} did not pass")
        tallied = closes + timedelta(hours=1)
        tally = self.sign(
            tally_credential(self.authors[0], result, issued_at=tallied),
            self.authors[0],
            tallied,
        )
        return proposal, tally, result

    def _ratify(self) -> dict[str, Any]:
        """Ratify the genesis constitution (a passed amendment)."""
        proposal, tally, _ = self._vote(
            RATIFY_OPENS,
            RATIFY_CLOSES,
            lambda _: "yes",
            None,
            kind="amendment",
            title="Our rules",
            amendment=RULES,
        )
        self.genesis = [proposal, tally]
        return self.sign(
            next_constitution(tally, proposal, None, valid_from=RATIFY_CLOSES),
            self.community,
            RATIFY_CLOSES,
        )

    def _elect(self) -> list[str]:
        """Hold the election; return the winners, and make their mandates."""

        def ranking(number: int) -> list[str]:
            shift = number % CANDIDATES
            return self.candidates[shift:] + self.candidates[:shift]

        proposal, tally, result = self._vote(
            OPENS,
            CLOSES,
            ranking,
            self.constitution,
            kind="election",
            title="Elect the moderators",
            body="Seven seats.",
            constitution=object_cid(self.constitution),
            candidates=self.candidates,
            seats=SEATS,
        )
        self.election = [proposal, tally]
        count = result.count if isinstance(result.count, dict) else {}
        winners = [str(did) for did in count.get("winners") or ()]
        if len(winners) != SEATS:
            raise SystemExit("the benchmark election filled another number of seats")
        self.mandates = [
            self.sign(
                mandate_credential(
                    self.community,
                    moderator,
                    election=object_cid(tally),
                    valid_from=MANDATES_FROM,
                    valid_until=MANDATES_UNTIL,
                    status=[self.revocation.entry(self.revocation.allocate())],
                ),
                self.community,
                MANDATES_FROM,
            )
            for moderator in winners
        ]
        return winners

    def _post(self, number: int) -> None:
        author = self.authors[number % AUTHORS]
        moment = POSTS_FROM + timedelta(seconds=30 * number)
        options: dict[str, Any] = {"community": self.community}
        if number >= 10 and number % 5 in (1, 2):
            options = {"in_reply_to": self.cids[number - 1 - number % 7]}
        words = " ".join(f"word{(number * 7 + n) % 5000}" for n in range(12))
        signed = self.sign(
            post_credential(
                author, f"Post {number}: {words}", published=moment, **options
            ),
            author,
            moment,
        )
        self.posts.append(signed)
        self.cids.append(object_cid(signed))

    def _case(self, number: int, index: int) -> None:
        post_cid = self.cids[index]
        author = self.authors[index % AUTHORS]
        reporter = self.authors[(index + 1) % AUTHORS]
        label, action = LABELS[number % len(LABELS)]
        posted = POSTS_FROM + timedelta(seconds=30 * index)
        reported = posted + timedelta(minutes=1)
        self.cases.append(
            self.sign(
                report_credential(
                    reporter,
                    community=self.community,
                    post=post_cid,
                    label=label,
                    valid_from=reported,
                    reason="Seen in the feed.",
                ),
                reporter,
                reported,
            )
        )
        panel = draw_panels(
            post_cid, label, self.moderators, size=3, skip=(reporter, author)
        ).panel
        for seat, moderator in enumerate(panel[: 2 + number % 2]):
            moment = reported + timedelta(minutes=2 + seat)
            self.cases.append(
                self.sign(
                    label_credential(
                        moderator,
                        community=self.community,
                        post=post_cid,
                        label=label,
                        valid_from=moment,
                        reason=f"Case {number}: {label}.",
                    ),
                    moderator,
                    moment,
                )
            )
        self.expected[action] += 1

    def pairs(self) -> list[tuple[str, dict[str, Any]]]:
        return list(zip(self.cids, self.posts, strict=True))


def fresh() -> None:
    """Forget the date-times read so far, as a new process would have."""
    datetimes._PARSED.clear()


def main() -> None:
    """Make the world, check one moderated feed, run the rounds, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    start = time.perf_counter()
    world = World(options.posts, options.cases)
    pairs = world.pairs()
    print(
        f"moderated feed benchmark: {options.posts} distinct posts by {AUTHORS} "
        f"did:key authors, {options.cases} cases ({len(world.cases)} reports and "
        f"labels by {len(world.moderators)} elected moderators), "
        f"{len(world.evidence_pool)} moderation objects in all, eddsa-jcs-2022 "
        f"(made in {time.perf_counter() - start:.1f} s)"
    )
    policy = read_feed_policy(f'follow = ["{world.community}"]\n')
    clock = FixedClock(world.at)

    def without(items: Sequence[object]) -> Any:
        fresh()
        reports = Verifier(clock=clock).verify_many(items)
        if not all(report.verified for report in reports):
            raise SystemExit("a benchmark post did not verify")
        return build_feed(pairs)

    def moderated(items: Sequence[object]) -> Any:
        feed = without(items)
        # The posts' authors come from the feed (verified above), as in
        # `agora feed`: the evidence does not read the posts again.
        authors = {entry.cid: entry.author for entry in feed.entries}
        evidence = ModerationEvidence.from_objects(
            world.evidence_pool,
            community=world.community,
            verifier=Verifier(clock=clock),
            at=world.at,
            authors=authors,
        )
        decisions = moderation_log(evidence, at=world.at)
        return moderate_feed(feed, decisions, policy)

    check = moderated(world.posts)
    counts = {t: check.count(t) for t in ("hide", "warn", "inform")}
    if counts != world.expected:
        raise SystemExit(f"the moderated feed is not the expected one: {counts}")
    print(
        f"the moderated feed: {len(check.entries)} entries; {counts['hide']} hidden, "
        f"{counts['warn']} behind a warning, {counts['inform']} labelled"
    )

    cases = [
        Case(WITHOUT, lambda _: world.posts, without, options.posts),
        Case(WITH, lambda _: world.posts, moderated, options.posts),
    ]
    load = os.getloadavg()
    figures = interleave(cases, options.rounds, [WITHOUT])
    after = os.getloadavg()
    print(
        f"{options.rounds} interleaved rounds over the same objects; load average "
        f"{load[0]:.2f} before, {after[0]:.2f} after (1 min, {os.cpu_count()} CPUs)"
    )
    print_figures(figures, {"x without": WITHOUT})
    by_name = {figure.name: figure.rates for figure in figures}
    ratios = [
        plain / mine
        for mine, plain in zip(by_name[WITH], by_name[WITHOUT], strict=True)
    ]
    print(
        "time with moderation / time without, median (range): "
        f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
    )
    print(f"(whole run {time.perf_counter() - start:.0f} s)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
