"""did:agora benchmark: validating and resolving a 1,000-entry log.

Builds a log of 1,000 entries (plain updates, with a rotation every
``--rotate-every`` entries) from fixed keys, then measures in the same run:

- full validation of the log (``validate_log``), the median of ``--runs`` runs,
  and the cost per entry;
- building the DID document of one state, which a resolution does once, for
  the state it returns;
- resolutions per second of that log through ``AgoraMethod``, given as the
  ``log`` option and read from a ``FileLogSource`` (each resolution validates
  the whole log: nothing is cached);
- a log of entry 1 and ``--copies`` (20,000) copies of entry 2, resolved as
  JSON Lines text and as a list of equal (not identical) entries: copies are
  dropped (lines read once, entries hashed once), so the work is the reading
  or hashing plus two signature checks;
- the reference: raw ``cryptography`` Ed25519 verification of a 64-byte message
  (what eddsa-jcs-2022 signs: two SHA-256 digests), 1,000 times, which is the
  signature work validation cannot avoid.

It prints ratio = validation time / (entries x raw verify time); the target is
2.0 or less. ``--profile`` adds where validation spends its time (cProfile).
Run with ``python benchmarks/agora.py``.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import json
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import median_time
from cryptography.hazmat.primitives.asymmetric import ed25519

from ssi.agora import (
    AgoraLog,
    AgoraMethod,
    FileLogSource,
    LogState,
    add_service,
    create_entry,
    entry_hash,
    remove_service,
    rotate_entry,
    signing_document,
    update_entry,
    validate_log,
)
from ssi.agora.log import _conforming
from ssi.did.methods import KeyMethod
from ssi.did.resolution import MethodRegistry, Resolver
from ssi.encoding import decode_multibase
from ssi.keys import Ed25519KeyPair
from ssi.types import JsonObject

T0 = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2030, 1, 1, tzinfo=UTC)
TARGET = 2.0


def key(seed: int) -> Ed25519KeyPair:
    """Return a fixed key pair (seeds 1-255 cycle)."""
    return Ed25519KeyPair.from_seed((seed % 255 + 1).to_bytes(1, "big") * 32)


def _state(entry: JsonObject, version: int) -> AgoraLog:
    """Return a one-state log standing for the latest entry (what the
    operations read), without validating the whole log again."""
    state = LogState(
        version=version,
        time=T0,
        time_text=entry["time"],
        digest=decode_multibase(entry_hash(entry)),
        document=entry["document"],
        update_keys=tuple(entry["updateKeys"]),
        next_key_hashes=tuple(entry["nextKeyHashes"]),
        deactivated=False,
        entry=entry,
    )
    return AgoraLog("", (state,))


def build_log(size: int, rotate_every: int) -> tuple[str, list[JsonObject]]:
    """Return ``(did, entries)``: create, then updates with a rotation every
    ``rotate_every`` entries (a new update key and a new signing key)."""
    current, committed, signing = 1, 2, 100
    document = signing_document(key(signing).public_key)
    did, first = create_entry(
        key(current), [key(committed).public_key], document, when=T0
    )
    entries = [first]
    log = _state(first, 1)
    for version in range(2, size + 1):
        when = T0 + timedelta(minutes=version)
        if version % rotate_every == 0:
            signing += 1
            services = document.get("service", [])
            document = signing_document(key(signing).public_key, services=services)
            entry = rotate_entry(
                log,
                key(committed),
                [key(committed + 1).public_key],
                document,
                when=when,
            )
            current, committed = committed, committed + 1
        else:
            name = f"s{version % 5}"
            if any(s["id"] == "#" + name for s in document.get("service", [])):
                document = remove_service(document, name)
            else:
                service = {
                    "id": "#" + name,
                    "type": "LinkedDomains",
                    "serviceEndpoint": f"https://{name}.example/{version}",
                }
                document = add_service(document, service)
            entry = update_entry(log, key(current), document, when=when)
        entries.append(entry)
        log = _state(entry, version)
    return did, entries


def raw_verifier(count: int) -> Callable[[], None]:
    """Return an operation making ``count`` raw Ed25519 verifications."""
    private = ed25519.Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
    public = private.public_key()
    message = b"\x5a" * 64
    signature = private.sign(message)

    def verify_all() -> None:
        for _ in range(count):
            public.verify(signature, message)

    return verify_all


def paired(
    first: Callable[[], object], second: Callable[[], object], runs: int
) -> tuple[float, float, float]:
    """Time ``first`` and ``second`` back to back, ``runs`` times; return their
    median times and the median of the per-run ratios first / second (pairing
    keeps the ratio steady when the machine's load changes)."""
    first()
    second()
    times_a, times_b, ratios = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        first()
        middle = time.perf_counter()
        second()
        end = time.perf_counter()
        times_a.append(middle - start)
        times_b.append(end - middle)
        ratios.append((middle - start) / (end - middle))
    return (
        statistics.median(times_a),
        statistics.median(times_b),
        statistics.median(ratios),
    )


def duplicates(
    did: str, entries: list[JsonObject], copies: int, runs: int
) -> list[str]:
    """Measure the resolution of entry 1 and ``copies`` copies of entry 2, as
    text and as entries, against raw verification; return the report lines."""
    method = AgoraMethod(clock=lambda: NOW)
    resolver = Resolver(MethodRegistry([KeyMethod(), method]), cache_ttl=0)
    text = "\n".join([json.dumps(entries[0])] + [json.dumps(entries[1])] * copies)
    listed = [entries[0], *(copy.deepcopy(entries[1]) for _ in range(copies))]
    lines = copies + 1
    report = [
        f"log of entry 1 and {copies} copies of entry 2 "
        f"({len(text) / 1e6:.1f} MB as text)"
    ]
    for name, log in (("text", text), ("entries", listed)):
        assert resolver.resolve(did, log=log).did_document_metadata["versionId"] == "2"
        spent, raw, ratio = paired(
            lambda log=log: resolver.resolve(did, log=log), raw_verifier(lines), runs
        )
        report.append(
            f"  resolved as {name:<8}                   {spent * 1e3:8.1f} ms"
            f"  = {spent / (raw / lines):8.0f} x one raw verify"
        )
        report.append(f"  ratio ({name}) / ({lines} x raw verify)  {ratio:8.3f}")
    return report


def profile(did: str, entries: list[JsonObject], lines: int) -> str:
    """Return the top of a cProfile of one validation, by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    validate_log(entries, did=did)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats(lines)
    return out.getvalue()


def main() -> None:
    """Build the log, measure, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--rotate-every", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--copies", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile")
    args = parser.parse_args()

    start = time.perf_counter()
    did, entries = build_log(args.entries, args.rotate_every)
    built = time.perf_counter() - start
    log = validate_log(entries, did=did)
    assert log.latest.version == args.entries
    size = len(entries)

    validation, raw, ratio = paired(
        lambda: validate_log(entries, did=did), raw_verifier(size), args.runs
    )
    # Building and checking the DID document of a state is done once per
    # resolution, for the state resolved (docs/did-agora.md 5.2, 5.4).
    states = [s for s in log.states if s.document is not None]
    documents, _, _ = paired(
        lambda: [_conforming(did, s.document, s.version) for s in states],
        raw_verifier(size),
        args.runs,
    )

    method = AgoraMethod(clock=lambda: NOW)
    option_resolver = Resolver(MethodRegistry([KeyMethod(), method]), cache_ttl=0)
    by_option = median_time(
        lambda: option_resolver.resolve(did, log=entries), args.runs
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.jsonl"
        path.write_text(
            "".join(json.dumps(e) + "\n" for e in entries),
            encoding="utf-8",
        )
        file_method = AgoraMethod([FileLogSource(folder)], clock=lambda: NOW)
        file_resolver = Resolver(
            MethodRegistry([KeyMethod(), file_method]), cache_ttl=0
        )
        result = file_resolver.resolve(did)
        assert result.ok
        by_file = median_time(lambda: file_resolver.resolve(did), args.runs)

    print(f"did:agora log: {size} entries, a rotation every {args.rotate_every}")
    print(f"  built in                              {built:8.2f} s")
    print(
        f"  full validation (median of {args.runs})         {validation * 1e3:8.1f} ms"
    )
    print(f"  validation per entry                  {validation / size * 1e6:8.1f} us")
    print(f"  resolutions/s (log option)            {1 / by_option:8.2f}")
    print(f"  resolutions/s (FileLogSource)         {1 / by_file:8.2f}")
    print(f"  raw Ed25519 verify x {size} (cryptography) {raw * 1e3:8.1f} ms")
    print(f"  raw Ed25519 verify, one               {raw / size * 1e6:8.1f} us")
    print(
        f"  DID document of one state (on resolution) "
        f"{documents / max(len(states), 1) * 1e6:8.1f} us"
    )
    verdict = "within" if ratio <= TARGET else "ABOVE"
    print(
        f"  ratio validation / ({size} x raw verify) {ratio:8.2f}"
        f"  ({verdict} the {TARGET:.0f}x target)"
    )
    for line in duplicates(did, entries, args.copies, max(3, args.runs // 2)):
        print(line)
    if args.profile or ratio > TARGET:
        print()
        print(profile(did, entries, 25))


if __name__ == "__main__":
    main()
