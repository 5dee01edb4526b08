"""Terminal output: the only module that imports rich, and the only way out.

Every command writes through :class:`Output`. For people, every string it is
given (DIDs, ids, credential keys and values, error details) passes through
:func:`escape_untrusted`, which makes rich markup print literally and replaces
the characters a terminal would act on by visible escapes; a panel or table
whose identifiers would have to be broken across lines to fit the terminal is
printed as plain ``label  value`` lines instead, so ids stay whole. For
programs (``--json``), :meth:`Output.json` writes exactly one JSON document
that parses back to the strings exactly as they are (characters a terminal
would act on are written as JSON escapes), and errors are RFC 9457 problem
documents on stderr.

See docs/cli.md for the conventions.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.markup import escape
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ssi.types import JsonValue

__all__ = ["Cell", "Output", "escape_untrusted", "show_controls"]

Cell = str | tuple[str, ...]
"""A value shown in a panel or table: one string, or lines shown one under
another (each escaped on its own; a line break inside a string is shown as
``\\n``, never acted on)."""

_CONTROLS = re.compile(
    "["
    "\x00-\x1f\x7f"  # C0 controls (ESC, BEL, CR, LF, ...) and DEL
    "\x80-\x9f"  # C1 controls, among them U+009B (CSI) and U+0085 (NEL)
    "\u061c\u200e\u200f"  # bidi marks: ALM, LRM, RLM
    "\u2028\u2029"  # line and paragraph separators
    "\u202a-\u202e"  # bidi embeddings and overrides: LRE, RLE, PDF, LRO, RLO
    "\u2066-\u2069"  # bidi isolates: LRI, RLI, FSI, PDI
    "\ud800-\udfff"  # lone surrogates, which no terminal encoding can write
    "]"
)
"""The characters a terminal acts on, or that reorder or hide what it shows."""


_JSON_UNSAFE = re.compile(
    "[\x7f\x80-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
"""The characters of :data:`_CONTROLS` that ``json.dumps(ensure_ascii=False)``
writes raw (it escapes C0 controls itself)."""


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"


_UNBOUNDED = 1_000_000
"""A width no line reaches: renderables measured in it take their natural width."""


def _visible(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def show_controls(text: str) -> str:
    """Replace each control character of ``text`` by a visible escape.

    C0 and C1 controls and DEL become ``\\xHH`` (ESC is ``\\x1b``, U+009B is
    ``\\x9b``); bidi marks, overrides and isolates, the line and paragraph
    separators and lone surrogates become ``\\uHHHH`` (U+202E is ``\\u202e``).
    Every other character is kept.
    """
    return _CONTROLS.sub(_visible, text)


def escape_untrusted(text: str) -> str:
    """Return ``text`` as rich markup that prints it literally and harmlessly.

    Control characters become visible escapes (:func:`show_controls`) and
    rich markup is escaped (:func:`rich.markup.escape`), so a crafted DID,
    credential field or error detail can neither style nor move the
    terminal's output, nor reorder it.
    """
    return escape(show_controls(text))


def _lines(value: Cell) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


def _text(value: Cell) -> Text:
    """Untrusted lines as rich text: escaped, and with no emoji codes
    (``did:key:...`` must not become a key emoji)."""
    markup = "\n".join(escape_untrusted(line) for line in _lines(value))
    return Text.from_markup(markup, emoji=False)


class Output:
    """Write results for people (rich) or for programs (``--json``).

    Args:
        json_mode: write one JSON document to stdout instead of rich output,
            and errors as JSON problem documents on stderr.
    """

    def __init__(self, *, json_mode: bool = False) -> None:
        self.json_mode = json_mode
        self._out = Console(highlight=False, soft_wrap=True, emoji=False)
        self._err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

    # --- for programs -------------------------------------------------------------

    def json(self, value: JsonValue) -> None:
        """Write ``value`` as one indented JSON document on stdout, exactly.

        Characters a terminal would act on (C1 controls, DEL, bidi marks and
        overrides, line separators, lone surrogates) are written as JSON
        ``\\uHHHH`` escapes: a JSON parser reads back the very same strings,
        and a terminal shows them harmlessly.
        """
        text = json.dumps(value, indent=2, ensure_ascii=False)
        sys.stdout.write(_JSON_UNSAFE.sub(_json_escape, text) + "\n")
        sys.stdout.flush()

    def data(self, text: str) -> None:
        """Write machine-readable text (JSON Lines, a DID document) as it is."""
        sys.stdout.write(text)
        sys.stdout.flush()

    def payload(self, data: bytes) -> bool:
        """Write bytes from elsewhere (a decoded QR payload) to stdout.

        Into a pipe or a file they are written exactly; to a terminal they
        are shown as UTF-8 text, each line escaped. Return ``False``, writing
        nothing, when stdout is a terminal and the bytes are not UTF-8 text.
        """
        if not sys.stdout.isatty():
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return True
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        for line in text.rstrip("\n").split("\n"):
            self._out.print(escape_untrusted(line))
        return True

    def problem(self, problem: Mapping[str, JsonValue]) -> None:
        """Write an RFC 9457 problem document on stderr, as one JSON line.

        Non-ASCII characters are written as JSON escapes, so the line decodes
        to the exact strings and still holds nothing a terminal acts on.

        Spec: https://www.rfc-editor.org/rfc/rfc9457#section-3
        """
        sys.stderr.write(json.dumps(dict(problem)) + "\n")
        sys.stderr.flush()

    # --- for people ---------------------------------------------------------------

    def error(self, code: str, message: str) -> None:
        """Write one error line on stderr: ``error[code]: message``."""
        self._err.print(
            f"[bold red]error[/]\\[{escape_untrusted(code)}]: "
            f"{escape_untrusted(message)}"
        )

    def notice(self, text: str) -> None:
        """Write text for people on stderr, line by line, each line escaped."""
        for line in text.rstrip("\n").split("\n"):
            self._err.print(escape_untrusted(line))

    def line(self, text: str, *, style: str | None = None) -> None:
        """Write one line of untrusted text, escaped."""
        self._out.print(escape_untrusted(text), style=style)

    def panel(
        self,
        title: str,
        rows: Iterable[tuple[str, Cell]],
        *,
        ok: bool = True,
    ) -> None:
        """Write a titled panel of ``label  value`` rows (everything escaped).

        When the panel would not fit the terminal without breaking a value
        across lines, the rows are printed as plain lines instead.
        """
        rows = list(rows)
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(no_wrap=True)
        for label, value in rows:
            grid.add_row(_text(label), _text(value))
        style = "green" if ok else "red"
        panel = Panel(grid, title=_text(title), border_style=style)
        if self._fits(panel) and cell_len(show_controls(title)) + 6 <= self._width:
            self._out.print(panel)
            return
        self._out.print(escape_untrusted(title), style=f"bold {style}")
        self._plain_rows(rows)

    def table(
        self, title: str, columns: Sequence[str], rows: Iterable[Sequence[Cell]]
    ) -> None:
        """Write a title line and a table; every cell is escaped.

        When the table would not fit the terminal without breaking a cell
        across lines, each row is printed as plain ``column  value`` lines.
        """
        rows = [list(row) for row in rows]
        table = Table()
        for column in columns:
            table.add_column(_text(column), no_wrap=True)
        for row in rows:
            table.add_row(*(_text(cell) for cell in row))
        self._out.print(escape_untrusted(title), style="bold")
        if self._fits(table):
            self._out.print(table)
            return
        for index, row in enumerate(rows):
            if index:
                self._out.print()
            self._plain_rows(list(zip(columns, row, strict=False)))

    # --- layout -------------------------------------------------------------------

    @property
    def _width(self) -> int:
        return self._out.width

    def _fits(self, renderable: RenderableType) -> bool:
        """True when ``renderable`` needs no line break to fit the terminal."""
        unbounded = self._out.options.update_width(_UNBOUNDED)
        measured = Measurement.get(self._out, unbounded, renderable)
        return measured.maximum <= self._width

    def _plain_rows(self, rows: Sequence[tuple[str, Cell]]) -> None:
        """Print ``  label  value`` lines; values are never broken."""
        width = max((cell_len(show_controls(label)) for label, _ in rows), default=0)
        for label, value in rows:
            shown = show_controls(label)
            pad = " " * (width - cell_len(shown))
            lines = _lines(value) or ("",)
            self._out.print(
                f"  [bold]{escape(shown)}[/]{pad}  {escape_untrusted(lines[0])}"
            )
            for more in lines[1:]:
                self._out.print(" " * (width + 4) + escape_untrusted(more))
