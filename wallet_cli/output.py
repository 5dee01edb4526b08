"""Terminal output: the only module that imports rich.

Every value that comes from outside (DIDs, documents, error details) passes
through :func:`rich.markup.escape` before rich renders it, so a crafted DID
cannot inject markup. JSON mode writes exactly one JSON document to stdout.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from ssi.types import JsonValue

__all__ = ["Output"]


class Output:
    """Write results for people (rich) or for programs (``--json``).

    Args:
        json_mode: write one JSON document to stdout instead of rich output.
    """

    def __init__(self, *, json_mode: bool = False) -> None:
        self.json_mode = json_mode
        self._out = Console(highlight=False, soft_wrap=True, emoji=False)
        self._err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

    def json(self, value: JsonValue) -> None:
        """Write ``value`` as one indented JSON document on stdout."""
        sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def error(self, code: str, message: str) -> None:
        """Write one error line on stderr: ``error[code]: message``."""
        self._err.print(f"[bold red]error[/]\\[{escape(code)}]: {escape(message)}")

    def line(self, text: str, *, style: str | None = None) -> None:
        """Write one line of untrusted text, escaped."""
        self._out.print(escape(text), style=style)

    def panel(
        self,
        title: str,
        rows: Iterable[tuple[str, str]],
        *,
        ok: bool = True,
    ) -> None:
        """Write a titled panel of ``label: value`` rows (values escaped)."""
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column(overflow="fold")
        for label, value in rows:
            grid.add_row(escape(label), escape(value))
        self._out.print(
            Panel(grid, title=escape(title), border_style="green" if ok else "red")
        )

    def table(
        self, title: str, columns: Sequence[str], rows: Iterable[Sequence[str]]
    ) -> None:
        """Write a table; every cell is escaped."""
        table = Table(title=escape(title), title_justify="left")
        for column in columns:
            table.add_column(escape(column), overflow="fold")
        for row in rows:
            table.add_row(*(escape(cell) for cell in row))
        self._out.print(table)
