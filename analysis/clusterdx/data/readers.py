"""Read raw CSV (UTF-8 / GBK / GB18030) and XLSX files into string tables that remember row numbers.

Cells are read as text and parsed into numbers by `parse_numeric`, so that a non-numeric cell is
reported with its file, row and column instead of being coerced to NaN. Row numbers are those a person
sees: the line number in a CSV file (header = line 1) or the row number in an Excel sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from charset_normalizer import from_bytes

from clusterdx.errors import DataError

#: Cell texts that mean "no value" in Chinese yearbooks and exports (blank, NA, dashes, ellipses).
MISSING_TOKENS = frozenset({"", "NA", "N/A", "NaN", "nan", "-", "--", "—", "…", "...", "……"})

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class RawTable:
    """A raw table as text: ``frame`` holds strings, ``rows`` the human row number of each record."""

    frame: pd.DataFrame
    rows: np.ndarray
    file: Path
    encoding: str | None = None
    sheet: str | None = None

    def where(self, position: int, column: str | None = None) -> str:
        """Human location of a record, e.g. ``"innovation.csv, row 57, column '年份'"``."""
        sheet = f", sheet '{self.sheet}'" if self.sheet else ""
        col = f", column '{column}'" if column is not None else ""
        return f"{self.file.name}{sheet}, row {int(self.rows[position])}{col}"


def detect_encoding(path: Path, declared: str = "auto") -> str:
    """Return the encoding of a CSV file: ``utf-8`` (with or without BOM) or ``gb18030``.

    GB18030 is a superset of GBK and GB2312, so GBK files are read as GB18030.

    Raises
    ------
    DataError
        If ``declared`` is ``"utf-8"`` but the bytes are not valid UTF-8 (typically a GBK export from
        Excel), or if no Chinese encoding decodes the file.

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
    >>> tmp.cleanup()
    """
    data = path.read_bytes()
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
            data.decode("gb18030")
        except UnicodeDecodeError:
            raise DataError(
                f"{path.name}: neither UTF-8 nor GBK/GB18030 (best guess {guessed}); re-save it as UTF-8"
            ) from None
        return "gb18030"
    return "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"


def read_csv(path: Path, encoding: str = "auto") -> RawTable:
    """Read a CSV file as text, detecting UTF-8 / GBK / GB18030.

    Every cell is kept as a string; ``rows`` holds the line number of each record (header = line 1),
    used in error messages.

    Raises
    ------
    DataError
        If the file does not exist or cannot be decoded (see `detect_encoding`).

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
    >>> tmp.cleanup()
    """
    if not path.exists():
        raise DataError(f"raw file {path} does not exist (check [[sources]].file and [paths].raw)")
    enc = detect_encoding(path, encoding)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc, skipinitialspace=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    return RawTable(frame, np.arange(len(frame)) + 2, path, encoding=enc)


def read_xlsx_sheet(path: Path, sheet: str) -> RawTable:
    """Read one sheet of an XLSX workbook as text (first row = header).

    ``rows`` holds the Excel row number of each record (header = row 1).

    Raises
    ------
    DataError
        If the file does not exist or has no sheet named ``sheet`` (the message lists the sheets).

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
    if not path.exists():
        raise DataError(f"raw file {path} does not exist (check [[sources]].file and [paths].raw)")
    with pd.ExcelFile(path, engine="openpyxl") as book:
        if sheet not in book.sheet_names:
            raise DataError(
                f"{path.name}: no sheet named {sheet!r}; sheets: {', '.join(map(str, book.sheet_names))}"
            )
        frame = pd.read_excel(
            book, sheet_name=sheet, dtype=str, keep_default_na=False, na_filter=False
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    return RawTable(frame, np.arange(len(frame)) + 2, path, sheet=sheet)


def require_columns(table: RawTable, columns: list[str]) -> None:
    """Raise `DataError` naming every required column that the table lacks."""
    missing = [c for c in columns if c not in table.frame.columns]
    if missing:
        sheet = f", sheet '{table.sheet}'" if table.sheet else ""
        raise DataError(
            f"{table.file.name}{sheet}: missing required column(s) {', '.join(map(repr, missing))}; "
            f"the file has {', '.join(map(repr, table.frame.columns))}. Fix the column names in the "
            "[[sources]] entry or in the file"
        )


def parse_numeric(table: RawTable, column: str) -> pd.Series:
    """Parse a text column into floats; missing tokens become NaN, anything else non-numeric is an error.

    Thousands separators (``12,345.6``) and surrounding spaces are accepted; text such as ``12.3亿`` or
    ``n.a.`` is not.

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
    >>> table.frame.loc[3, "GDP"] = ""
    >>> parse_numeric(table, "GDP").tolist()
    [12345.6, nan, 7.0, nan]
    >>> tmp.cleanup()
    """
    text = table.frame[column].astype(str).str.strip().str.replace(",", "", regex=False)
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
    values = pd.to_numeric(text.where(~missing, None), errors="raise").astype("float64")
    return values
