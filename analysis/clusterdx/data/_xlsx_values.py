"""XLSX sheets of plain values read by calamine, cell for cell as openpyxl's read-only grid.

openpyxl parses every cell in Python (2.0 s for the county yearbook's five sheets of 2,852 × 14
cells, and 0.2–0.4 s to import); python-calamine parses the sheet XML in Rust (0.25 s, imported in
20 ms). It is used only where it is known to give the very values openpyxl gives, which
`plain_sheets` checks on the raw XML:

* no formula (``<f>``) in any sheet: openpyxl's second, formula-reading load is what names a
  formula without a cached value (`clusterdx.data.readers._xlsx_rows`);
* no error cell (``t="e"``): calamine reads ``#DIV/0!`` as an empty cell, openpyxl as its text;
  no ISO 8601 date cell (``t="d"``);
* no OOXML character escape (``_x000D_``) in the text: calamine decodes it, openpyxl keeps it;
* no cell style whose number format openpyxl could read as a date or time (built-in formats 14–22,
  27–36, 45–47, 50–58, or a custom format code with a d, m, y, h or s outside quotes and brackets;
  a superset of openpyxl's test): the two libraries detect dates each their own way;
* every cell and row element carries its reference (``r="B7"``) and no element has a namespace
  prefix, so that the extent of the grid can be read from the XML;
* every sheet is a worksheet (no chart sheet).

Any other workbook is read by openpyxl. calamine's rows run from A1 to the last cell holding a
value; openpyxl's to the last cell or row element (a styled empty cell, a row with a height): the
calamine grid is padded to that extent, so that blank lines below the table are audited alike.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
#: Built-in number formats that are dates or times (ECMA-376 §18.8.30, CJK ids included)
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_QUOTED_OR_BRACKETED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_DATE_LETTERS = re.compile(r"[dmyhsDMYHS]")
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
#: an error cell (``t="e"``) or an ISO 8601 date cell (``t="d"``), either quote
_ERROR_OR_DATE_CELL = re.compile(rb"<c\s[^>]*\bt=[\"'][ed][\"']")
#: an OOXML character escape (``_x000D_``): calamine decodes it, openpyxl keeps it as text
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|row|sheetData)[\s>/]")
_CELL_TAG = re.compile(rb"<c[\s>/]")
_CELL_REF = re.compile(rb"<c\s[^>]*?\br=[\"']([A-Z]{1,3})([0-9]+)[\"']")
_ROW_TAG = re.compile(rb"<row[\s>/]")
_ROW_REF = re.compile(rb"<row\s[^>]*?\br=[\"']([0-9]+)[\"']")


def has_formulas(data: bytes) -> bool:
    """Whether any worksheet of an XLSX file holds a formula (an ``<f>`` element in its XML).

    Loading the workbook a second time with ``data_only=False`` (to see formulas) doubles
    openpyxl's reading time; a scan of the raw sheet XML tells whether that second load is needed.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(
            _FORMULA.search(archive.read(name))
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


def _is_date_format(code: str) -> bool:
    """Whether a custom number format code could show a date or time (conservative)."""
    return bool(_DATE_LETTERS.search(_QUOTED_OR_BRACKETED.sub("", code)))


def _styles_have_dates(archive: zipfile.ZipFile) -> bool:
    if "xl/styles.xml" not in archive.namelist():
        return False
    root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    custom = {
        int(fmt.get("numFmtId", "0")): fmt.get("formatCode", "")
        for fmt in root.iter(f"{_MAIN}numFmt")
    }
    cell_xfs = root.find(f"{_MAIN}cellXfs")
    for xf in [] if cell_xfs is None else cell_xfs.iter(f"{_MAIN}xf"):
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id in _DATE_FORMAT_IDS or (fmt_id in custom and _is_date_format(custom[fmt_id])):
            return True
    return False


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str] | None:
    """{sheet name: worksheet XML part}, in the workbook's order; None if a sheet is not a worksheet."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{_PACKAGE_REL}Relationship"):
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[rel.get("Id")] = (rel.get("Type"), part)
    parts = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        kind, part = targets.get(sheet.get(f"{_REL}id"), (None, ""))
        if kind != _WORKSHEET_TYPE:
            return None
        parts[sheet.get("name", "")] = part
    return parts


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number


def _extent(xml: bytes) -> tuple[int, int] | None:
    """(last row, last column) of the cell and row elements; None if one lacks its reference."""
    cells = _CELL_REF.findall(xml)
    rows = _ROW_REF.findall(xml)
    if len(cells) != len(_CELL_TAG.findall(xml)) or len(rows) != len(_ROW_TAG.findall(xml)):
        return None
    last_row = max((int(r) for r in rows), default=0)
    last_col = 0
    for letters, row in cells:
        last_row = max(last_row, int(row))
        last_col = max(last_col, _column_number(letters))
    return last_row, last_col


def plain_sheets(data: bytes) -> dict[str, tuple[int, int]] | None:
    """{sheet name: (rows, columns) of openpyxl's grid} where calamine may read the workbook.

    ``None`` where openpyxl must (module docstring), including a package this scan cannot read:
    openpyxl then reads it, and names what is wrong with it.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = _sheet_parts(archive)
            if parts is None or _styles_have_dates(archive):
                return None
            names = archive.namelist()
            if "xl/sharedStrings.xml" in names and _ESCAPE.search(
                archive.read("xl/sharedStrings.xml")
            ):
                return None
            extents = {}
            for name, part in parts.items():
                xml = archive.read(part)
                if any(p.search(xml) for p in (_FORMULA, _ERROR_OR_DATE_CELL, _PREFIXED, _ESCAPE)):
                    return None
                extent = _extent(xml)
                if extent is None:
                    return None
                extents[name] = extent
            return extents
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, OSError):
        return None


def open_values(data: bytes) -> Any:
    """The workbook opened by calamine; ``None`` where calamine cannot (openpyxl then reads it)."""
    import python_calamine

    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.CalamineError:
        return None


def sheet_values(book: Any, sheet: str, extent: tuple[int, int]) -> list[list[Any]]:
    """Cell values of a sheet from A1, ``extent`` rows of ``extent`` columns ("" where empty)."""
    rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    n_rows, n_cols = extent
    width = max(n_cols, max(map(len, rows), default=0))
    out = [row + [""] * (width - len(row)) for row in rows]
    out += [[""] * width for _ in range(n_rows - len(out))]
    return out
