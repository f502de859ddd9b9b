"""Write a table grid to an Excel sheet with openpyxl, ruled as a three-line table.

Cells hold the table's strings as shown (``0.123***``, ``(0.045)``), not numbers, so the sheet
always agrees with the other formats; the title sits above the table and the notes below it.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from clusterdx.report import _package
from clusterdx.report._grid import Grid

_THICK = Side(style="medium", color="000000")
_THIN = Side(style="thin", color="000000")


def render(grid: Grid, *, font: str = "Times New Roman", size_pt: float = 10.5) -> bytes:
    """Return the bytes of an .xlsx with one sheet holding ``grid``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Table"
    plain = Font(name=font, size=size_pt)
    ncols = grid.ncols
    row = 1
    if grid.title is not None:
        sheet.cell(row=row, column=1, value=grid.title).font = Font(
            name=font, size=size_pt, bold=True
        )
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center")
        row += 1

    first_header = row
    for spans in grid.header:
        for span in spans:
            cell = sheet.cell(row=row, column=span.start + 1, value=span.text or None)
            cell.font = plain
            cell.alignment = Alignment(horizontal="left" if span.start == 0 else "center")
            if span.width > 1:
                sheet.merge_cells(
                    start_row=row,
                    start_column=span.start + 1,
                    end_row=row,
                    end_column=span.start + span.width,
                )
        row += 1
    last_header = row - 1
    for values in grid.body:
        for c, text in enumerate(values):
            cell = sheet.cell(row=row, column=c + 1, value=text or None)
            cell.font = plain
            cell.alignment = Alignment(horizontal="left" if c == 0 else "center")
        row += 1
    last_body = row - 1

    for c in range(1, ncols + 1):
        for r in range(first_header, last_body + 1):
            top = _THICK if r == first_header else None
            bottom = _THICK if r == last_body else (_THIN if r == last_header else None)
            if top or bottom:
                sheet.cell(row=r, column=c).border = Border(top=top, bottom=bottom)

    for note in grid.notes:
        sheet.cell(row=row, column=1, value=note).font = plain
        row += 1

    sheet.column_dimensions["A"].width = max([10.0, *(len(r[0]) * 1.6 + 2 for r in grid.body)])
    for c in range(2, ncols + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 14

    buffer = io.BytesIO()
    workbook.save(buffer)
    return _package.normalise(buffer.getvalue(), title=grid.title or "")
