"""Feed benchmark: building the feed of stored posts, as a share of verifying them.

One set of ``--count`` distinct signed objects (default 10,000) is made before
any clock runs: 20 did:key authors, eddsa-jcs-2022, a realistic mix of
thread-first posts (some in one of three communities, some tagged,
mentioning or in Markdown), replies (to recent posts, to replies, to edits,
and a few to posts that are not in the set: orphans), edits (some of edits),
retractions by the author (and a few by others, which feeds ignore), and
reactions (endorse, disagree, emoji; some DIDs react twice to one post). They
are stored once in an SQLite store (``ssi.store.SQLiteStore``) in a temporary
folder, with their feed records (``derive=ssi.social.FEED_RECORDS``, as ``agora
store add`` and ``agora bundle unpack --into-store`` store them). Then, in
interleaved rounds (``common.interleave``: every case once per round, in a
rotated order), over the same objects:

- ``verify_many``: a new ``ssi.Verifier`` verifies every object
  (``Verifier.verify_many``, in this process);
- ``build_feed (in memory)``: ``ssi.social.build_feed`` over the
  ``(cid, object)`` pairs already in memory;
- ``store_feed (SQLite)``: the store file is opened anew and
  ``ssi.social.store_feed`` reads the feed record of every social object
  from it (``store.derived``: not the documents) and builds the feed, as
  ``agora feed`` does;
- ``raw Ed25519 verify``: the reference, raw verification with
  ``cryptography`` and PyNaCl of distinct keys and messages.

Nothing that a real run would not have is carried from round to round: each
round builds a new verifier, a new feed and a new store connection, and
forgets the date-times ``ssi.datetimes`` remembers (the operating system's
file cache stays warm, as it would for ``agora feed`` run twice). Rates are
objects per second. The target is that building the feed of the stored
objects costs less than 10 % of verifying them: the cost ratio ``feed time /
verify time`` (per round, then median and range) is printed for both feed
figures and must stay under 0.10.

Run with ``python benchmarks/feed.py`` (``--count``, ``--rounds``;
``--profile CASE`` runs one case under ``cProfile`` instead: ``verify``,
``build`` or ``store``).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import Case, Figure, interleave, print_figures, raw_cases

import ssi
from ssi import datetimes
from ssi.cid import object_cid
from ssi.credentials import FixedClock, Verifier
from ssi.datetimes import format_date_time
from ssi.keys import Ed25519KeyPair
from ssi.social import (
    FEED_RECORDS,
    Feed,
    build_feed,
    post_credential,
    reaction_credential,
    retraction_credential,
    store_feed,
)
from ssi.store import SQLiteStore

T0 = datetime(2025, 3, 1, tzinfo=UTC)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
AUTHORS = 20
COMMUNITIES = ("did:example:gardeners", "did:example:cyclists", "did:example:choir")
TARGET = 0.10
VERIFY = "verify_many"
BUILD = "build_feed (in memory)"
STORE = "store_feed (SQLite)"
RAW = "raw Ed25519 verify (cryptography)"


class Draws:
    """Reproducible draws (the same objects on every run), from BLAKE2b of a
    counter: the benchmark needs a fixed mix, not secrets."""

    def __init__(self, seed: int) -> None:
        self.seed, self.drawn = seed, 0

    def _next(self) -> int:
        self.drawn += 1
        text = f"{self.seed}:{self.drawn}".encode()
        return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")

    def random(self) -> float:
        """A number in [0, 1)."""
        return self._next() / 2**64

    def randrange(self, stop: int) -> int:
        """A number in [0, stop)."""
        return self._next() % stop

    def choice(self, items: Sequence[Any]) -> Any:
        """One of ``items``."""
        return items[self.randrange(len(items))]


class World:
    """The authors and the one set of signed objects every round works on."""

    def __init__(self, count: int, seed: int = 11) -> None:
        keys = [
            Ed25519KeyPair.from_seed(n.to_bytes(4, "big") * 8)
            for n in range(700, 700 + AUTHORS)
        ]
        self.dids = [ssi.did_key(key) for key in keys]
        self.signers = [ssi.signer(key) for key in keys]
        self.random = Draws(seed)
        self.objects: list[dict[str, Any]] = []
        self.cids: list[str] = []
        self.kinds: dict[str, int] = {}
        # Posts (originals and edits) by position, and originals by author.
        self.posts: list[tuple[str, int]] = []
        self.originals: list[list[str]] = [[] for _ in range(AUTHORS)]
        self.latest: dict[str, str] = {}  # original -> its latest version
        self.edited = ""  # the original of the edit being made
        for number in range(count):
            self._add(number)

    def pairs(self) -> list[tuple[str, dict[str, Any]]]:
        """The objects with their CIDs, as ``build_feed`` takes them."""
        return list(zip(self.cids, self.objects, strict=True))

    def _add(self, number: int) -> None:
        r = self.random
        author = r.randrange(AUTHORS)
        moment = T0 + timedelta(seconds=37 * number + r.randrange(30))
        roll = r.random()
        if len(self.posts) < 50 or roll < 0.22:
            kind, credential = "thread", self._post(author, number, moment)
        elif roll < 0.60:
            kind, credential = "reply", self._reply(author, number, moment)
        elif roll < 0.61:
            kind = "orphan"
            missing = object_cid({"missing": number})
            credential = self._post(author, number, moment, in_reply_to=missing)
        elif roll < 0.66 and self.originals[author]:
            kind, credential = "edit", self._edit(author, number, moment)
        elif roll < 0.685 and self.originals[author]:
            kind = "retraction"
            target = self._recent(self.originals[author])
            credential = retraction_credential(
                self.dids[author], target, published=moment
            )
        elif roll < 0.69:
            kind = "foreign retraction"
            target, _ = self._recent(self.posts)
            credential = retraction_credential(
                self.dids[author], target, published=moment
            )
        else:
            kind, credential = "reaction", self._reaction(author, moment)
        signed = ssi.issue(
            credential,
            self.signers[author],
            suite="eddsa-jcs-2022",
            created=format_date_time(moment),
        )
        cid = object_cid(signed)
        if kind in ("thread", "reply", "orphan", "edit"):
            self.posts.append((cid, author))
            if kind == "edit":
                self.latest[self.edited] = cid
            else:
                self.originals[author].append(cid)
                self.latest[cid] = cid
        self.objects.append(signed)
        self.cids.append(cid)
        self.kinds[kind] = self.kinds.get(kind, 0) + 1

    def _recent(self, items: Sequence[Any]) -> Any:
        """Mostly one of the last few hundred items, sometimes an old one."""
        if self.random.random() < 0.8:
            return items[-1 - self.random.randrange(min(len(items), 300))]
        return self.random.choice(items)

    def _post(
        self, author: int, number: int, moment: datetime, **options: Any
    ) -> dict[str, Any]:
        r = self.random
        words = " ".join(f"word{r.randrange(5000)}" for _ in range(5 + r.randrange(55)))
        if r.random() < 0.3:
            options["community"] = r.choice(COMMUNITIES)
        if r.random() < 0.4:
            options["tags"] = sorted({f"topic-{r.randrange(40)}" for _ in range(3)})
        if r.random() < 0.1:
            options["mentions"] = [self.dids[r.randrange(AUTHORS)]]
        markdown = r.random() < 0.2
        return post_credential(
            self.dids[author],
            f"{'**Post**' if markdown else 'Post'} {number}: {words}",
            media_type="text/markdown" if markdown else "text/plain",
            language="en" if r.random() < 0.5 else None,
            published=moment,
            **options,
        )

    def _reply(self, author: int, number: int, moment: datetime) -> dict[str, Any]:
        target, _ = self._recent(self.posts)
        return self._post(author, number, moment, in_reply_to=target)

    def _edit(self, author: int, number: int, moment: datetime) -> dict[str, Any]:
        original = self._recent(self.originals[author])
        # Half of the edits replace the latest version (an edit of an edit).
        target = self.latest[original] if self.random.random() < 0.5 else original
        self.edited = original
        return self._post(author, number, moment, replaces=target)

    def _reaction(self, author: int, moment: datetime) -> dict[str, Any]:
        target, _ = self._recent(self.posts)
        roll = self.random.random()
        value = "endorse" if roll < 0.6 else "disagree" if roll < 0.8 else "emoji"
        emoji = (
            self.random.choice(("\U0001f44d", "\U0001f389", "\u2764"))
            if value == "emoji"
            else None
        )
        return reaction_credential(
            self.dids[author], target, value, emoji=emoji, published=moment
        )


def fill(path: Path, objects: Sequence[dict[str, Any]]) -> None:
    """Store the objects before the clock ever runs, as ``agora store add``
    does: verified by the store's ``add``, with their feed records
    (``derive=FEED_RECORDS``)."""
    verifier = Verifier(clock=FixedClock(NOW))
    with SQLiteStore(path) as store:
        for start in range(0, len(objects), 1000):
            results = store.add(
                objects[start : start + 1000], verifier=verifier, derive=FEED_RECORDS
            )
            if any(result.outcome != "stored" for result in results):
                raise SystemExit("a benchmark object was not stored")
        if store.count() != len(objects):
            raise SystemExit("the benchmark store lost objects")


def fresh() -> None:
    """Forget the date-times read so far, as a new process would have.

    ``ssi.datetimes`` remembers the last few thousand it read; they are the
    only remembered values here that differ from object to object (the other
    caches hold the 20 authors' keys and DIDs, which any run warms within
    its first objects).
    """
    datetimes._PARSED.clear()


def summary(feed: Feed) -> tuple[int, int, int, int]:
    """What a feed holds, to check that every round built the same one."""
    return len(feed.entries), len(feed.threads), len(feed.orphans), len(feed.ignored)


def cost_ratios(figures: Sequence[Figure], name: str) -> list[float]:
    """Per round: the time of ``name`` over the time of ``verify_many``."""
    by_name = {figure.name: figure.rates for figure in figures}
    return [
        verify / mine
        for mine, verify in zip(by_name[name], by_name[VERIFY], strict=True)
    ]


def main() -> None:
    """Build and store the objects, run the rounds, print figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="objects")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profile",
        choices=("verify", "build", "store"),
        help="profile one run of one case instead of measuring",
    )
    options = parser.parse_args()
    start = time.perf_counter()
    world = World(options.count)
    pairs = world.pairs()
    print(
        f"feed benchmark: {options.count} distinct objects by {AUTHORS} did:key "
        f"authors, eddsa-jcs-2022 (signed in {time.perf_counter() - start:.1f} s): "
        + ", ".join(f"{n} {kind}" for kind, n in sorted(world.kinds.items()))
    )
    expected = summary(build_feed(pairs))
    print(
        "the feed: {} entries, {} threads, {} orphans, {} objects ignored".format(
            *expected
        )
    )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feed.sqlite"
        fill(path, world.objects)

        def run_verify(items: Sequence[object]) -> None:
            fresh()
            reports = Verifier(clock=FixedClock(NOW)).verify_many(items)
            if not all(report.verified for report in reports):
                raise SystemExit("a benchmark object did not verify")

        def run_build(items: Sequence[object]) -> None:
            fresh()
            if summary(build_feed(items)) != expected:  # type: ignore[arg-type]
                raise SystemExit("build_feed built another feed")

        def run_store(items: Sequence[object]) -> None:
            fresh()
            with SQLiteStore(path, create=False) as store:
                feed = store_feed(store)
            if summary(feed) != expected:
                raise SystemExit("store_feed built another feed")

        if options.profile:
            choices: dict[str, tuple[Any, Sequence[object]]] = {
                "verify": (run_verify, world.objects),
                "build": (run_build, pairs),
                "store": (run_store, pairs),
            }
            run, items = choices[options.profile]
            profiler = cProfile.Profile()
            profiler.runcall(run, items)
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(
                30
            )
            return

        with SQLiteStore(path, create=False) as store:
            if store_feed(store).to_json() != build_feed(pairs).to_json():
                raise SystemExit("store_feed and build_feed disagree")

        cases = [
            *raw_cases(options.count),
            Case(VERIFY, lambda _: world.objects, run_verify, options.count),
            Case(BUILD, lambda _: pairs, run_build, options.count),
            Case(STORE, lambda _: pairs, run_store, options.count),
        ]
        load = os.getloadavg()
        figures = interleave(cases, options.rounds, [RAW, VERIFY])
        after = os.getloadavg()

    print(
        f"{options.rounds} interleaved rounds over the same objects; load average "
        f"{load[0]:.2f} before, {after[0]:.2f} after (1 min, {os.cpu_count()} CPUs)"
    )
    print_figures(figures, {"x raw verify": RAW, "x verify_many": VERIFY})
    print(f"feed cost / verify cost (target < {TARGET:.2f}), median (range):")
    for name in (BUILD, STORE):
        ratios = cost_ratios(figures, name)
        verdict = "meets" if statistics.median(ratios) < TARGET else "MISSES"
        print(
            f"  {name:<24} {statistics.median(ratios):.3f} "
            f"({min(ratios):.3f}-{max(ratios):.3f})  {verdict} the target"
        )
    print(f"(whole run {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
