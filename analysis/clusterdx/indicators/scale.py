"""Firm- and document-level reductions out of memory, through embedded DuckDB.

Millions of firm-years (a Parquet or CSV file, or a glob of them) are grouped in SQL and only the
region-year result comes back to pandas; documents are read in record batches and keyword-counted
batch by batch (`clusterdx.indicators.digital.KeywordCounter`), so memory is bounded by the batch
size, not the corpus. DuckDB spills to disk past ``memory_limit``. The SQL is the same sums as the
pandas functions of `agglomeration` and `digital` (tests check equality), hand-written because no
library offers these indices over files larger than memory.

    reduce_firms      Σ, mean, min, max, count, HHI = Σ v² / (Σ v)² of firm columns per group
    lq_from_file      location quotient (E_rSt / E_rt) / (E_St / E_t) from a region-industry file
    count_documents   keyword counts per firm-year, streamed (DT = ln(1 + total), Wu et al. 2021)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

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
) -> pd.DataFrame:
    """Group a firm-year file by ``by`` in DuckDB and aggregate its columns.

    Parameters
    ----------
    path
        Parquet or CSV file, or a glob of them (``"firms/*.parquet"``).
    aggregates
        Column → aggregate or list of them: ``sum``, ``mean``, ``min``, ``max``, ``count``
        (non-missing values), ``hhi`` (Σ v² / (Σ v)², the Herfindahl index of the column's shares
        within the group, see `clusterdx.indicators.agglomeration.herfindahl`).
    memory_limit
        DuckDB memory cap such as ``"2GB"`` (spills to disk beyond it).
    progress
        Show DuckDB's progress bar on long queries.

    Returns
    -------
    pd.DataFrame
        Indexed by ``by``, one column ``<column>_<aggregate>`` each, plus ``rows``.
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


def count_documents(
    path: str | Path,
    dictionary: Mapping[str, Iterable[str]] | None = None,
    method: Method = "jieba",
    text: str = "text",
    firm: str = "firm",
    time: str = "year",
    batch_size: int = 500,
    progress: bool = True,
) -> pd.DataFrame:
    """Keyword counts and DT = ln(1 + total) per firm-year, streaming the documents in batches.

    Reads ``path`` (Parquet / CSV with columns ``firm``, ``time``, ``text``) through DuckDB
    ``batch_size`` documents at a time, counts each batch with one `KeywordCounter` and keeps only the
    per-firm-year sums, so memory holds one batch of text. Same result as
    `clusterdx.indicators.digital.keyword_intensity` on the whole table.

    Returns
    -------
    pd.DataFrame
        Indexed by (firm, time): counts per dimension, ``total``, ``intensity``, ``documents``.
    """
    if batch_size < 1:
        raise DataError(f"count_documents: batch_size must be >= 1, got {batch_size}")
    counter = KeywordCounter(dictionary, method)
    source = _source(path)
    con = _connect(None, False)
    try:
        _check_columns(con, source, [firm, time, text], path)
        n = con.execute(f"SELECT count(*) FROM {source}").fetchall()[0][0]
        reader = con.sql(
            f"SELECT {_ident(firm)}, {_ident(time)}, {_ident(text)} FROM {source}"
        ).to_arrow_reader(batch_size)
        parts = []
        bar = _bar(n, progress)
        seen = 0
        for batch in reader:
            frame = batch.to_pandas()
            index = pd.RangeIndex(seen, seen + len(frame))
            counts = counter.count_many(frame[text].tolist(), index)
            counts[firm], counts[time] = frame[firm].to_numpy(), frame[time].to_numpy()
            counts["documents"] = 1
            parts.append(counts.groupby([firm, time]).sum())
            seen += len(frame)
            bar.update(len(frame))
        bar.close()
    finally:
        con.close()
    if not parts:
        raise DataError(f"count_documents: {path} has no documents")
    summed = pd.concat(parts).groupby(level=[0, 1]).sum()
    total = summed[counter.dimensions].sum(axis=1)
    return summed.assign(total=total, intensity=np.log1p(total))


def _bar(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="doc", disable=not enabled, desc="keyword counting")
