"""The one intermediate cell grid every table format is written from.

A table is built once as a :class:`Grid` of formatted strings; the LaTeX, Word, HTML, Markdown and
Excel writers only lay those strings out, so two formats of the same table can never show different
numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NUMERIC = re.compile(r"^\(?-?\d+(\.\d+)?\)?(\*+)?$")


@dataclass(frozen=True)
class Span:
    """A header cell spanning ``width`` columns, starting at column ``start`` (0 = the label column)."""

    text: str
    start: int
    width: int = 1


@dataclass(frozen=True)
class Grid:
    """A table as strings.

    Attributes
    ----------
    header : header rows, each a list of :class:`Span` covering every column once, top row first.
        The rule below the header sits under the last of them.
    body : body rows, each a list of ``ncols`` strings; column 0 holds the row labels.
    title : caption shown above the table, or ``None``.
    notes : note paragraphs shown below the table.
    group_rule : ``(start, width)`` column ranges of the first header row that carry a group
        heading; LaTeX underlines them with ``\\cmidrule`` (Word keeps its three rules only).
    """

    header: tuple[tuple[Span, ...], ...]
    body: tuple[tuple[str, ...], ...]
    title: str | None = None
    notes: tuple[str, ...] = ()
    group_rule: tuple[tuple[int, int], ...] = field(default=())

    @property
    def ncols(self) -> int:
        """Number of columns, label column included."""
        return len(self.body[0]) if self.body else sum(s.width for s in self.header[-1])

    def header_cells(self, row: int) -> list[str]:
        """Header row ``row`` expanded to one string per column (a span's text in its first column)."""
        cells = [""] * self.ncols
        for span in self.header[row]:
            cells[span.start] = span.text
        return cells


def is_numeric(cell: str) -> bool:
    """Whether a cell is a number as the tables format them: ``-0.123***``, ``(0.045)``, ``816``."""
    return bool(_NUMERIC.match(cell))


def format_number(value: float, digits: int) -> str:
    """Format ``value`` with ``digits`` decimals, never printing a negative zero."""
    out = f"{value:.{digits}f}"
    if out.startswith("-") and float(out) == 0.0:
        out = out[1:]
    return out
