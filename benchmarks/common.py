"""Measuring helpers shared by the benchmarks: rates, medians, the reference.

Every benchmark reports its figures as ratios to raw Ed25519 verification with
``cryptography``, measured in the same run by :func:`raw_verify_rate`.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

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
