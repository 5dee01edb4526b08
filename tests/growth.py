"""How much work a call does, measured without the wall clock.

Tests guard against quadratic (or worse) behaviour by comparing the work done
on an input of size n with the work done on 4n, never by bounding elapsed
time: a busy machine slows everything down, but does not change how work
grows. Speed itself is measured by ``make bench`` (``benchmarks/``).

- :func:`bytecodes` counts the Python bytecode instructions a call executes,
  exactly and deterministically. Work done inside C code (a regular
  expression, ``json.loads``, ``bytes.translate``) is invisible to it.
- :func:`cpu_seconds` is for code whose work is in C: the smallest CPU time
  (this process only, not the wall clock) over several rounds; only ratios of
  two such figures are compared.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any


def bytecodes(
    call: Callable[[], object], *, raises: type[BaseException] | None = None
) -> int:
    """Return the number of bytecode instructions ``call()`` executes.

    Every Python frame the call opens is counted. With ``raises``, the call
    must raise that exception (it is caught); otherwise it must return. The
    garbage collector is paused meanwhile: a collection would run callbacks
    (hypothesis installs one) whose bytecodes depend on what earlier tests
    left behind, not on the call.
    """
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "call":
            frame.f_trace_lines = False
            frame.f_trace_opcodes = True
        elif event == "opcode":
            count += 1
        return trace

    previous = sys.gettrace()
    collecting = gc.isenabled()
    gc.disable()
    sys.settrace(trace)
    try:
        call()
    except BaseException as exc:
        sys.settrace(previous)
        if raises is None or not isinstance(exc, raises):
            raise
    else:
        sys.settrace(previous)
        if raises is not None:
            raise AssertionError(f"the call did not raise {raises.__name__}")
    finally:
        sys.settrace(previous)
        if collecting:
            gc.enable()
    return count


def cpu_seconds(
    call: Callable[[], object], *, number: int = 10, rounds: int = 5
) -> float:
    """Return the least CPU time, over ``rounds``, of ``number`` calls.

    Exceptions the call raises are part of its work and are swallowed.
    """
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(number):
            try:
                call()
            except Exception:  # noqa: S112  (failing fast is the work measured)
                continue
        best = min(best, time.process_time() - start)
    return best
