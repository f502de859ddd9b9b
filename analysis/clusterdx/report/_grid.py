"""The one intermediate cell grid every table format is written from.

A table is built once as a :class:`Grid` of formatted strings; the LaTeX, Word, HTML, Markdown and
Excel writers only lay those strings out, so two formats of the same table can never show different
numbers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

_NUMERIC = re.compile(r"^\(?-?\d+(\.\d+)?(e[-+]\d+)?\)?(\*+)?$")

Digits = int | Literal["auto"]
# "auto": at least this many decimals, more where a number would show fewer than two significant
# digits; numbers below SCIENTIFIC_BELOW in absolute value are printed in scientific notation.
AUTO_MIN_DECIMALS = 3
SCIENTIFIC_BELOW = 1e-4


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


def format_number(value: float, digits: Digits) -> str:
    """Format ``value`` with ``digits`` decimals, never printing a negative zero.

    ``digits="auto"`` keeps at least two significant digits in every non-zero number: three
    decimals, more for small numbers (0.007 -> ``0.0070``), scientific notation below 1e-4
    (0.0000123 -> ``1.2e-05``). This is the one number formatter of every table.

    >>> format_number(0.00712, "auto"), format_number(-0.0000123, "auto"), format_number(846.52, 1)
    ('0.0071', '-1.2e-05', '846.5')
    """
    if digits == "auto":
        if value == 0 or not math.isfinite(value):
            digits = AUTO_MIN_DECIMALS
        elif abs(value) < SCIENTIFIC_BELOW:
            return f"{value:.1e}"
        else:
            digits = max(AUTO_MIN_DECIMALS, 1 - math.floor(math.log10(abs(value))))
    out = f"{value:.{digits}f}"
    if out.startswith("-") and float(out) == 0.0:
        out = out[1:]
    return out
