"""clusterdx.data.readers: encodings and numeric parsing."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest

from clusterdx.data.readers import detect_encoding, normalise_full_width, parse_numeric, read_csv
from clusterdx.errors import DataError


def test_utf8_bom_and_gbk_detected(tmp_path):
    bom = tmp_path / "bom.csv"
    bom.write_bytes("地区,值\n北京,1\n".encode("utf-8-sig"))
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("地区,值\n北京,1\n广东,2\n".encode("gbk"))
    assert detect_encoding(bom) == "utf-8-sig"
    assert detect_encoding(gbk) == "gb18030"
    assert read_csv(gbk).frame.columns.tolist() == ["地区", "值"]


def test_declared_gbk_that_is_not(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n\x81\x20,1\n")
    with pytest.raises(DataError, match=r"x\.csv: declared encoding 'gbk' cannot decode byte 0x81"):
        detect_encoding(path, "gbk")


def test_parse_numeric_accepts_separators_and_missing_tokens(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text('v\n"12,345.5"\n—\n-3e2\n\n', encoding="utf-8")
    values = parse_numeric(read_csv(path), "v")
    np.testing.assert_array_equal(values.to_numpy()[[0, 2]], [12345.5, -300.0])
    assert values.isna().sum() == 1


def test_parse_numeric_rejects_text_with_location(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text("v\n1\nn.a.\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"n\.csv, row 3, column 'v': 'n\.a\.'"):
        parse_numeric(read_csv(path), "v")


def test_parse_numeric_rejects_other_scripts_digits_with_location(tmp_path):
    # Arabic-Indic digits matched ``\d`` and then broke Arrow's cast with a traceback
    path = tmp_path / "n.csv"
    path.write_text("v\n1\n\u0661\u0662\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"n\.csv, row 3, column 'v': '\u0661\u0662'"):
        parse_numeric(read_csv(path), "v")


@pytest.mark.parametrize("seed", range(3))
def test_parse_numeric_prefilters_equal_matching_every_cell(tmp_path, seed):
    # the full-width regex runs on non-ASCII cells only and the thousands pattern only where a
    # comma is: the numbers and the full-width mask equal those of matching every cell
    rng = np.random.default_rng(seed)
    pool = [
        "12",
        "1,234.5",
        "-3e2",
        "—",
        "\uff19\uff11",
        "\uff11\uff12\uff0e\uff15",
        "7.",
        "1,234,567",
    ]
    cells = [pool[i] for i in rng.integers(0, len(pool), 200)]
    path = tmp_path / "n.csv"
    path.write_text("v\n" + "\n".join(f'"{c}"' for c in cells) + "\n", encoding="utf-8")
    table = read_csv(path)
    values = parse_numeric(table, "v")
    text = table.frame["v"].astype(str).str.strip()
    _, changed = normalise_full_width(text)
    np.testing.assert_array_equal(changed, text.str.contains(re.compile("[\uff01-\uff5e\u3000]")))
    expected = [
        np.nan if c == "—" else float(unicodedata.normalize("NFKC", c).replace(",", ""))
        for c in cells
    ]
    np.testing.assert_array_equal(values.to_numpy(), expected)


def test_formula_scan_sees_formulas_and_ignores_look_alike_tags(tmp_path):
    import openpyxl

    from clusterdx.data._xlsx_values import has_formulas

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["地区", "值"])
    sheet.append(["北京", 1])
    sheet.auto_filter.ref = "A1:B2"  # writes <autoFilter>, not a formula
    sheet.auto_filter.add_filter_column(0, ["北京"])  # <filterColumn>
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    sheet["C2"] = "=B2*2"
    formula = tmp_path / "formula.xlsx"
    book.save(formula)
    assert not has_formulas(plain.read_bytes())
    assert has_formulas(formula.read_bytes())


# --- the plain-CSV path (pyarrow) gives what the csv-module grid gives --------------------------


def _both_ways(text: str, footer: str = "none"):
    """(`_plain_csv`, `_grid_csv` or the DataError it raises) of ``text`` as a file's content."""
    from pathlib import Path

    from clusterdx.data.readers import Layout, _grid_csv, _plain_csv

    path, layout = Path("t.csv"), Layout(footer=footer)
    plain = _plain_csv(text, path, layout, "utf-8")
    try:
        grid = _grid_csv(text, path, layout, "utf-8")
    except DataError as exc:
        grid = exc
    return plain, grid


def _assert_same_table(plain, grid) -> None:
    import pandas as pd

    assert not isinstance(grid, DataError), grid  # plain only where the grid reads the file
    pd.testing.assert_frame_equal(plain.frame, grid.frame, check_exact=True)
    assert plain.rows.dtype == grid.rows.dtype and plain.rows.tolist() == grid.rows.tolist()
    for name in ("file", "encoding", "sheet", "units", "aliases", "skipped", "lines"):
        assert getattr(plain, name) == getattr(grid, name), name
    assert (plain.header_lines, plain.title_unit) == (grid.header_lines, grid.title_unit)


def test_blank_row_pattern_lists_exactly_pythons_whitespace():
    import pyarrow as pa
    import pyarrow.compute as pc

    from clusterdx.data.readers import _BLANK_ROW

    chars = [chr(i) for i in range(0x110000) if not 0xD800 <= i <= 0xDFFF]
    matched = pc.match_substring_regex(pa.array(chars), _BLANK_ROW).to_numpy(zero_copy_only=False)
    assert matched.tolist() == [c.isspace() for c in chars]


@pytest.mark.parametrize(
    "text",
    [
        "省份,GDP(亿元)\n北京,36102.6\n天津,--\n",
        "a,b\r\n1,2\r\n3,4",  # CRLF, no final newline
        "a,b\n 1 ,\u3000\n,x\n",
    ],
)
def test_plain_csv_equals_the_grid(text):
    _assert_same_table(*_both_ways(text))


@pytest.mark.parametrize(
    ("text", "footer"),
    [
        ('a,b\n"1,5",2\n', "none"),  # quoted: a record may span lines
        ("a,b\n1,2\n\n3,4\n", "none"),  # blank line
        ("a\n1\n \n", "none"),  # one column: a line blank in Python's sense only
        ("a,b\n1,2\n3\n", "none"),  # short line (padded by the grid path)
        ("a,b\n1,2,3\n", "none"),  # an unquoted comma: the grid path words the error
        ("a,b\n1,2\n注：单位为亿元,\n", "auto"),  # footer
        ("a,b\r1,2\r", "none"),  # old Mac line ends
        ("a,a\n1,2\n", "none"),  # repeated header
        ("a,\n1,\n", "none"),  # an empty header cell
        ("a,b\n", "none"),  # header only
    ],
)
def test_what_is_not_plain_goes_the_grid_way(text, footer):
    plain, _ = _both_ways(text, footer)
    assert plain is None


def _csv_texts():
    """CSV texts of a header and 1-6 records of its width, mostly plain: cells drawn from text,
    whitespace and a footer word, now and then a comma, quote or line break that makes them not."""
    from hypothesis import strategies as st

    char = st.sampled_from([*"ab1 .\u3000\t注" * 15, ",", '"', "\r", "\n"])

    @st.composite
    def texts(draw) -> str:
        width = draw(st.integers(1, 3))
        cells = st.lists(st.text(char, min_size=1, max_size=3), min_size=width, max_size=width)
        rows = draw(st.lists(cells, min_size=1, max_size=6))
        end = draw(st.sampled_from(["\n", "\r\n"]))
        last = end if draw(st.booleans()) else ""
        return end.join(",".join(r) for r in [[" x", "y ", "注z"][:width], *rows]) + last

    return texts()


def test_plain_csv_is_the_grid_on_random_files():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(_csv_texts(), st.sampled_from(["none", "auto"]))
    def check(text, footer):
        plain, grid = _both_ways(text, footer)
        if plain is not None:
            _assert_same_table(plain, grid)

    check()


# --- XLSX sheets read in openpyxl's read-only mode give the fully loaded workbook's grid --------


def _full_load_grid(path, sheet: str) -> list[tuple[int, list[str]]]:
    """A sheet's grid from a fully loaded workbook (``ws.iter_rows()``: rows 1..max_row, each
    A..max_column), the way the reader read sheets before it opened them read-only."""
    import openpyxl

    from clusterdx.data.readers import _cell_text

    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return [(row[0].row, [_cell_text(c.value) for c in row]) for row in ws.iter_rows(min_row=1)]


def _awkward_workbook(path) -> None:
    """Gaps, a styled empty cell beyond the data, ragged rows, dates, booleans, a cached formula,
    and a second sheet whose stated dimensions are wrong (``A1``)."""
    import datetime
    import re
    import zipfile

    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "数据"
    ws.append(["地区", "2020年", "2021年"])
    ws.append(["北京", 1.5, 2])
    ws.append([])
    ws.append(["天津", None, 3.25, "extra"])
    ws["F7"].font = Font(bold=True)  # an empty cell that exists only for its style
    ws.append(["河北", True, datetime.date(2021, 5, 1)])
    other = book.create_sheet("dims")
    for row in (["a", "b"], [1, 2], [3, None, None, 4]):
        other.append(row)
    ws["E2"] = "=B2*2"
    book.save(path)
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    # the formula's cached value, as Excel saves it; the second sheet's dimensions wrong
    sheet1, sheet2 = "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"
    parts[sheet1] = parts[sheet1].replace(b"<f>B2*2</f><v></v>", b"<f>B2*2</f><v>3</v>")
    parts[sheet2] = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1"/>', parts[sheet2])
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, data)


def test_read_only_sheet_rows_equal_the_fully_loaded_grid(tmp_path):
    from clusterdx.data.readers import _open_book, _xlsx_rows

    path = tmp_path / "awkward.xlsx"
    _awkward_workbook(path)
    _, names, book = _open_book(path)
    for sheet in names:
        assert _xlsx_rows(path, book, sheet) == _full_load_grid(path, sheet), sheet
    assert _xlsx_rows(path, book, "数据")[1] == (2, ["北京", "1.5", "2", "", "3", ""])
    assert _xlsx_rows(path, book, "dims")[-1] == (3, ["3", "", "", "4"])  # past the stated A1


def test_read_only_sheet_rows_of_the_demo_yearbook_equal_the_fully_loaded_grid():
    import openpyxl

    from clusterdx.data.readers import _open_book, _sheet_grid, _xlsx_rows
    from tests.conftest import REPO

    path = REPO / "data_raw" / "demo" / "yearbook_macro.xlsx"
    kind, names, book = _open_book(path)  # plain values: calamine (tests/data/test_xlsx_values.py)
    read_only = (openpyxl.load_workbook(path, data_only=True, read_only=True), None)
    for sheet in names:
        assert _xlsx_rows(path, read_only, sheet) == _full_load_grid(path, sheet), sheet
        assert _sheet_grid(path, kind, book, sheet) == _full_load_grid(path, sheet), sheet
