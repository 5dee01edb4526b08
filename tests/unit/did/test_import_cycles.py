"""No import cycle joins the modules of ssi.did and ssi.proofs.

The graph is read from the source (grimp, the engine of import-linter), with
imports inside functions counted too: a cycle kept alive only by a lazy
import is still a cycle. DID method drivers import ``ssi.did.results``, the
resolver imports the drivers, and nothing imports back.
"""

from __future__ import annotations

import subprocess
import sys

import grimp
import pytest

LAYERS = ("ssi.did", "ssi.proofs")


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("ssi", cache_dir=None)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(edges[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_the_cycle_finder_finds_a_cycle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_ssi_did_or_ssi_proofs():
    graph = _graph()
    modules = {m for m in graph.modules if m.startswith(LAYERS)}
    edges = {
        m: {t for t in graph.find_modules_directly_imported_by(m) if t in modules}
        for m in modules
    }
    assert "ssi.did.methods.key" in modules
    assert _cycles(edges) == []


def test_drivers_import_the_results_module_not_the_resolver():
    graph = _graph()
    for driver in ("ssi.did.methods.key", "ssi.did.methods.jwk", "ssi.agora.method"):
        imported = graph.find_modules_directly_imported_by(driver)
        assert "ssi.did.results" in imported, driver
        assert "ssi.did.resolution" not in imported, driver
    assert "ssi.did.methods" in graph.find_modules_directly_imported_by(
        "ssi.did.resolution"
    )


@pytest.mark.parametrize(
    "module", ["ssi.did.methods.key", "ssi.did.resolution", "ssi.proofs.suite"]
)
def test_a_module_imports_first_in_a_fresh_interpreter(module):
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
