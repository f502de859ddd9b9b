"""Split tabular files and folders of text files into partitions that a worker can read alone.

``table_partitions(path, rows)`` gives the partitions of a Parquet or CSV file (or a glob of them):

- Parquet: `ParquetSlice` descriptors, each a run of consecutive row groups of one file holding about
  ``rows`` rows; the worker reads only those row groups (and only the columns it needs), so the
  file is never loaded whole and the driver reads nothing but the footer. A row group is never
  split: write files with ``row_group_size`` near ``rows`` (``df.to_parquet(p, row_group_size=…)``);
  a row group more than four times larger makes a warning, since each task holds one whole.
- CSV: pandas DataFrames of ``rows`` rows read one after the other by the driver
  (`pandas.read_csv` with ``chunksize``: quoted line breaks and GBK text parse correctly); they are
  consumed lazily by `clusterdx.compute.map_partitions`, so at most a window of chunks is in memory.

``text_partitions(folder, per_task)`` gives lists of ``<firm>_<year>.txt`` paths; `read_partition`
turns any partition into a DataFrame with the requested columns.

Hand-written rather than ``dask.dataframe.read_parquet``: the same descriptors must run on the local
process pool, which has no Dask, and the reductions need partition-wise functions, not a DataFrame.
"""

from __future__ import annotations

import glob
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from clusterdx.errors import DataError

TEXT_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class ParquetSlice:
    """Row groups ``groups`` of the Parquet file ``path`` (``rows`` rows in all).

    Examples
    --------
    `table_partitions` makes them; `read_partition` reads one:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name, "firms.parquet")
    >>> pd.DataFrame({"sales": [float(i) for i in range(10)]}).to_parquet(path, row_group_size=3)
    >>> first = table_partitions(path, rows=6)[0]
    >>> first.groups, first.rows, Path(first.path).name
    ((0, 1), 6, 'firms.parquet')
    >>> tmp.cleanup()
    """

    path: str
    groups: tuple[int, ...]
    rows: int


@dataclass(frozen=True)
class TextFiles:
    """Text documents named ``<firm>_<year>.txt``, read by one task.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = Path(tmp.name, "600519_2021.txt").write_text("数字化转型", encoding="utf-8")
    >>> part = TextFiles((str(Path(tmp.name, "600519_2021.txt")),))
    >>> read_partition(part).values.tolist()
    [['600519', 2021, '数字化转型']]
    >>> tmp.cleanup()
    """

    paths: tuple[str, ...]


def expand(path: str | Path) -> list[str]:
    """The files of ``path`` (a file or a glob), sorted; a `DataError` if there are none."""
    text = str(path)
    if any(ch in text for ch in "*?["):
        files = sorted(glob.glob(text))
        if not files:
            raise DataError(f"no file matches {text}")
        return files
    if not Path(text).is_file():
        raise DataError(f"file {text} does not exist")
    return [text]


def _kind(file: str) -> str:
    lowered = file.lower()
    if lowered.endswith(".parquet"):
        return "parquet"
    if lowered.endswith((".csv", ".csv.gz", ".tsv")):
        return "csv"
    raise DataError(f"file {file}: use a .parquet or .csv file (or a glob of them)")


def columns_of(path: str | Path, encoding: str = "utf-8") -> list[str]:
    """Column names of the first file of ``path``."""
    first = expand(path)[0]
    if _kind(first) == "parquet":
        import pyarrow.parquet as pq

        return list(pq.ParquetFile(first).schema_arrow.names)
    sep = "\t" if first.lower().endswith(".tsv") else ","
    return list(pd.read_csv(first, nrows=0, sep=sep, encoding=encoding).columns)


def _parquet_slices(file: str, rows: int) -> list[ParquetSlice]:
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(file).metadata
    slices: list[ParquetSlice] = []
    groups: list[int] = []
    count = 0
    for g in range(meta.num_row_groups):
        size = meta.row_group(g).num_rows
        if size > 4 * rows:
            warnings.warn(
                f"{file}: row group {g} has {size:,} rows, more than 4 x the partition size "
                f"{rows:,}; a task reads a whole row group, so memory per task follows it. Rewrite "
                f"the file with row_group_size={rows} for bounded memory",
                stacklevel=3,
            )
        if groups and count + size > rows:
            slices.append(ParquetSlice(file, tuple(groups), count))
            groups, count = [], 0
        groups.append(g)
        count += size
    if groups:
        slices.append(ParquetSlice(file, tuple(groups), count))
    return slices


def _csv_chunks(
    files: Sequence[str], rows: int, columns: Sequence[str] | None, encoding: str
) -> Iterator[pd.DataFrame]:
    for file in files:
        sep = "\t" if file.lower().endswith(".tsv") else ","
        yield from pd.read_csv(file, chunksize=rows, usecols=columns, sep=sep, encoding=encoding)


def table_partitions(
    path: str | Path,
    rows: int,
    columns: Sequence[str] | None = None,
    encoding: str = "utf-8",
) -> list[ParquetSlice] | Iterator[pd.DataFrame]:
    """Partitions of about ``rows`` rows of a Parquet / CSV file or glob (module docstring).

    Returns a list of `ParquetSlice` for Parquet input, a lazy iterator of DataFrames (``columns``
    only) for CSV input.

    Raises
    ------
    DataError
        ``rows`` below 1, no matching file, a file neither Parquet nor CSV, or a glob mixing both.

    Examples
    --------
    Ten rows written in row groups of 3: partitions of about 6 rows join whole row groups.

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> tmp = tempfile.TemporaryDirectory()
    >>> firms = pd.DataFrame({"firm": [f"{i:06d}" for i in range(10)], "sales": range(10)})
    >>> firms.to_parquet(Path(tmp.name, "firms.parquet"), row_group_size=3)
    >>> [(p.groups, p.rows) for p in table_partitions(Path(tmp.name, "firms.parquet"), rows=6)]
    [((0, 1), 6), ((2, 3), 4)]
    >>> firms.to_csv(Path(tmp.name, "firms.csv"), index=False)
    >>> chunks = table_partitions(Path(tmp.name, "*.csv"), rows=4, columns=["sales"])
    >>> [chunk["sales"].tolist() for chunk in chunks]
    [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    >>> tmp.cleanup()
    """
    if rows < 1:
        raise DataError(f"partition size must be >= 1 row, got {rows}")
    files = expand(path)
    kinds = {_kind(f) for f in files}
    if len(kinds) > 1:
        raise DataError(f"{path}: mixes Parquet and CSV files; convert them to one format")
    if kinds == {"parquet"}:
        return [piece for file in files for piece in _parquet_slices(file, rows)]
    return _csv_chunks(files, rows, columns, encoding)


def text_partitions(folder: str | Path, per_task: int) -> list[TextFiles]:
    """The ``*.txt`` files of ``folder`` (sorted by name) in groups of ``per_task``.

    Raises
    ------
    DataError
        ``per_task`` below 1, or ``folder`` missing or without ``.txt`` files.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> for name in ["600519_2020", "600519_2021", "000001_2021"]:
    ...     _ = Path(tmp.name, f"{name}.txt").write_text("数字化转型", encoding="utf-8")
    >>> parts = text_partitions(tmp.name, per_task=2)
    >>> [[Path(p).name for p in part.paths] for part in parts]
    [['000001_2021.txt', '600519_2020.txt'], ['600519_2021.txt']]
    >>> tmp.cleanup()
    """
    if per_task < 1:
        raise DataError(f"documents per task must be >= 1, got {per_task}")
    if not Path(folder).is_dir():
        raise DataError(f"document folder {folder} does not exist")
    files = sorted(str(p) for p in Path(folder).glob("*.txt"))
    if not files:
        raise DataError(f"document folder {folder} holds no .txt file (<firm>_<year>.txt)")
    return [TextFiles(tuple(files[i : i + per_task])) for i in range(0, len(files), per_task)]


def firm_year_of(path: str) -> tuple[str, int]:
    """Firm and year of a document named ``<firm>_<year>.txt`` (the firm may contain ``_``)."""
    stem = Path(path).stem
    firm, sep, year = stem.rpartition("_")
    if not sep or not firm or not year.isdigit() or len(year) != 4:
        raise DataError(
            f"document {path}: name it <firm>_<year>.txt with a 4-digit year, e.g. 600519_2021.txt"
        )
    return firm, int(year)


def _read_text(path: str) -> str:
    raw = Path(path).read_bytes()
    for encoding in TEXT_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(f"document {path}: neither UTF-8 nor GB18030/GBK text; re-save it as UTF-8")


def read_partition(
    part: ParquetSlice | TextFiles | pd.DataFrame,
    columns: Sequence[str] | None = None,
    names: tuple[str, str, str] = ("firm", "year", "text"),
) -> pd.DataFrame:
    """The rows of one partition as a DataFrame (``columns`` only, for tables).

    A `TextFiles` partition gives columns ``names`` = (firm, year, text) from the file names and
    contents (UTF-8 or GB18030/GBK).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name, "firms.parquet")
    >>> firms = pd.DataFrame({"firm": ["000001", "600519", "000002"], "sales": [1.5, 2.5, 4.0]})
    >>> firms.to_parquet(path, row_group_size=2)
    >>> second = table_partitions(path, rows=2)[1]
    >>> read_partition(second, columns=["sales"]).to_dict("list")
    {'sales': [4.0]}
    >>> _ = Path(tmp.name, "600519_2021.txt").write_bytes("人工智能".encode("gbk"))
    >>> (part,) = text_partitions(tmp.name, per_task=10)
    >>> read_partition(part, names=("stkcd", "year", "report")).to_dict("list")
    {'stkcd': ['600519'], 'year': [2021], 'report': ['人工智能']}
    >>> tmp.cleanup()
    """
    if isinstance(part, pd.DataFrame):
        return part if columns is None else part[list(columns)]
    if isinstance(part, TextFiles):
        firm, year, text = names
        keys = [firm_year_of(p) for p in part.paths]
        return pd.DataFrame(
            {
                firm: [k[0] for k in keys],
                year: [k[1] for k in keys],
                text: [_read_text(p) for p in part.paths],
            }
        )
    import pyarrow.parquet as pq

    table = pq.ParquetFile(part.path).read_row_groups(
        list(part.groups), columns=None if columns is None else list(columns)
    )
    return table.to_pandas()
