"""Read raw CSV (UTF-8 / GBK / GB18030), XLSX and XLS files into string tables that remember row numbers.

Cells are read as text and parsed into numbers by `parse_numeric`, so that a non-numeric cell is
reported with its file, sheet, row and column instead of being coerced to NaN. Row numbers are those a
person sees: the line number in a CSV file or the row number in a spreadsheet, header rows and lines
above the header included.

A file is read as a grid of rows first (the Python ``csv`` module; for XLSX ``python-calamine``
where the workbook holds plain values and ``openpyxl`` where it holds formulas, error cells or
dates, `clusterdx.data._xlsx_values`; ``xlrd`` for the legacy XLS format), then cut into its parts
by the `Layout` of its ``[[sources]]`` entry: lines above the header (the ``数据库：`` / ``指标：`` /
``时间：`` lines of a 国家数据 export), one to three header rows (CSMAR / CNRDS exports put a field
code, a Chinese name and a unit in three rows), the records, and a footer (``注：``, ``数据来源：``,
blank lines). Every line that is not a record is kept in `RawTable.skipped` with its reason, so that
the audit counts every line of the file.

A plain CSV file (no quote character, one header line, every line a record of the header's width,
no blank or footer line) is the common case of a large export, and one where the grid says nothing
more than the file: every record is its own line. `_plain_csv` reads such a file with pyarrow's
CSV parser straight into string columns (0.78 M rows in well under a second instead of seconds
for the Python ``csv`` loop and the grid of lists); whatever it does not recognise as plain goes
the grid way, which also words every error. Both give the same `RawTable`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from charset_normalizer import from_bytes

from clusterdx.data import _xlsx_values
from clusterdx.data.units import header_unit
from clusterdx.errors import DataError

#: Cell texts that mean "no value" in Chinese yearbooks and exports (blank, NA, dashes, ellipses).
MISSING_TOKENS = frozenset({"", "NA", "N/A", "NaN", "nan", "-", "--", "—", "…", "...", "……"})

#: First words of the footnote lines that close a yearbook table or a database export.
FOOTER_WORDS = ("注", "数据来源", "资料来源", "来源", "说明", "备注", "Note", "Source")

#: A number as Arrow's cast reads it; ASCII digits only (``\d`` would also take other scripts'
#: digits, e.g. ``١٢``, which the cast cannot parse): anything else is a non-numeric cell. Plain
#: pattern strings, matched by Arrow's vectorised regex engine (see ``_FULL_WIDTH``).
_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_THOUSANDS = r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$"
#: Full-width forms and the ideographic space; a plain string (not ``re.compile``), which pandas
#: hands to pyarrow's vectorised regex engine (a compiled pattern is matched cell by cell, 4x slower).
_FULL_WIDTH = "[\uff01-\uff5e\u3000]"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: A row whose cells are all whitespace in Python's sense (``str.isspace``, which ``_blank`` uses), as
#: a pattern for pyarrow's regex engine, where ``\s`` is ASCII only: the characters are listed
#: (tests/data/test_readers.py checks the list against ``str.isspace``).
_BLANK_ROW = (
    r"^[\x{9}-\x{d}\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}"
    r"\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]*$"
)


@dataclass(frozen=True)
class Layout:
    """Where the header, the units and the records sit in a raw file (keys of ``[[sources]]``).

    Attributes
    ----------
    header_row
        1-based row of the (first) header row; rows above it are skipped and audited.
    header_rows
        Number of header rows: 1, or 2-3 for database exports (field code, name, unit). Columns are
        named by the first header row and may also be referred to by the second.
    units_row
        1-based row holding the unit of each column (default: the third header row when
        ``header_rows = 3``).
    footer
        ``"auto"`` drops trailing footnote lines (``注：``, ``数据来源：``, blank), each audited.
    """

    header_row: int = 1
    header_rows: int = 1
    units_row: int | None = None
    footer: Literal["none", "auto"] = "none"


@dataclass(frozen=True)
class RawTable:
    """A raw table as text: ``frame`` holds strings, ``rows`` the human row number of each record.

    ``units`` maps a column to the unit its header (``GDP(亿元)``), the units row or the ``指标：`` line
    above the header states; ``aliases`` maps the names of a second header row to the columns;
    ``skipped`` lists the lines that are not records (with ``row``, ``reason`` and ``text``);
    ``lines`` is the number of rows of the file or sheet and ``header_lines`` the number of header
    rows, so that ``lines == header_lines + len(skipped) + len(frame)``.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    file: Path
    encoding: str | None = None
    sheet: str | None = None
    units: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    skipped: tuple[dict[str, Any], ...] = ()
    lines: int = 0
    header_lines: int = 1
    title_unit: str | None = None

    @property
    def label(self) -> str:
        """``file`` or ``file, sheet 'S'``: how messages name the table."""
        return f"{self.file.name}, sheet '{self.sheet}'" if self.sheet else self.file.name

    def where(self, position: int, column: str | None = None) -> str:
        """Human location of a record, e.g. ``"innovation.csv, row 57, column '年份'"``."""
        col = f", column '{column}'" if column is not None else ""
        return f"{self.label}, row {int(self.rows[position])}{col}"

    def column(self, name: str) -> str:
        """The frame column called ``name`` in the first header row or the second (an alias)."""
        return name if name in self.frame.columns else self.aliases.get(name, name)


def _looks_big5(data: bytes, text: str | None) -> bool:
    """Big5 bytes often decode as GB18030 too, into rare characters outside GB2312."""
    try:
        data.decode("big5")
    except UnicodeDecodeError:
        return False
    if text is None:
        return True
    cjk = [c for c in text if ord(c) > 127]
    if not cjk:
        return False
    outside = 0
    for char in cjk:
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            outside += 1
    return outside / len(cjk) > 0.2


def _mixed_lines(data: bytes) -> tuple[int, int] | None:
    """(first UTF-8 line, first non-UTF-8 line) when a file mixes UTF-8 lines with GBK ones."""
    utf8 = other = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            other = other or number
        else:
            if re.search(r"[\u4e00-\u9fff]", text):  # Chinese text, not bytes valid by chance
                utf8 = utf8 or number
        if utf8 and other:
            return utf8, other
    return None


def detect_encoding(path: Path, declared: str = "auto") -> str:
    """Return the encoding of a CSV file: ``utf-8`` (with or without BOM) or ``gb18030``.

    GB18030 is a superset of GBK and GB2312, so GBK files are read as GB18030. Big5 (traditional
    Chinese) files and files mixing UTF-8 and GBK lines are refused with a message saying so.

    Raises
    ------
    DataError
        If ``declared`` is ``"utf-8"`` but the bytes are not valid UTF-8 (typically a GBK export from
        Excel), if the file looks like Big5 or mixes encodings, or if no Chinese encoding decodes it.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> gbk = Path(tmp.name, "gbk.csv")
    >>> _ = gbk.write_bytes("地区,值".encode("gbk"))
    >>> detect_encoding(gbk)
    'gb18030'
    >>> detect_encoding(gbk, declared="utf-8")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clusterdx.errors.DataError: gbk.csv: not UTF-8 (byte 0xb5 at offset 0); it looks like ... Set encoding = 'gbk' ...
    >>> mixed = Path(tmp.name, "mixed.csv")
    >>> _ = mixed.write_bytes("地区,值\\n".encode("gbk") + "北京,1\\n".encode("utf-8"))
    >>> detect_encoding(mixed)
    Traceback (most recent call last):
    ...
    clusterdx.errors.DataError: mixed.csv: mixed encodings at line 2: that line is UTF-8 but line 1 is not (GBK?). Re-save the whole file in one encoding (UTF-8)
    >>> tmp.cleanup()
    """
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        mixed = None
    except UnicodeDecodeError:
        mixed = _mixed_lines(data)
    if mixed is not None:
        utf8, other = mixed
        raise DataError(
            f"{path.name}: mixed encodings at line {utf8}: that line is UTF-8 but line {other} is not "
            "(GBK?). Re-save the whole file in one encoding (UTF-8)"
        )
    if declared in ("gbk", "gb18030"):
        try:
            data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{path.name}: declared encoding '{declared}' cannot decode byte {data[exc.start]:#04x} "
                f"at offset {exc.start}; set encoding = 'auto' in the [[sources]] entry"
            ) from None
        return "gb18030"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        guess = from_bytes(data[:200_000], cp_isolation=["gb18030", "gbk", "big5", "utf_16"]).best()
        guessed = guess.encoding if guess is not None else "unknown"
        if declared == "utf-8":
            raise DataError(
                f"{path.name}: not UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start}); it looks "
                f"like {guessed.upper()}. Set encoding = 'gbk' (or 'auto') in the [[sources]] entry "
                "for this file, or re-save it as UTF-8"
            ) from None
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if _looks_big5(data, text):
            raise DataError(
                f"{path.name}: this file looks like Big5 (traditional Chinese), which clusterdx does "
                "not read; re-save it as UTF-8 (or GBK)"
            ) from None
        if text is None:
            raise DataError(
                f"{path.name}: neither UTF-8 nor GBK/GB18030 (best guess {guessed}); re-save it as UTF-8"
            ) from None
        return "gb18030"
    return "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"


def _check_exists(path: Path) -> bytes:
    if not path.exists():
        raise DataError(f"raw file {path} does not exist (check [[sources]].file and [paths].raw)")
    data = path.read_bytes()
    if not data.strip():
        raise DataError(f"{path.name}: the file is empty; export the table again")
    return data


def read_csv(path: Path, encoding: str = "auto", layout: Layout | None = None) -> RawTable:
    """Read a CSV file as text, detecting UTF-8 / GBK / GB18030.

    Every cell is kept as a string; ``rows`` holds the line number of each record (header = line 1
    unless ``layout.header_row`` says otherwise), used in error messages.

    Raises
    ------
    DataError
        If the file does not exist, is empty, has only a header, cannot be decoded (see
        `detect_encoding`), or has a line with more fields than the header (an unquoted comma).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name, "gdp.csv")
    >>> frame = pd.DataFrame({"省份": ["北京", "天津"], "GDP": ["36102.6", "--"]})
    >>> frame.to_csv(path, index=False, encoding="gbk")
    >>> table = read_csv(path)
    >>> table.encoding, table.frame.columns.tolist(), table.rows.tolist()
    ('gb18030', ['省份', 'GDP'], [2, 3])
    >>> table.frame["GDP"].tolist()
    ['36102.6', '--']
    >>> _ = path.write_text("省份,GDP\\n北京,4775060,6\\n", encoding="utf-8")
    >>> read_csv(path)
    Traceback (most recent call last):
    ...
    clusterdx.errors.DataError: gdp.csv, line 2: 3 fields but the header has 2: an unquoted comma inside a value (a decimal comma such as 4775060,6, or a thousands separator)? Quote the value or write it without the comma (4775060.6)
    >>> tmp.cleanup()
    """
    data = _check_exists(path)
    if data.startswith((b"PK\x03\x04", _XLS_MAGIC)):
        raise DataError(
            f"{path.name}: this is an Excel workbook, not a CSV file; rename it .xlsx (or .xls)"
        )
    enc = detect_encoding(path, encoding)
    text = path.read_text(encoding=enc)
    layout = layout or Layout()
    return _plain_csv(text, path, layout, enc) or _grid_csv(text, path, layout, enc)


def _grid_csv(text: str, path: Path, layout: Layout, enc: str) -> RawTable:
    """`read_csv` through the Python ``csv`` module: the grid of (line number, cells) of any CSV."""
    reader = csv.reader(io.StringIO(text, newline=""))
    grid, ended = [], 0
    try:
        for cells in reader:  # a record starts on the line after the previous one ended
            grid.append((ended + 1, cells))
            ended = reader.line_num
    except csv.Error as exc:
        raise DataError(
            f"{path.name}, line {reader.line_num}: not a valid CSV line ({exc})"
        ) from None
    return _table(grid, path, layout, encoding=enc, unit="line")


def _plain_csv(text: str, path: Path, layout: Layout, enc: str) -> RawTable | None:
    """`read_csv` of a plain CSV file by pyarrow, or None where the file is not plain.

    Plain: the default layout (header on line 1, one header row, no units row); no quote
    character, NUL or lone carriage return (so that every record is one line, as the ``csv``
    module splits it); a header of distinct non-empty names; every further line a record with the
    header's number of fields (pyarrow refuses any other line) that is not blank nor, with
    ``footer = "auto"``, the file's last line as a footer. Then `_grid_csv` would return the same
    table: line numbers 2, 3, ... and nothing skipped.
    """
    if (layout.header_row, layout.header_rows, layout.units_row) != (1, 1, None):
        return None
    if '"' in text or "\x00" in text or text.count("\r") != text.count("\r\n"):
        return None
    first, newline, body = text.partition("\n")
    header = [c.strip() for c in first.removesuffix("\r").split(",")]
    if not newline or not all(header) or len(set(header)) < len(header):
        return None
    names = [f"c{i}" for i in range(len(header))]
    try:
        parsed = pa_csv.read_csv(
            io.BytesIO(body.encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(
                quote_char=False, escape_char=False, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[],
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeEncodeError):  # a line of another width; a lone surrogate
        return None
    if parsed.num_rows == 0:
        return None
    joined = pc.binary_join_element_wise(*parsed.columns, "")
    if pc.any(pc.match_substring_regex(joined, _BLANK_ROW)).as_py():
        return None
    if layout.footer == "auto" and _is_footer([column[-1].as_py() for column in parsed.columns]):
        return None
    frame = parsed.rename_columns(header).to_pandas()
    rows = np.arange(2, parsed.num_rows + 2, dtype="int64")
    units = {name: header_unit(name) for name in header}
    return RawTable(
        frame,
        rows,
        path,
        encoding=enc,
        units={k: v for k, v in units.items() if v},
        lines=parsed.num_rows + 1,
    )


def _cell_text(value: Any) -> str:
    """A spreadsheet value as the text a person sees (integral floats without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def sheet_names(path: Path) -> list[str]:
    """Names of the sheets of an XLSX or XLS workbook, in order."""
    return _open_book(path)[1]


def _open_book(path: Path):
    """(kind, sheet names, opened workbook(s)) of an XLSX or XLS file, with clear errors."""
    data = _check_exists(path)
    if data.startswith(_XLS_MAGIC):
        import xlrd

        try:
            book = xlrd.open_workbook(file_contents=data)
        except xlrd.XLRDError as exc:
            raise DataError(
                f"{path.name}: not a readable XLS workbook ({exc}); re-save it as XLSX"
            ) from None
        return "xls", book.sheet_names(), book
    if not data.startswith(b"PK"):
        raise DataError(
            f"{path.name}: not an Excel workbook (neither XLSX nor XLS); if it is a CSV file, name it .csv"
        )
    extents = _xlsx_values.plain_sheets(data)
    values = _xlsx_values.open_values(data) if extents is not None else None
    if values is not None:  # plain values: calamine gives openpyxl's cells, 8x faster
        return "xlsx-values", list(extents), (values, extents)
    import openpyxl

    try:  # read-only: rows are parsed as they are iterated, no cell objects kept (`_xlsx_rows`)
        values = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
        formulas = (
            openpyxl.load_workbook(io.BytesIO(data), data_only=False, read_only=True)
            if _xlsx_values.has_formulas(data)
            else None
        )
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise DataError(
            f"{path.name}: not a readable XLSX workbook, truncated or damaged ({type(exc).__name__}: "
            f"{exc}); open it in Excel or LibreOffice and save it again"
        ) from None
    return "xlsx", list(values.sheetnames), (values, formulas)


def read_xlsx_sheet(path: Path, sheet: str, layout: Layout | None = None) -> RawTable:
    """Read one sheet of an XLSX (or legacy XLS) workbook as text (first row = header by default).

    ``rows`` holds the spreadsheet row number of each record (header = row 1). A formula cell whose
    value was never computed (a workbook written by a program, not saved by Excel) is an error naming
    the cell: ``openpyxl`` cannot compute formulas and would read it as blank.

    Raises
    ------
    DataError
        If the file does not exist, is not a readable workbook (truncated, damaged), has no sheet named
        ``sheet`` (the message lists the sheets), or holds a formula without a cached value.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name, "yearbook.xlsx")
    >>> frame = pd.DataFrame({"地区": ["广东", "广西"], "2020年": [110760.9, 22156.7]})
    >>> frame.to_excel(path, sheet_name="GDP", index=False)
    >>> table = read_xlsx_sheet(path, "GDP")
    >>> table.frame.columns.tolist(), table.frame["2020年"].tolist(), table.rows.tolist()
    (['地区', '2020年'], ['110760.9', '22156.7'], [2, 3])
    >>> table.where(1, "2020年")
    "yearbook.xlsx, sheet 'GDP', row 3, column '2020年'"
    >>> read_xlsx_sheet(path, "gdp")
    Traceback (most recent call last):
    ...
    clusterdx.errors.DataError: yearbook.xlsx: no sheet named 'gdp'; sheets: GDP
    >>> tmp.cleanup()
    """
    return read_workbook(path, [sheet], layout)[0]


def read_workbook(path: Path, sheets: list[str], layout: Layout | None = None) -> list[RawTable]:
    """Read several sheets of one XLSX or XLS workbook (opened once), as `read_xlsx_sheet` does."""
    kind, names, book = _open_book(path)
    for sheet in sheets:
        if sheet not in names:
            raise DataError(
                f"{path.name}: no sheet named {sheet!r}; sheets: {', '.join(map(str, names))}"
            )
    return [_sheet_table(path, kind, book, sheet, layout or Layout()) for sheet in sheets]


def _sheet_table(path: Path, kind: str, book: Any, sheet: str, layout: Layout) -> RawTable:
    return _table(_sheet_grid(path, kind, book, sheet), path, layout, sheet=sheet, unit="row")


def _sheet_grid(path: Path, kind: str, book: Any, sheet: str) -> list[tuple[int, list[str]]]:
    """(row number, cell texts) of every row of a sheet opened by `_open_book`, from row 1."""
    if kind == "xlsx-values":
        values, extents = book
        return _grid(_xlsx_values.sheet_values(values, sheet, extents[sheet]))
    if kind == "xlsx":
        return _xlsx_rows(path, book, sheet)
    import xlrd

    grid = []
    ws = book.sheet_by_name(sheet)
    for r in range(ws.nrows):
        cells = []
        for cell in ws.row(r):
            if cell.ctype == xlrd.XL_CELL_ERROR:
                cells.append(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                cells.append("")
            else:
                cells.append(_cell_text(cell.value))
        grid.append((r + 1, cells))
    return grid


def _xlsx_rows(path: Path, book: Any, sheet: str) -> list[tuple[int, list[str]]]:
    """The (row number, cell texts) of every row of an XLSX sheet, each as wide as the widest row.

    The workbooks are open read-only (openpyxl parses a sheet's rows as they are iterated instead
    of building a cell object for every cell first: a third less time). The sheet's stated
    dimensions are ignored (some programs write them wrong): every row comes as far as its last
    cell and rows without cells come empty, and padding each to the widest gives the grid that
    ``ws.iter_rows()`` of a fully loaded workbook gives (rows 1 .. max_row, columns A ..
    max_column). A formula without a cached value is an error naming the cell.
    """
    values, formulas = book
    ws = values[sheet]
    ws.reset_dimensions()
    rows = [list(row) for row in ws.iter_rows(min_row=1, values_only=True)]
    if formulas is not None:
        sheet_formulas = formulas[sheet]
        sheet_formulas.reset_dimensions()
        for row_values, row_formulas in zip(
            rows, sheet_formulas.iter_rows(min_row=1), strict=False
        ):
            for value, formula in zip(row_values, row_formulas, strict=False):
                if value is None and formula.data_type == "f":
                    raise DataError(
                        f"{path.name}, sheet '{sheet}', cell {formula.coordinate}: the formula "
                        f"{formula.value} has no computed value in the file (the workbook was written "
                        "by a program that does not calculate formulas). Open and save it in Excel or "
                        "LibreOffice, or paste the values"
                    )
    return _grid(rows)


def _grid(rows: list[list[Any]]) -> list[tuple[int, list[str]]]:
    """(row number, cell texts) of sheet rows from row 1, each padded to the widest."""
    width = max(map(len, rows), default=0)
    return [
        (number, [_cell_text(v) for v in row] + [""] * (width - len(row)))
        for number, row in enumerate(rows, start=1)
    ]


def _blank(cells: list[str]) -> bool:
    return not "".join(map(str, cells)).strip()  # whitespace-only cells join to whitespace only


def _is_footer(cells: list[str]) -> bool:
    first = next((str(c).strip() for c in cells if str(c).strip()), "")
    return first.startswith(FOOTER_WORDS)


def _table(
    grid: list[tuple[int, list[str]]],
    path: Path,
    layout: Layout,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    unit: str,
) -> RawTable:
    """Cut a grid of (row number, cells) into lines above the header, header rows, records, footer."""
    where = f"{path.name}, sheet '{sheet}'" if sheet else path.name
    if all(_blank(cells) for _, cells in grid):
        raise DataError(
            f"{where}: the {'sheet' if sheet else 'file'} is empty; export the table again"
        )
    start = layout.header_row - 1
    if start >= len(grid):
        raise DataError(
            f"{where}: header_row = {layout.header_row} but the table has only {len(grid)} rows"
        )
    skipped: list[dict[str, Any]] = []
    title_unit = None
    for number, cells in grid[:start]:
        text = ",".join(c for c in cells if str(c).strip())
        skipped.append({"row": number, "reason": "line above the header", "text": text})
        match = re.match(r"^\s*指标[：:]\s*(.*)$", text)
        if match:
            title_unit = header_unit(match[1].split(",")[0])
    block = grid[start : start + layout.header_rows]
    if len(block) < layout.header_rows:
        raise DataError(f"{where}: header_rows = {layout.header_rows} but the table ends before")
    header = [str(c).strip() for c in block[0][1]]
    body = grid[start + layout.header_rows :]
    units_row = layout.units_row or (layout.header_row + 2 if layout.header_rows >= 3 else None)
    units_cells: list[str] = []
    if units_row is not None:
        found = [cells for number, cells in grid if number == units_row]
        if not found or units_row >= (body[0][0] if body else units_row + 1):
            raise DataError(
                f"{where}: units_row = {units_row} is not a row above the records (the header starts "
                f"at row {layout.header_row})"
            )
        units_cells = [str(c).strip() for c in found[0]]
    # drop empty trailing header columns whose cells are all blank
    width = len(header)
    while (
        width
        and not header[width - 1]
        and all(len(cells) < width or not str(cells[width - 1]).strip() for _, cells in body)
    ):
        width -= 1
    header = header[:width] or [""]
    for i, name in enumerate(header):
        if not name:
            header[i] = f"column {_column_letter(i)}"
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise DataError(
            f"{where}, {unit} {block[0][0]}: the header repeats the column name(s) "
            f"{', '.join(map(repr, repeated))}; give every column its own name"
        )
    if layout.footer == "auto":
        end = len(body)
        while end and (_blank(body[end - 1][1]) or _is_footer(body[end - 1][1])):
            end -= 1
        for number, cells in body[end:]:
            text = ",".join(c for c in cells if str(c).strip())
            skipped.append(
                {"row": number, "reason": "blank line" if not text else "footer line", "text": text}
            )
        body = body[:end]
    records, numbers = [], []
    for number, cells in body:
        if len(cells) == width and "".join(cells).strip():  # the common record, cells are text
            records.append(cells)
            numbers.append(number)
            continue
        if _blank(cells):
            skipped.append({"row": number, "reason": "blank line", "text": ""})
            continue
        if len(cells) > width:  # cells are text already (read_csv, _sheet_table)
            if not _blank(cells[width:]):
                raise DataError(
                    f"{where}, {unit} {number}: {len(cells)} fields but the header has {width}: an "
                    "unquoted comma inside a value (a decimal comma such as 4775060,6, or a thousands "
                    "separator)? Quote the value or write it without the comma (4775060.6)"
                    if unit == "line"
                    else f"{where}, row {number}: values in columns beyond the header "
                    f"({_column_letter(width)} onwards); give those columns a header or clear them"
                )
            cells = cells[:width]
        records.append(cells + [""] * (width - len(cells)))
        numbers.append(number)
    if not records:
        raise DataError(
            f"{where}: the header ({unit} {block[0][0]}) has no data rows below it; export the table "
            "with its data"
        )
    frame = pd.DataFrame(records, columns=header, dtype=object).astype(str)
    aliases = {}
    if layout.header_rows >= 2:
        for code, name in zip(header, block[1][1], strict=False):
            if str(name).strip() and str(name).strip() not in header:
                aliases[str(name).strip()] = code
    units = {}
    for i, name in enumerate(header):
        stated = units_cells[i] if i < len(units_cells) else ""
        found_unit = header_unit(f"({stated})") if stated else None
        units[name] = found_unit or header_unit(name)
    units = {k: v for k, v in units.items() if v}
    skipped.sort(key=lambda s: s["row"])
    return RawTable(
        frame,
        np.asarray(numbers, dtype="int64"),
        path,
        encoding=encoding,
        sheet=sheet,
        units=units,
        aliases=aliases,
        skipped=tuple(skipped),
        lines=len(grid),
        header_lines=layout.header_rows,
        title_unit=title_unit,
    )


def require_columns(table: RawTable, columns: list[str]) -> None:
    """Raise `DataError` naming every required column that the table lacks."""
    missing = [c for c in columns if table.column(c) not in table.frame.columns]
    if missing:
        raise DataError(
            f"{table.label}: missing required column(s) {', '.join(map(repr, missing))}; "
            f"the file has {', '.join(map(repr, table.frame.columns))}. Fix the column names in the "
            "[[sources]] entry or in the file"
        )


def normalise_full_width(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Full-width digits and signs (``９１９１``, ``１２．５``) as ASCII; returns the text and a mask of
    the cells changed.

    Only the cells with a non-ASCII character can hold a full-width form: Arrow's ASCII scan picks
    them (most cells of a statistical table are ASCII), and only those go through the regex.
    """
    ascii_cells = pc.fill_null(pc.string_is_ascii(pa.array(text)), True)
    wide = ~ascii_cells.to_numpy(zero_copy_only=False)
    changed = np.zeros(len(text), dtype=bool)
    if wide.any():
        changed[wide] = text[wide].str.contains(_FULL_WIDTH, regex=True).to_numpy()
    if not changed.any():
        return text, changed
    out = text.copy()
    out[changed] = [unicodedata.normalize("NFKC", t).replace("。", ".") for t in text[changed]]
    return out, changed


def parse_numeric(table: RawTable, column: str) -> pd.Series:
    """Parse a text column into floats; missing tokens become NaN, anything else non-numeric is an error.

    Thousands separators (``12,345.6``) and surrounding spaces are accepted; a comma that is not a
    thousands separator (a decimal comma, ``4775060,6``) is an error, as is text such as ``12.3亿`` or
    ``n.a.``. Full-width digits (``９１９１``) are read as digits: callers audit those cells through
    `normalise_full_width`.

    Raises
    ------
    DataError
        Naming the file, row, column and cell of the first non-numeric cells.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name, "gdp.csv")
    >>> values = ["12,345.6", "--", " 7 ", "1.2亿"]
    >>> pd.DataFrame({"地区": ["北京", "天津", "河北", "山西"], "GDP": values}).to_csv(path, index=False)
    >>> table = read_csv(path)
    >>> parse_numeric(table, "GDP")
    Traceback (most recent call last):
    ...
    clusterdx.errors.DataError: non-numeric cell(s) (1 in total): gdp.csv, row 5, column 'GDP': '1.2亿'. Correct the cell(s) or blank them to mark a missing value
    >>> table.frame.loc[3, "GDP"] = "4775060,6"
    >>> parse_numeric(table, "GDP")
    Traceback (most recent call last):
    ...
    clusterdx.errors.DataError: gdp.csv, row 5, column 'GDP': '4775060,6' has a comma that is not a thousands separator (a decimal comma?); write the decimal point as '.' (4775060.6)
    >>> table.frame.loc[3, "GDP"] = "９１９１"
    >>> parse_numeric(table, "GDP").tolist()
    [12345.6, nan, 7.0, 9191.0]
    >>> tmp.cleanup()
    """
    text, _ = normalise_full_width(table.frame[column].astype(str).str.strip())
    with_comma = text.str.contains(",", regex=False).to_numpy()
    commas = np.zeros(len(text), dtype=bool)
    if with_comma.any():  # the pattern is matched only where a comma is
        commas[with_comma] = ~text[with_comma].str.match(_THOUSANDS).to_numpy()
    if commas.any():
        i = int(np.flatnonzero(commas)[0])
        raw = table.frame[column].iloc[i]
        raise DataError(
            f"{table.where(i, column)}: {raw!r} has a comma that is not a thousands separator (a "
            f"decimal comma?); write the decimal point as '.' ({text.iloc[i].replace(',', '.')})"
        )
    text = text.str.replace(",", "", regex=False)
    missing = text.isin(MISSING_TOKENS)
    valid = text.str.match(_NUMBER)
    bad = np.flatnonzero(~(missing | valid).to_numpy())
    if bad.size:
        shown = "; ".join(
            f"{table.where(i, column)}: {table.frame[column].iloc[i]!r}" for i in bad[:5]
        )
        raise DataError(
            f"non-numeric cell(s) ({bad.size} in total): {shown}. Correct the cell(s) or blank them "
            "to mark a missing value"
        )
    # every cell is missing or matches _NUMBER: Arrow's cast parses them (correctly rounded, as
    # Python's float(), 20x faster than pandas.to_numeric on strings)
    numbers = pc.cast(pa.array(text.where(~missing, None), type=pa.large_string()), pa.float64())
    return pd.Series(numbers.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")
