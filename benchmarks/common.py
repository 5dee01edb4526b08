"""Measuring helpers shared by the benchmarks: rates, medians, the reference.

Every benchmark reports its figures as ratios to raw Ed25519 verification with
``cryptography``, measured in the same run. :func:`interleave` is the honest
way to get them: the figures are measured in rounds, each round runs every
case once (in a rotated order, so that none always runs first or last), each
case works through items it has not seen before (distinct documents, distinct
keys), and the result is the median and range over the rounds, with each
round's ratio taken against the reference measured in that same round.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import nacl.bindings
from cryptography.hazmat.primitives.asymmetric import ed25519

MESSAGE = b"x" * 64


def rate(operation: Callable[[], object], seconds: float, *, batch: int = 1) -> float:
    """Return operations per second, running ``operation`` for about ``seconds``
    (in batches of ``batch`` calls, to keep the clock out of fast loops)."""
    for _ in range(3 * batch):
        operation()
    count, start = 0, time.perf_counter()
    while True:
        for _ in range(batch):
            operation()
        count += batch
        now = time.perf_counter()
        if now - start >= seconds:
            return count / (now - start)


def median_time(operation: Callable[[], object], runs: int) -> float:
    """Return the median wall time of ``runs`` calls, after one warm-up call."""
    operation()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        operation()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def raw_verify_rate(seconds: float) -> float:
    """The reference: raw ``cryptography`` Ed25519 verifications per second."""
    key = ed25519.Ed25519PrivateKey.generate()
    public = key.public_key()
    signature = key.sign(MESSAGE)
    return rate(lambda: public.verify(signature, MESSAGE), seconds, batch=50)


@dataclass
class Case:
    """One figure: ``run(items)`` processes a round's distinct ``items``.

    ``make(count)`` builds the items of one round, before any clock runs;
    every round gets fresh ones, so no figure comes from repeating one item.
    """

    name: str
    make: Callable[[int], Sequence[object]]
    run: Callable[[Sequence[object]], None]
    count: int


@dataclass
class Figure:
    """A case's rates over the rounds, and its ratios to references."""

    name: str
    rates: list[float]
    ratios: dict[str, list[float]]

    @property
    def median(self) -> float:
        return statistics.median(self.rates)


def interleave(
    cases: Sequence[Case], rounds: int, references: Sequence[str]
) -> list[Figure]:
    """Measure every case in each of ``rounds`` rounds, rotating the order.

    Returns one :class:`Figure` per case, with its ratios (per round) to each
    case named in ``references`` measured in the same round.
    """
    prepared = [[case.make(case.count) for case in cases] for _ in range(rounds)]
    rates: list[list[float]] = [[] for _ in cases]
    for index in range(rounds):
        order = list(range(len(cases)))
        shift = index % len(cases)
        order = order[shift:] + order[:shift]
        for position in order:
            items = prepared[index][position]
            start = time.perf_counter()
            cases[position].run(items)
            elapsed = time.perf_counter() - start
            rates[position].append(len(items) / elapsed)
        prepared[index] = []  # free the round's documents
    by_name = {case.name: rates[i] for i, case in enumerate(cases)}
    figures = []
    for i, case in enumerate(cases):
        ratios = {
            ref: [
                mine / theirs
                for mine, theirs in zip(rates[i], by_name[ref], strict=True)
            ]
            for ref in references
            if ref in by_name
        }
        figures.append(Figure(case.name, rates[i], ratios))
    return figures


def format_ratio(values: list[float]) -> str:
    """``median (min-max)`` of per-round ratios."""
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def print_figures(figures: Sequence[Figure], references: dict[str, str]) -> None:
    """Print the table: median rate and range, and each ratio (median and
    range of the per-round ratios) to the references, by column label."""
    width = max(len(f.name) for f in figures)
    header = f"{'operation':<{width}}  {'ops/s median':>12}  {'range':>15}"
    for label in references:
        header += f"  {label:>18}"
    print(header)
    for figure in figures:
        low, high = min(figure.rates), max(figure.rates)
        spread = f"{low:,.0f}-{high:,.0f}"
        line = f"{figure.name:<{width}}  {figure.median:>12,.0f}  {spread:>15}"
        for ref in references.values():
            shown = format_ratio(figure.ratios[ref]) if ref in figure.ratios else "-"
            line += f"  {shown:>18}"
        print(line)


def raw_cases(count: int) -> list[Case]:
    """Raw Ed25519 verification of distinct keys and messages, with
    ``cryptography`` (OpenSSL) and with PyNaCl (libsodium)."""

    def make(n: int) -> list[tuple[bytes, bytes, bytes]]:
        items = []
        for _ in range(n):
            key = ed25519.Ed25519PrivateKey.generate()
            message = os.urandom(64)
            items.append(
                (key.public_key().public_bytes_raw(), message, key.sign(message))
            )
        return items

    def run_cryptography(items: Sequence[object]) -> None:
        for public, message, signature in items:  # type: ignore[misc]
            ed25519.Ed25519PublicKey.from_public_bytes(public).verify(
                signature, message
            )

    def run_nacl(items: Sequence[object]) -> None:
        for public, message, signature in items:  # type: ignore[misc]
            nacl.bindings.crypto_sign_open(signature + message, public)

    return [
        Case("raw Ed25519 verify (cryptography)", make, run_cryptography, count),
        Case("raw Ed25519 verify (PyNaCl)", make, run_nacl, count),
    ]
