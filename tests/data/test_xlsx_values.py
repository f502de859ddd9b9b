"""clusterdx.data._xlsx_values: calamine reads plain-value workbooks cell for cell as openpyxl.

The reference is the grid openpyxl's read-only workbook gives (`clusterdx.data.readers._xlsx_rows`,
the reader before calamine; ``tests/data/test_readers.py`` compares it with the fully loaded
workbook): the same rows, blank ones below the table included, and the same cell texts.
"""

from __future__ import annotations

import datetime
import re
import zipfile

import numpy as np
import openpyxl
import pytest
from openpyxl.styles import Font

from clusterdx.data import _xlsx_values
from clusterdx.data.readers import _open_book, _sheet_grid, _xlsx_rows, read_workbook


def _openpyxl_grid(path, sheet: str) -> list[tuple[int, list[str]]]:
    book = openpyxl.load_workbook(path, data_only=True, read_only=True)
    return _xlsx_rows(path, (book, None), sheet)


def _assert_read_like_openpyxl(path, kind: str) -> None:
    found, names, book = _open_book(path)
    assert found == kind
    assert names == openpyxl.load_workbook(path, read_only=True).sheetnames
    for sheet in names:
        assert _sheet_grid(path, found, book, sheet) == _openpyxl_grid(path, sheet), sheet


def _rewrite(path, edit) -> None:
    """Apply ``edit(name, bytes) -> bytes`` to every part of an XLSX package."""
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, edit(name, data))


def _plain_workbook(path) -> None:
    """Gaps, ragged rows, styled empty cells and a row height below the data, booleans, text with
    spaces, awkward floats, merged cells, a second sheet with wrong stated dimensions."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "数据&表"
    ws.append(["地区", "2020年", "2021年"])
    ws.append(["北京", 1.5, 2])
    ws.append([])
    ws.append(["  天津 ", None, 0.1 + 0.2, "extra"])
    ws.append(["河北", True, 1e20, -0.5, 123456789012345678, False])
    ws["H9"].font = Font(bold=True)  # an empty cell that exists only for its style
    ws.row_dimensions[14].height = 30  # a row element without cells
    ws.merge_cells("A11:C11")
    ws["A11"] = "合并"
    other = book.create_sheet("dims")
    for row in (["a", "b"], [1, 2], [3, None, None, 4]):
        other.append(row)
    book.save(path)
    _rewrite(
        path,
        lambda name, data: (
            re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1"/>', data)
            if name == "xl/worksheets/sheet2.xml"
            else data
        ),
    )


def test_plain_workbook_is_read_by_calamine_as_openpyxl_reads_it(tmp_path):
    path = tmp_path / "plain.xlsx"
    _plain_workbook(path)
    assert _xlsx_values.plain_sheets(path.read_bytes()) == {"数据&表": (14, 8), "dims": (3, 4)}
    _assert_read_like_openpyxl(path, "xlsx-values")
    grid = _sheet_grid(path, *_open_book(path)[::2], "数据&表")
    assert grid[3] == (4, ["  天津 ", "", "0.3", "extra", "", "", "", ""])  # as openpyxl wrote it
    assert grid[-1] == (14, [""] * 8)  # the blank rows below the table are there, as in openpyxl


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
_SHARED_STRINGS_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
)
_INLINE_CELL = re.compile(
    rb'(<c r="[A-Z]+[0-9]+")(?: s="[0-9]+")? t="inlineStr"><is>(.*?)</is></c>'
)


def _to_shared_strings(path) -> None:
    """openpyxl writes every text cell inline (``t="inlineStr"``); Excel writes them to the shared
    strings table (``t="s"``): rewrite the package the way Excel would have saved it."""
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    texts: list[bytes] = []

    def shared(match: re.Match) -> bytes:
        texts.append(match[2])
        return match[1] + b' t="s"><v>' + str(len(texts) - 1).encode() + b"</v></c>"

    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = _INLINE_CELL.sub(shared, parts[sheet])
    items = b"".join(b"<si>" + t + b"</si>" for t in texts)
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{_MAIN_NS}" count="{len(texts)}" uniqueCount="{len(texts)}">'.encode()
        + items
        + b"</sst>"
    )
    override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SHARED_STRINGS_TYPE}"/>'
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", override.encode() + b"</Types>"
    )
    relation = f'<Relationship Type="{_SHARED_STRINGS_REL}" Target="sharedStrings.xml" Id="rIdS"/>'
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(b"</Relationships>", relation.encode() + b"</Relationships>")
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, data)


def test_shared_strings_are_read_by_calamine_as_openpyxl_reads_them(tmp_path):
    path = tmp_path / "shared.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["region", "v"])
    book.active.append(["甲 ", 1])
    book.active.append(["  乙", "text & <markup>"])
    book.save(path)
    _to_shared_strings(path)
    sheet_xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert b"inlineStr" not in sheet_xml and b't="s"' in sheet_xml  # the rewrite took effect
    _assert_read_like_openpyxl(path, "xlsx-values")
    assert _sheet_grid(path, *_open_book(path)[::2], "Sheet") == [
        (1, ["region", "v"]),
        (2, ["甲 ", "1"]),
        (3, ["  乙", "text & <markup>"]),
    ]


@pytest.mark.parametrize("seed", range(12))
def test_random_plain_workbooks_are_read_by_calamine_as_openpyxl_reads_them(tmp_path, seed):
    rng = np.random.default_rng(seed)
    book = openpyxl.Workbook()
    ws = book.active
    for _ in range(int(rng.integers(1, 60))):
        row, col = int(rng.integers(1, 25)), int(rng.integers(1, 9))
        kind = rng.integers(0, 7)
        cell = ws.cell(row, col)
        if kind == 0:
            cell.value = int(rng.integers(-(10**12), 10**12))
        elif kind == 1:
            cell.value = float(rng.normal() * 10.0 ** rng.integers(-8, 18))
        elif kind == 2:
            cell.value = "".join(rng.choice(list(" ab甲乙１,.-"), int(rng.integers(1, 6))))
        elif kind == 3:
            cell.value = bool(rng.integers(0, 2))
        elif kind == 4:
            cell.font = Font(italic=True)  # styled, empty
        elif kind == 5:
            ws.row_dimensions[row + 5].height = 20
        else:
            cell.value = float(rng.integers(0, 1000))
    path = tmp_path / f"random{seed}.xlsx"
    book.save(path)
    _assert_read_like_openpyxl(path, "xlsx-values")


def _with_date(ws) -> None:
    ws["A2"] = datetime.date(2021, 5, 1)


def _with_formula(ws) -> None:
    ws["B2"] = "=1+1"


def _with_error(ws) -> None:
    ws["B2"] = "#DIV/0!"  # openpyxl writes the error codes as error cells (t="e")


@pytest.mark.parametrize("add", [_with_date, _with_formula, _with_error])
def test_dates_formulas_and_errors_are_left_to_openpyxl(tmp_path, add):
    path = tmp_path / "other.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    add(book.active)
    book.save(path)
    assert _xlsx_values.plain_sheets(path.read_bytes()) is None
    assert _open_book(path)[0] == "xlsx"


@pytest.mark.parametrize(
    "cell",
    [
        b'<c r="B2" t="e"><v>#DIV/0!</v></c>',
        b"<c r='B2' t='e'><v>#N/A</v></c>",
        b'<c r="B2" s="0" t="d"><v>2021-05-01T00:00:00</v></c>',
    ],
)
def test_error_and_date_cells_are_seen_in_either_quote(cell):
    # calamine would read an error cell as empty: a missing value the audit would not show
    assert _xlsx_values._ERROR_OR_DATE_CELL.search(cell)
    assert not _xlsx_values._ERROR_OR_DATE_CELL.search(b'<c r="B2" t="s"><v>0</v></c>')


def test_single_quoted_references_give_the_same_extent():
    xml = b"<sheetData><row r='2'><c r='C2' t='n'><v>1</v></c></row><row r='5'/></sheetData>"
    assert _xlsx_values._extent(xml) == (5, 3)


def test_awkward_text_is_read_by_calamine_as_openpyxl_reads_it(tmp_path):
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    path = tmp_path / "text.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["line\r\nbreak", "'=not a formula", "tab\there", "\u00a0nbsp ", 5e-324, -0.0])
    ws["A2"] = CellRichText(["plain ", TextBlock(InlineFont(b=True), "bold")])
    book.save(path)
    _assert_read_like_openpyxl(path, "xlsx-values")


def test_character_escapes_are_left_to_openpyxl(tmp_path):
    # "_x0041_" is "A" to calamine (and Excel), the text itself to openpyxl: the reader keeps
    # openpyxl's reading
    path = tmp_path / "escape.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["_x0041_ literal", 1])
    book.save(path)
    assert _xlsx_values.plain_sheets(path.read_bytes()) is None
    assert _sheet_grid(path, *_open_book(path)[::2], "Sheet")[0][1][0] == "_x0041_ literal"


def test_prefixed_or_unreferenced_cells_are_left_to_openpyxl(tmp_path):
    path = tmp_path / "noref.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    book.save(path)
    _rewrite(
        path,
        lambda name, data: (
            data.replace(b'<c r="B1"', b"<c") if name == "xl/worksheets/sheet1.xml" else data
        ),
    )
    assert _xlsx_values.plain_sheets(path.read_bytes()) is None


@pytest.mark.parametrize(
    ("code", "date"),
    [
        ("0.00%", False),
        ("#,##0.00", False),
        ("[Red]0.00", False),
        ('0.0"m"', False),
        ("yyyy年m月", True),
        ('yyyy"年"m"月"d"日"', True),
        ("h:mm:ss", True),
        ("[$-804]dd", True),
    ],
)
def test_date_format_codes_are_recognised_conservatively(code, date):
    assert _xlsx_values._is_date_format(code) is date


def test_demo_yearbook_is_read_by_calamine_as_openpyxl_reads_it():
    from tests.conftest import REPO

    _assert_read_like_openpyxl(REPO / "data_raw" / "demo" / "yearbook_macro.xlsx", "xlsx-values")


def test_damaged_workbook_still_named_by_openpyxls_error(tmp_path):
    from clusterdx.errors import DataError

    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(DataError, match=r"broken\.xlsx: not a readable XLSX workbook"):
        read_workbook(path, ["Sheet"])
