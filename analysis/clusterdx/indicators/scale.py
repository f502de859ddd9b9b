"""Firm- and document-level reductions out of memory, through embedded DuckDB.

Millions of firm-years (a Parquet or CSV file, or a glob of them) are grouped in SQL and only the
region-year result comes back to pandas; documents are read in record batches and keyword-counted
batch by batch (`clusterdx.indicators.digital.KeywordCounter`), so memory is bounded by the batch
size, not the corpus. DuckDB spills to disk past ``memory_limit``. The SQL is the same sums as the
pandas functions of `agglomeration` and `digital` (tests check equality), hand-written because no
library offers these indices over files larger than memory.

Scaling out: ``reduce_firms`` and ``count_documents`` also run partition by partition on a
`clusterdx.compute` backend (``backend="local"``: a process pool; ``"dask"``: a Dask cluster). Each
partition (Parquet row groups, CSV chunk, group of ``<firm>_<year>.txt`` files) is reduced to partial
sums per group by one module-level function, and the partials are combined in partition order on
the caller's side, so every backend returns the same frame to the last bit:

    partial_p(g) = (rows, n, Σ v, Σ v², min v, max v) over the rows of partition p in group g
    combine(g)   = Σ_p of the counts and sums, min_p / max_p of the extremes
    mean = Σ v / n,  hhi = Σ v² / (Σ v)²

    reduce_firms      Σ, mean, min, max, count, HHI = Σ v² / (Σ v)² of firm columns per group
    lq_from_file      location quotient (E_rSt / E_rt) / (E_St / E_t) from a region-industry file
    count_documents   keyword counts per firm-year, streamed (DT = ln(1 + total), Wu et al. 2021)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from clusterdx.compute import Backend, LocalBackend, map_partitions
from clusterdx.compute.partitions import (
    columns_of,
    read_partition,
    table_partitions,
    text_partitions,
)
from clusterdx.errors import DataError
from clusterdx.indicators.digital import KeywordCounter, Method

Aggregate = Literal["sum", "mean", "min", "max", "count", "hhi"]
AGGREGATES = ("sum", "mean", "min", "max", "count", "hhi")


def _connect(memory_limit: str | None, progress: bool):
    import duckdb

    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit.replace(chr(39), '')}'")
    con.execute(f"SET enable_progress_bar = {'true' if progress else 'false'}")
    return con


def _source(path: str | Path) -> str:
    text = str(path)
    if not any(ch in text for ch in "*?[") and not Path(text).exists():
        raise DataError(f"file {text} does not exist")
    quoted = text.replace("'", "''")
    lowered = text.lower()
    if lowered.endswith(".parquet"):
        return f"read_parquet('{quoted}')"
    if lowered.endswith((".csv", ".csv.gz", ".tsv")):
        return f"read_csv_auto('{quoted}')"
    raise DataError(f"file {text}: use a .parquet or .csv file (or a glob of them)")


def _ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _check_columns(con, source: str, needed: Iterable[str], path) -> None:
    columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    absent = [c for c in needed if c not in columns]
    if absent:
        raise DataError(f"file {path}: column(s) {absent} absent; available {columns}")


def reduce_firms(
    path: str | Path,
    aggregates: Mapping[str, Aggregate | list[Aggregate]],
    by: list[str] | tuple[str, ...] = ("region", "year"),
    memory_limit: str | None = None,
    progress: bool = True,
    backend: Backend | Literal["local", "dask"] | None = None,
    partition_rows: int = 1_000_000,
) -> pd.DataFrame:
    """Group a firm-year file by ``by`` (in DuckDB, or partition-wise on a backend) and aggregate.

    Parameters
    ----------
    path
        Parquet or CSV file, or a glob of them (``"firms/*.parquet"``).
    aggregates
        Column → aggregate or list of them: ``sum``, ``mean``, ``min``, ``max``, ``count``
        (non-missing values), ``hhi`` (Σ v² / (Σ v)², the Herfindahl index of the column's shares
        within the group, see `clusterdx.indicators.agglomeration.herfindahl`).
    memory_limit
        DuckDB memory cap such as ``"2GB"`` (spills to disk beyond it); DuckDB path only.
    progress
        Show DuckDB's progress bar on long queries, or the partition progress bar of the backend.
    backend
        ``None``: one DuckDB query in this process. ``"local"`` / ``"dask"`` or a started
        `clusterdx.compute` backend: partial aggregates per partition of about ``partition_rows``
        rows, combined here (module docstring); the same frame on every backend.
    partition_rows
        Rows per partition (backend path). A Parquet file is split at its row groups.

    Returns
    -------
    pd.DataFrame
        Indexed by ``by``, one column ``<column>_<aggregate>`` each, plus ``rows``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "firms.csv"
    ...     pd.DataFrame({"region": ["A", "A", "B"], "year": 2020,
    ...                   "revenue": [3.0, 1.0, 2.0]}).to_csv(path, index=False)
    ...     out = reduce_firms(path, {"revenue": ["sum", "hhi"]}, progress=False)
    >>> out.index.tolist()
    [('A', 2020), ('B', 2020)]
    >>> out.to_dict("list")   # hhi of A: (3² + 1²) / 4² = 0.625
    {'revenue_sum': [4.0, 2.0], 'revenue_hhi': [0.625, 1.0], 'rows': [2, 1]}
    """
    by = list(by)
    plan = {col: [a] if isinstance(a, str) else list(a) for col, a in aggregates.items()}
    for column, names in plan.items():
        wrong = [a for a in names if a not in AGGREGATES]
        if wrong or not names:
            raise DataError(
                f"reduce_firms: aggregate(s) {wrong or names} for '{column}' not allowed; "
                f"use {list(AGGREGATES)}"
            )
    if backend is not None:
        if memory_limit:
            raise DataError(
                "reduce_firms: memory_limit applies to the DuckDB path (backend=None); with a "
                "backend, memory follows partition_rows"
            )
        return _reduce_partitioned(path, plan, by, backend, partition_rows, progress)
    source = _source(path)
    con = _connect(memory_limit, progress)
    try:
        _check_columns(con, source, [*by, *plan], path)
        select = []
        for column, names in plan.items():
            c = _ident(column)
            for name in names:
                alias = _ident(f"{column}_{name}")
                if name == "hhi":
                    select.append(f"sum({c} * {c}) / (sum({c}) * sum({c})) AS {alias}")
                else:
                    select.append(f"{'avg' if name == 'mean' else name}({c}) AS {alias}")
        keys = ", ".join(_ident(b) for b in by)
        negative = " OR ".join(f"{_ident(c)} < 0" for c in plan if "hhi" in plan[c])
        if negative:
            bad = con.execute(f"SELECT count(*) FROM {source} WHERE {negative}").fetchall()[0][0]
            if bad:
                raise DataError(f"reduce_firms: {bad} row(s) with negative values in hhi columns")
        query = (
            f"SELECT {keys}, {', '.join(select)}, count(*) AS rows FROM {source} "
            f"GROUP BY {keys} ORDER BY {keys}"
        )
        return con.execute(query).df().set_index(by)
    finally:
        con.close()


@dataclass(frozen=True)
class FirmPartial:
    """Per-partition step of `reduce_firms`: partial sums per group of one partition (picklable)."""

    by: tuple[str, ...]
    columns: tuple[str, ...]
    squares: tuple[str, ...]

    def __call__(self, part) -> pd.DataFrame:
        frame = read_partition(part, [*self.by, *self.columns])
        data = {}
        for column in self.columns:
            values = frame[column].astype("float64")
            data[column] = values
            if column in self.squares:
                data[f"{column}|sumsq"] = values * values
                data[f"{column}|neg"] = (values < 0).astype("int64")
        groups = pd.DataFrame(data).groupby([frame[b] for b in self.by], sort=True, dropna=False)
        columns = list(self.columns)
        extra = [c for c in data if c not in self.columns]
        out = pd.concat(
            [
                groups[columns].count().astype("int64").add_suffix("|n"),
                groups[columns].sum().add_suffix("|sum"),
                groups[columns].min().add_suffix("|min"),
                groups[columns].max().add_suffix("|max"),
                groups[extra].sum(),
            ],
            axis=1,
        )
        out["rows"] = groups.size().astype("int64")
        return out


def _combine_firms(partials: list[pd.DataFrame], plan: dict[str, list[str]], by: list[str]):
    stacked = pd.concat(partials)
    how = {c: c.rpartition("|")[2] for c in stacked.columns}
    rule = {c: ("min" if h == "min" else "max" if h == "max" else "sum") for c, h in how.items()}
    total = stacked.groupby(level=list(range(len(by))), sort=True, dropna=False).agg(rule)
    total.index.names = by
    negative = sum(int(total[f"{c}|neg"].sum()) for c in plan if "hhi" in plan[c])
    if negative:
        raise DataError(f"reduce_firms: {negative} row(s) with negative values in hhi columns")
    out = {}
    for column, names in plan.items():
        n, s = total[f"{column}|n"], total[f"{column}|sum"].where(total[f"{column}|n"] > 0)
        for name in names:
            if name == "sum":
                value = s
            elif name == "mean":
                value = s / n
            elif name == "count":
                value = n
            elif name == "hhi":
                value = total[f"{column}|sumsq"] / (s * s)
            else:
                value = total[f"{column}|{name}"]
            out[f"{column}_{name}"] = value
    out["rows"] = total["rows"]
    return pd.DataFrame(out, index=total.index)


def _reduce_partitioned(path, plan, by, backend, partition_rows, progress) -> pd.DataFrame:
    available = columns_of(path)
    absent = [c for c in [*by, *plan] if c not in available]
    if absent:
        raise DataError(f"file {path}: column(s) {absent} absent; available {available}")
    task = FirmPartial(
        tuple(by), tuple(plan), tuple(c for c, names in plan.items() if "hhi" in names)
    )
    parts = table_partitions(path, partition_rows, [*by, *plan])
    partials = map_partitions(task, parts, backend, progress, "firm-year reduction")
    if not partials:
        raise DataError(f"reduce_firms: {path} has no rows")
    return _combine_firms(partials, plan, by)


def lq_from_file(
    path: str | Path,
    industries: list[str],
    value: str = "employment",
    region: str = "region",
    industry: str = "industry",
    time: str = "year",
    memory_limit: str | None = None,
    progress: bool = True,
) -> pd.Series:
    """Location quotient of each region-year in the industry set, computed in DuckDB.

    Same formula and result as `clusterdx.indicators.agglomeration.location_quotient` (rows may be
    firm-years: values are summed by region-industry-year first). Industry codes are compared as
    text.

    Returns
    -------
    pd.Series
        Indexed by (region, time), named ``"lq"``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "employment.csv"
    ...     pd.DataFrame({"region": ["A", "A", "B", "B"], "industry": ["C39", "C13", "C39", "C13"],
    ...                   "year": 2020, "employment": [30.0, 10.0, 10.0, 50.0]}
    ...                  ).to_csv(path, index=False)
    ...     lq = lq_from_file(path, ["C39"], progress=False)
    >>> lq.round(4).to_dict()   # A: (30/40) / (40/100), B: (10/60) / (40/100)
    {('A', 2020): 1.875, ('B', 2020): 0.4167}
    """
    if not industries:
        raise DataError("lq_from_file: give at least one industry code")
    source = _source(path)
    con = _connect(memory_limit, progress)
    try:
        _check_columns(con, source, [value, region, industry, time], path)
        r, i, t, v = (_ident(c) for c in (region, industry, time, value))
        bad = con.execute(f"SELECT count(*) FROM {source} WHERE {v} IS NULL OR {v} < 0").fetchone()[
            0
        ]
        if bad:
            raise DataError(f"lq_from_file: column '{value}' has {bad} negative or missing values")
        codes = [str(c) for c in industries]
        placeholders = ", ".join("?" for _ in codes)
        query = f"""
            WITH base AS (
                SELECT {r} AS r, {t} AS t, {v} AS v,
                       CAST({i} AS VARCHAR) IN ({placeholders}) AS s
                FROM {source}),
            cells AS (
                SELECT r, t, sum(v) AS e, sum(CASE WHEN s THEN v ELSE 0 END) AS es
                FROM base GROUP BY r, t),
            nation AS (SELECT t, sum(e) AS e, sum(es) AS es FROM cells GROUP BY t)
            SELECT c.r AS {r}, c.t AS {t}, (c.es / c.e) / (n.es / n.e) AS lq
            FROM cells c JOIN nation n USING (t) ORDER BY c.r, c.t"""
        out = con.execute(query, codes).df()
        known = con.execute(
            f"SELECT DISTINCT CAST({i} AS VARCHAR) FROM {source} WHERE CAST({i} AS VARCHAR) "
            f"IN ({placeholders})",
            codes,
        ).fetchall()
        unknown = sorted(set(codes) - {row[0] for row in known})
        if unknown:
            raise DataError(f"lq_from_file: industries {unknown} not in column '{industry}'")
    finally:
        con.close()
    return out.set_index([region, time])["lq"]


@dataclass(frozen=True)
class KeywordPartial:
    """Per-partition step of `count_documents`: keyword counts per firm-year of one partition.

    Builds its `KeywordCounter` in the worker (a jieba tokenizer is cheaper to rebuild, about one
    second, than to ship), so a task should hold many documents (``documents_per_task``).
    """

    dictionary: tuple[tuple[str, tuple[str, ...]], ...]
    method: Method
    names: tuple[str, str, str]

    def counter(self) -> KeywordCounter:
        """The counter of this task's dictionary and method."""
        return KeywordCounter({d: list(w) for d, w in self.dictionary}, self.method)

    def reduce(self, frame: pd.DataFrame, counter: KeywordCounter) -> pd.DataFrame:
        """Counts per dimension and ``documents``, summed by (firm, year), of the rows of ``frame``."""
        firm, time, text = self.names
        labels = pd.Index(
            [f"{firm} {f}, {time} {t}" for f, t in zip(frame[firm], frame[time], strict=True)]
        )
        counts = counter.count_many(frame[text].tolist(), labels)
        counts.index = pd.MultiIndex.from_arrays([frame[firm], frame[time]])
        counts["documents"] = 1
        return counts.groupby(level=[0, 1], sort=True).sum()

    def __call__(self, part) -> pd.DataFrame:
        return self.reduce(read_partition(part, list(self.names), self.names), self.counter())


def count_documents(
    path: str | Path,
    dictionary: Mapping[str, Iterable[str]] | None = None,
    method: Method = "jieba",
    text: str = "text",
    firm: str = "firm",
    time: str = "year",
    batch_size: int = 500,
    progress: bool = True,
    backend: Backend | Literal["local", "dask"] | None = None,
    documents_per_task: int = 200,
) -> pd.DataFrame:
    """Keyword counts and DT = ln(1 + total) per firm-year, streaming the documents.

    Reads ``path``, a Parquet / CSV file (or glob) with columns ``firm``, ``time``, ``text``, or a
    folder of ``<firm>_<year>.txt`` files (UTF-8 or GB18030/GBK), and keeps only per-firm-year sums,
    so memory holds one batch of text per worker. Same result as
    `clusterdx.indicators.digital.keyword_intensity` on the whole table.

    Parameters
    ----------
    batch_size
        Documents per DuckDB record batch (``backend=None`` with a table file).
    backend
        ``None``: this process (DuckDB record batches for a table file). ``"local"`` / ``"dask"`` or a
        started `clusterdx.compute` backend: tasks of ``documents_per_task`` documents (Parquet:
        whole row groups) counted in parallel, partials combined here; the same frame on every
        backend.

    Returns
    -------
    pd.DataFrame
        Indexed by (firm, time): counts per dimension, ``total``, ``intensity``, ``documents``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "reports.csv"
    ...     pd.DataFrame({"firm": ["600001", "600001", "000002"], "year": 2020,
    ...                   "text": ["大数据与云计算", "云平台", "年度报告"]}
    ...                  ).to_csv(path, index=False)
    ...     keywords = {"bigdata": ["大数据"], "cloud": ["云计算", "云平台"]}
    ...     counts = count_documents(path, keywords, method="scan", progress=False)
    >>> counts.index.tolist()
    [('000002', 2020), ('600001', 2020)]
    >>> counts[["bigdata", "cloud", "documents", "total"]].to_dict("list")
    {'bigdata': [0, 1], 'cloud': [0, 2], 'documents': [1, 2], 'total': [0, 3]}
    >>> counts["intensity"].round(4).tolist()   # ln(1 + total)
    [0.0, 1.3863]
    """
    if batch_size < 1:
        raise DataError(f"count_documents: batch_size must be >= 1, got {batch_size}")
    counter = KeywordCounter(dictionary, method)
    names = (firm, time, text)
    task = KeywordPartial(
        tuple((d, tuple(w)) for d, w in counter.dictionary.items()), counter.method, names
    )
    if Path(path).is_dir():
        parts = text_partitions(path, documents_per_task)
        with LocalBackend(1) as inline:
            partials = map_partitions(task, parts, backend or inline, progress, "keyword counting")
    elif backend is not None:
        available = columns_of(path)
        absent = [c for c in names if c not in available]
        if absent:
            raise DataError(f"file {path}: column(s) {absent} absent; available {available}")
        parts = table_partitions(path, documents_per_task, list(names))
        partials = map_partitions(task, parts, backend, progress, "keyword counting")
    else:
        partials = _count_in_duckdb(path, task, counter, batch_size, progress)
    if not partials:
        raise DataError(f"count_documents: {path} has no documents")
    summed = pd.concat(partials).groupby(level=[0, 1], sort=True).sum()
    summed.index.names = [firm, time]
    total = summed[counter.dimensions].sum(axis=1)
    return summed.assign(total=total, intensity=np.log1p(total))


def _count_in_duckdb(path, task: KeywordPartial, counter, batch_size: int, progress: bool) -> list:
    firm, time, text = task.names
    source = _source(path)
    con = _connect(None, False)
    try:
        _check_columns(con, source, task.names, path)
        n = con.execute(f"SELECT count(*) FROM {source}").fetchall()[0][0]
        reader = con.sql(
            f"SELECT {_ident(firm)}, {_ident(time)}, {_ident(text)} FROM {source}"
        ).to_arrow_reader(batch_size)
        parts = []
        bar = _bar(n, progress)
        for batch in reader:
            frame = batch.to_pandas()
            parts.append(task.reduce(frame, counter))
            bar.update(len(frame))
        bar.close()
    finally:
        con.close()
    return parts


def _bar(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="doc", disable=not enabled, desc="keyword counting")
