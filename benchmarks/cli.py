"""Start-up benchmark: what ``agora --version`` and ``agora --help`` add to Python.

Each command runs as a fresh subprocess, ``--rounds`` times, the commands
interleaved round by round (so a busy moment of the machine touches all of
them alike), after one warm-up round that fills the file system cache. The
reference is ``python -c pass`` with the same interpreter; ``added`` is a
command's median minus the reference's median. ``agora --version`` must add
less than 0.3 s: the script prints OK or OVER BUDGET and exits with status 1
when over. ``agora did resolve`` of a did:key (no wallet) is shown too, for
information. Run with ``make bench``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BUDGET = 0.3
"""Most seconds ``agora --version`` may add to ``python -c pass``."""

DID = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"


def agora() -> list[str]:
    """The ``agora`` entry point next to this interpreter, else ``-m wallet_cli``."""
    found = shutil.which("agora", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "wallet_cli"]


def elapsed(command: list[str], env: dict[str, str]) -> float:
    """Seconds one run of ``command`` takes, start to exit."""
    start = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)  # noqa: S603
    return time.perf_counter() - start


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15, help="runs per command")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if not k.startswith("AGORA_")}
    env["AGORA_HOME"] = str(Path(os.devnull))  # never a real wallet
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "agora --version": [*agora(), "--version"],
        "agora --help": [*agora(), "--help"],
        "agora did resolve (did:key)": [*agora(), "did", "resolve", DID],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():
        elapsed(command, env)
    for _ in range(args.rounds):
        for name, command in commands.items():
            times[name].append(elapsed(command, env))

    reference = statistics.median(times["python -c pass"])
    width = max(len(name) for name in commands)
    print(f"{'command':<{width}}  {'median s':>9}  {'range s':>13}  {'added s':>8}")
    for name, values in times.items():
        median = statistics.median(values)
        spread = f"{min(values):.3f}-{max(values):.3f}"
        print(
            f"{name:<{width}}  {median:>9.3f}  {spread:>13}  {median - reference:>8.3f}"
        )
    added = statistics.median(times["agora --version"]) - reference
    verdict = "OK" if added < BUDGET else "OVER BUDGET"
    print(f"agora --version adds {added:.3f} s (budget {BUDGET} s): {verdict}")
    if added >= BUDGET:
        sys.exit(1)


if __name__ == "__main__":
    main()
