"""Build the clean region-year panel (and the industry, firm and cluster tables) from raw files.

Each ``[[sources]]`` entry of the study is read by `read_source`: region names or codes are mapped to
registry codes, years checked against the study window, cells parsed as numbers and converted to the
variable's stored unit, duplicates, missing cells and unit slips handled by the ``[cleaning]`` policy.
`merge_region_year` joins the region-year sources into one balanced panel. Every dropped row and every
changed cell is recorded in the `Audit`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from clusterdx import regions
from clusterdx.data import collector
from clusterdx.data.audit import Audit
from clusterdx.data.balance import excluded_codes, gaps, settle
from clusterdx.data.cleaning import (
    handle_duplicates,
    handle_missing,
    handle_out_of_range,
    handle_unit_slips,
    sum_merged_units,
)
from clusterdx.data.readers import (
    FOOTER_WORDS,
    Layout,
    RawTable,
    normalise_full_width,
    parse_numeric,
    read_csv,
    read_workbook,
    read_xlsx_sheet,
    require_columns,
    sheet_names,
)
from clusterdx.data.schemas import validate_panel
from clusterdx.data.units import conversion_factor, header_unit
from clusterdx.errors import DataError, PanelError
from clusterdx.regions.crosswalk import Change, crosswalk, find_change
from clusterdx.regions.own import study_regions
from clusterdx.study import Source, Study

#: Key columns of each kind of source in the clean tables.
KEYS: dict[str, list[str]] = {
    "region_year": ["region", "year"],
    "region_industry_year": ["region", "industry", "year"],
    "firm_year": ["firm", "year"],
    "cluster": ["cluster"],
}


def source_key(source: Source) -> list[str]:
    """Key columns of a source's clean table: `KEYS` of its kind, and ``year`` too for a
    ``cluster`` source with a year column (a cluster-year table rather than the registry)."""
    if source.kind == "cluster" and source.year:
        return ["cluster", "year"]
    return KEYS[source.kind]


@dataclass
class CleanData:
    """The clean tables of a study: the region-year panel and the other kinds of source.

    Attributes
    ----------
    panel : pandas.DataFrame
        The balanced region-year panel (columns region, year and the variables), sorted.
    audit : Audit
        Every row dropped and every cell changed while cleaning, per raw file.
    tables : dict of str to pandas.DataFrame
        The sources of the other kinds (region_industry_year, firm_year, cluster), by source name.

    Examples
    --------
    `build_clean` returns one (here from a CSV file holding an exact duplicate row):

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from clusterdx.study import Study
    >>> tmp = tempfile.TemporaryDirectory()
    >>> pd.DataFrame({
    ...     "省份": ["北京", "天津", "北京", "天津", "天津"],
    ...     "年份": [2020, 2020, 2021, 2021, 2021],
    ...     "GDP": [36102.6, 14083.7, 40269.6, 15695.0, 15695.0],
    ... }).to_csv(Path(tmp.name, "gdp.csv"), index=False)
    >>> study = Study.from_dict({
    ...     "study": {"name": "demo", "years": [2020, 2021]},
    ...     "paths": {"root": ".", "raw": "."},
    ...     "variables": {"gdp": {"unit": "亿元"}},
    ...     "sources": [{"name": "gdp", "file": "gdp.csv", "region": "省份", "year": "年份",
    ...                  "variables": {"gdp": {"column": "GDP", "unit": "亿元"}}}],
    ... }, Path(tmp.name, "study.toml"))
    >>> clean = build_clean(study)
    >>> clean.panel.shape, clean.panel.columns.tolist(), clean.tables
    ((4, 3), ['region', 'year', 'gdp'], {})
    >>> clean.audit.rows_dropped
    1
    >>> tmp.cleanup()
    """

    panel: pd.DataFrame
    audit: Audit
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def file_sha256(path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def layout_of(source: Source) -> Layout:
    """The reader `Layout` of a ``[[sources]]`` entry (header rows, units row, footer)."""
    return Layout(
        header_row=source.first_header_row,
        header_rows=source.header_rows,
        units_row=source.units_row,
        footer=source.footer,
    )


def _read_raw(study: Study, source: Source) -> list[tuple[RawTable, dict[str, str | None]]]:
    """Read the raw table(s) of a source: one per sheet of a wide workbook, else the single table.

    Returns pairs (table, {variable: column holding it}); the column is None in a wide table (the
    values sit in the year columns).
    """
    path = study.raw_dir / source.file
    layout = layout_of(source)
    book = path.suffix.lower() in (".xlsx", ".xlsm", ".xls")
    if source.layout == "wide":
        if not book:
            return [(read_csv(path, source.encoding, layout), dict.fromkeys(source.variables))]
        tables = read_workbook(path, [loc.sheet for loc in source.variables.values()], layout)
        return [(t, {var: None}) for t, var in zip(tables, source.variables, strict=True)]
    table = (
        read_xlsx_sheet(path, sheet_names(path)[0], layout)
        if book
        else read_csv(path, source.encoding, layout)
    )
    return [(table, {var: table.column(loc.column) for var, loc in source.variables.items()})]


def _wide_to_long(table: RawTable, region_col: str, var: str) -> RawTable:
    """Turn a region × year table (header '2011', '2011年', ...) into long records (region, year, var).

    The year columns may come in any order (国家数据 exports list the latest year first); each record
    remembers its row and its year column (``col_in_file``) for messages and the audit.
    """
    require_columns(table, [region_col])
    region_col = table.column(region_col)
    year_cols = [c for c in table.frame.columns if c != region_col]
    years = {}
    for col in year_cols:
        digits = re.sub(r"\D", "", col)
        if len(digits) != 4:
            raise DataError(
                f"{table.label}: header {col!r} is not a year; a wide table has the region column "
                f"{region_col!r} and one column per year ('2011' or '2011年')"
            )
        years[col] = digits
    frame = table.frame.melt(
        id_vars=[region_col], value_vars=year_cols, var_name="col_in_file", value_name=var
    )
    frame["_year"] = frame["col_in_file"].map(years)
    rows = np.tile(table.rows, len(year_cols))
    return replace(table, frame=frame, rows=rows, units={})


def _subset(table: RawTable, mask: np.ndarray) -> RawTable:
    return replace(table, frame=table.frame[mask].reset_index(drop=True), rows=table.rows[mask])


def _raw_unit(source: Source, var: str, table: RawTable, column: str | None, audit: Audit) -> str:
    """The unit of a raw variable: declared in ``[[sources]]``, else stated by the file, else "1".

    The file states a unit in its header (``GDP(亿元)``, the units row of a database export), in the
    ``指标：`` line of a 国家数据 export or in a sheet name (``地区生产总值(亿元)``). A declared unit that
    contradicts the file is an error: one of the two is wrong, and the values would be off by the
    ratio of the units.
    """
    declared = source.variables[var].unit
    if column is not None:
        stated, where = table.units.get(column), f"header {column!r}"
        if stated is None and table.title_unit:
            stated, where = table.title_unit, "the '指标：' line above the header"
    elif table.sheet is not None:
        stated, where = header_unit(table.sheet), f"sheet name {table.sheet!r}"
    else:
        stated, where = table.title_unit, "the '指标：' line above the header"
        if stated is None:
            found = set(table.units.values())
            stated, where = (found.pop(), "the year headers") if len(found) == 1 else (None, "")
    if declared is not None and stated is not None:
        try:
            same = conversion_factor(declared, stated) == 1.0
        except DataError:
            same = False
        if not same:
            raise DataError(
                f"{table.label}: {where} says the unit is {stated!r}, but [[sources]] "
                f"'{source.name}' declares unit = {declared!r} for '{var}'. Fix the declaration "
                "(or the header): the values would be off by the ratio of the two units"
            )
    unit = declared or stated or "1"
    origin = "declared" if declared else (where if stated else 'default "1"')
    audit.file(source.file).units[var] = {"unit": unit, "from": origin}
    return unit


def _clean_table(
    study: Study,
    source: Source,
    table: RawTable,
    columns: dict[str, str | None],
    audit: Audit,
) -> pd.DataFrame:
    """Read one CSV file or sheet into a clean long table (see `read_source`) and count it."""
    spec = study.spec
    sheet = table.sheet
    for line in table.skipped:
        audit.skip(source.file, sheet=sheet, **line)
    require_columns(table, [source.region])
    region_col = table.column(source.region)
    regions_text = table.frame[region_col].astype(str).str.strip()
    dropped_regions = regions_text.isin(source.drop_regions).to_numpy()
    for i in np.flatnonzero(dropped_regions):
        audit.skip(
            source.file,
            sheet=sheet,
            row=int(table.rows[i]),
            reason=f"region {regions_text.iloc[i]!r} in drop_regions",
            text=",".join(c for c in table.frame.iloc[i] if str(c).strip()),
        )
    table = _subset(table, ~dropped_regions)
    record_lines = len(table.frame)
    units = {var: _raw_unit(source, var, table, col, audit) for var, col in columns.items()}
    if source.layout == "wide":
        ((var, _),) = columns.items()
        table = _wide_to_long(table, source.region, var)
        columns = {var: var}
        region_col, year_col = table.column(source.region), "_year"
    else:
        year_col = table.column(source.year) if source.year else None
        required = [source.region, *columns.values(), *source.keep]
        required += [c for c in (source.year, source.industry, source.id) if c]
        require_columns(table, required)
    per_line = len(table.frame) // max(record_lines, 1)
    piece = pd.DataFrame(index=pd.RangeIndex(len(table.frame)))
    piece["row_in_file"] = table.rows
    if source.layout == "wide":
        piece["col_in_file"] = table.frame["col_in_file"].to_numpy()
    codes, merged = _region_codes(table, region_col, study, audit, source.file)
    piece["region"] = codes.to_numpy()
    piece["merged"] = merged
    keep_mask = np.ones(len(piece), dtype=bool)
    if year_col is not None:
        years, keep_mask = _years(
            table, year_col, spec.study.years, spec.cleaning.out_of_window, audit, source.file
        )
        piece["year"] = years.to_numpy()
    if source.industry:
        piece["industry"] = (
            table.frame[table.column(source.industry)].astype(str).str.strip().to_numpy()
        )
    if source.id:
        piece[source_key(source)[0]] = (
            table.frame[table.column(source.id)].astype(str).str.strip().to_numpy()
        )
    for col in source.keep:
        piece[col] = table.frame[table.column(col)].astype(str).str.strip().to_numpy()
    for var, col in columns.items():
        factor = conversion_factor(
            units[var], spec.variables[var].unit, where=f"{table.label}, column '{col}': "
        )
        piece[var] = (parse_numeric(table, col) * factor).to_numpy()
        _audit_full_width(table, col, piece, audit, source.file)
    frame = piece[keep_mask]
    key = source_key(source)
    variables = list(columns)
    raw_columns = {var: (col if source.layout == "long" else var) for var, col in columns.items()}
    frame = sum_merged_units(frame, key, variables, study, source, audit, sheet)
    frame = handle_duplicates(frame, key, study, source, audit, sheet)
    frame = handle_out_of_range(frame, key, raw_columns, study, source, audit, sheet)
    frame = handle_unit_slips(frame, key, variables, study, source, audit, sheet, raw_columns)
    frame = handle_missing(frame, key, variables, study, source, audit, sheet)
    audit.file(source.file).count_table(
        sheet,
        lines=table.lines,
        header_lines=table.header_lines,
        record_lines=record_lines,
        records_per_line=per_line,
        records_read=len(piece),
        records_kept=len(frame),
    )
    return frame.drop(columns=["row_in_file", "col_in_file"], errors="ignore")


def _audit_full_width(
    table: RawTable, column: str, piece: pd.DataFrame, audit: Audit, name: str
) -> None:
    """Audit every cell whose full-width digits (``９１９１``) were read as ASCII digits."""
    text = table.frame[column].astype(str).str.strip()
    fixed, changed = normalise_full_width(text)
    for i in np.flatnonzero(changed):
        audit.change(
            name,
            row=int(table.rows[i]),
            column=str(piece["col_in_file"].iloc[i]) if "col_in_file" in piece else column,
            action="full-width characters read as ASCII",
            old=text.iloc[i],
            new=fixed.iloc[i],
            sheet=table.sheet,
        )


def _region_codes(
    table: RawTable, column: str, study: Study, audit: Audit, name: str
) -> tuple[pd.Series, np.ndarray]:
    """Map region names or codes to registry codes, through the crosswalk for old units.

    Returns the codes and a mask of the rows recoded from a merged unit. Unknown values, and units
    that were split, are errors naming the row; every recoded row is recorded in the audit.
    """
    level = study.spec.study.level
    values = table.frame[column].astype(str).str.strip()
    own = study_regions(study)
    if own is not None:
        return _own_codes(table, column, values, own), np.zeros(len(values), dtype=bool)
    extra = study.spec.cleaning.crosswalk
    changes = crosswalk(level, study.root / extra if extra else None)
    mapping: dict[str, int] = {}
    recoded: dict[str, Change] = {}
    positions, uniques = pd.factorize(values)  # each distinct name looked up once
    for value in uniques:
        try:
            mapping[value] = regions.lookup(value, level=level)
            continue
        except DataError as exc:
            first = int(np.flatnonzero((values == value).to_numpy())[0])
            change = find_change(value, changes)
            if change is None:
                hint = (
                    " This looks like a footnote: set footer = 'auto' in the [[sources]] entry to "
                    "drop the trailing 注： / 数据来源： lines (audited)"
                    if value.startswith(FOOTER_WORDS)
                    else " To leave out aggregate rows such as 全国, list them in the source's "
                    "drop_regions (audited)"
                    if value in ("全国", "合计", "总计", "National", "Total")
                    else ""
                )
                raise DataError(
                    f"{table.where(first, column)}: region {value!r} is not in the {level} "
                    f"registry. {exc}{hint}"
                ) from None
        if change.kind == "split":
            raise DataError(
                f"{table.where(first, column)}: {change.old_name} ({change.old_code}) was split in "
                f"{change.year} into {change.new_name} ({change.note}); there is no one-to-one "
                "mapping, so allocate its rows to the successor units in the raw file"
            )
        mapping[value] = change.new_code
        recoded[value] = change
    for value, change in recoded.items():
        for i in np.flatnonzero((values == value).to_numpy()):
            audit.change(
                name,
                row=int(table.rows[i]),
                column=column,
                action=f"region {change.kind}: {change.old_name} -> {change.new_name} "
                f"({change.year})",
                old=change.old_code,
                new=change.new_code,
                sheet=table.sheet,
            )
    merged = values.isin([v for v, c in recoded.items() if c.kind == "merge"]).to_numpy()
    codes = np.array([mapping[value] for value in uniques], dtype="int64")[positions]
    return pd.Series(codes, index=values.index, name=values.name), merged


def _own_codes(table: RawTable, column: str, values: pd.Series, own) -> pd.Series:
    """Map names or codes to the codes of ``[regions]`` (matched exactly as given)."""
    keys = own.index()
    unknown = values[~values.isin(list(keys))]
    if len(unknown):
        first = int(np.flatnonzero(values.isin(unknown.unique()).to_numpy())[0])
        try:
            own.lookup(unknown.iloc[0])
        except DataError as exc:
            raise DataError(
                f"{table.where(first, column)}: region {unknown.iloc[0]!r} is not in [regions]: "
                f"{exc}. Add it to the regions file or correct the cell"
            ) from None
    codes = values.map(keys)
    return codes.astype("int64") if all(isinstance(c, int) for c in keys.values()) else codes


def _years(
    table: RawTable, column: str, window: tuple[int, int], policy: str, audit: Audit, name: str
) -> tuple[pd.Series, np.ndarray]:
    """Parse years; rows outside the window are an error or dropped (audited) by policy."""
    text = table.frame[column].astype(str).str.strip().str.replace("年", "", regex=False)
    arr = pa.array(text)
    # an ASCII cell is a year when it is four ASCII digits (Arrow's scans); the rest go through the
    # regex, whose \d also takes other scripts' digits
    year = pc.fill_null(pc.and_(pc.ascii_is_decimal(arr), pc.equal(pc.utf8_length(arr), 4)), False)
    year = year.to_numpy(zero_copy_only=False)
    other = ~pc.fill_null(pc.string_is_ascii(arr), True).to_numpy(zero_copy_only=False)
    if other.any():
        year[other] = text[other].str.fullmatch(r"\d{4}").to_numpy()
    bad = np.flatnonzero(~year)
    if bad.size:
        i = bad[0]
        raise DataError(f"{table.where(i, column)}: {table.frame[column].iloc[i]!r} is not a year")
    # Arrow's cast where every cell is ASCII; pandas (Python's int) for other scripts' digits
    years = (
        text.astype("int64")
        if other.any()
        else pd.Series(pc.cast(arr, pa.int64()).to_numpy(zero_copy_only=False), index=text.index)
    )
    outside = ((years < window[0]) | (years > window[1])).to_numpy()
    if outside.any():
        if policy == "error":
            i = int(np.flatnonzero(outside)[0])
            raise DataError(
                f"{table.where(i, column)}: year {int(years.iloc[i])} is outside the study window "
                f"{window[0]}-{window[1]} ({int(outside.sum())} such rows). Widen [study].years, or set "
                "[cleaning].out_of_window = 'drop' to drop them (they are then counted in the audit)"
            )
        cells = table.frame.get("col_in_file")
        for i in np.flatnonzero(outside):
            audit.drop(
                name,
                row=table.rows[i],
                reason="year outside study window",
                key={"year": int(years.iloc[i])},
                sheet=table.sheet,
                column=None if cells is None else cells.iloc[i],
            )
    return years, ~outside


def read_source(study: Study, source: Source, audit: Audit) -> pd.DataFrame:
    """Read one raw source into a clean long table keyed by `source_key`.

    Variables are converted to the units declared in ``[variables]``. Duplicates, missing cells, years
    outside the window and unit slips follow ``[cleaning]``; every decision is recorded in ``audit``.

    Raises
    ------
    DataError
        Missing file or column, undecodable bytes, non-numeric cell, unknown region, year outside the
        window (policy "error"), conflicting duplicate key, unit mismatch, missing cell (policy "error").

    Examples
    --------
    Region names in Chinese or English become registry codes, ``2020年`` becomes 2020, and 万元
    are converted to the 亿元 declared in ``[variables]``:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from clusterdx.study import Study
    >>> tmp = tempfile.TemporaryDirectory()
    >>> pd.DataFrame({
    ...     "省份": ["北京市", "Tianjin", "北京市", "Tianjin"],
    ...     "年份": ["2020年", "2020年", "2021年", "2021年"],
    ...     "GDP": [361026000, 140837000, 402696000, 156950000],
    ... }).to_csv(Path(tmp.name, "gdp.csv"), index=False)
    >>> study = Study.from_dict({
    ...     "study": {"name": "demo", "years": [2020, 2021]},
    ...     "paths": {"root": ".", "raw": "."},
    ...     "variables": {"gdp": {"unit": "亿元"}},
    ...     "sources": [{"name": "gdp", "file": "gdp.csv", "region": "省份", "year": "年份",
    ...                  "variables": {"gdp": {"column": "GDP", "unit": "万元"}}}],
    ... }, Path(tmp.name, "study.toml"))
    >>> from clusterdx.data.audit import Audit
    >>> audit = Audit()
    >>> read_source(study, study.spec.sources[0], audit)
       region  year      gdp
    0  110000  2020  36102.6
    1  110000  2021  40269.6
    2  120000  2020  14083.7
    3  120000  2021  15695.0
    >>> audit.file("gdp.csv").rows_read, audit.file("gdp.csv").encoding
    (4, 'utf-8')
    >>> tmp.cleanup()
    """
    path = study.raw_dir / source.file
    entry = audit.file(source.file)
    entry.sha256 = file_sha256(path) if path.exists() else ""
    key = source_key(source)
    frames = []
    with collector.paused():  # millions of small objects, no cycles (clusterdx.data.collector)
        for table, columns in _read_raw(study, source):
            entry.encoding = table.encoding
            frames.append(_clean_table(study, source, table, columns, audit))
        frame = frames[0]
        for other in frames[1:]:
            frame = frame.merge(other, on=key, how="outer", validate="1:1")
        return frame.sort_values(key, kind="stable").reset_index(drop=True)


def merge_region_year(study: Study, frames: dict[str, pd.DataFrame], audit: Audit) -> pd.DataFrame:
    """Join region-year sources into one panel sorted by (region, year).

    Regions of ``[study].exclude_regions`` are left out. Region-years that some source lacks are
    left out too and listed in the audit (``missing_region_years``): the panel may be unbalanced,
    which the non-spatial estimators accept; ``[cleaning].balance`` drops the regions or years with
    gaps instead (see `clusterdx.data.balance`).

    Raises
    ------
    PanelError
        If a variable appears in two sources.

    Examples
    --------
    Two sources, GDP and population, joined into one panel; a missing region-year is audited:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from clusterdx.data.audit import Audit
    >>> from clusterdx.study import Study
    >>> tmp = tempfile.TemporaryDirectory()
    >>> study = Study.from_dict({
    ...     "study": {"name": "demo", "years": [2020, 2021]},
    ...     "paths": {"root": ".", "raw": "."},
    ...     "variables": {"gdp": {"unit": "亿元"}, "pop": {"unit": "万人"}},
    ...     "sources": [],
    ... }, Path(tmp.name, "study.toml"))
    >>> keys = {"region": [110000, 110000, 120000, 120000], "year": [2020, 2021, 2020, 2021]}
    >>> gdp = pd.DataFrame({**keys, "gdp": [36102.6, 40269.6, 14083.7, 15695.0]})
    >>> pop = pd.DataFrame({**keys, "pop": [2189.0, 2188.6, 1386.6, 1373.0]})
    >>> audit = Audit()
    >>> panel = merge_region_year(study, {"gdp_source": gdp, "pop_source": pop}, audit)
    >>> panel.columns.tolist(), panel.shape
    (['region', 'year', 'gdp', 'pop'], (4, 4))
    >>> audit.tables["panel"]["balanced"]
    True
    >>> audit = Audit()
    >>> merge_region_year(study, {"gdp_source": gdp, "pop_source": pop.iloc[:3]}, audit).shape
    (3, 4)
    >>> audit.tables["panel"]["missing_region_years"], audit.tables["panel"]["balanced"]
    ([{'region': 120000, 'year': 2021, 'variables': ['pop'], 'from': ['pop_source']}], False)
    >>> tmp.cleanup()
    """
    audit.reconcile()  # every raw line and record accounted for before the sources are joined
    seen: dict[str, str] = {}
    panel: pd.DataFrame | None = None
    for name, frame in frames.items():
        for col in frame.columns.difference(["region", "year"]):
            if col in seen:
                raise PanelError(
                    f"variable '{col}' comes from both source '{seen[col]}' and '{name}'"
                )
            seen[col] = name
        panel = (
            frame
            if panel is None
            else panel.merge(
                frame, on=["region", "year"], how="outer", validate="1:1", indicator=False
            )
        )
    if panel is None:
        raise PanelError("the study declares no region_year source")
    first, last = study.spec.study.years
    excluded = excluded_codes(study)
    audit.tables["panel"] = {
        "excluded_regions": [
            {"region": code, "rows_dropped": int((panel["region"] == code).sum())}
            for code in excluded
        ]
    }
    panel = panel[~panel["region"].isin(excluded)]
    grid = pd.MultiIndex.from_product(
        [sorted(panel["region"].unique()), range(first, last + 1)], names=["region", "year"]
    )
    panel = settle(study, panel.set_index(["region", "year"]).reindex(grid), seen, audit)
    panel = validate_panel(study, panel)
    _reconcile_panel(frames, panel, audit.tables["panel"])
    audit.tables["panel"] |= {
        "rows": len(panel),
        "regions": int(panel["region"].nunique()),
        "years": [first, last],
        "variables": sorted(seen),
        "balanced": bool(gaps(panel).empty),
    }
    return panel


def _reconcile_panel(frames: dict[str, pd.DataFrame], panel: pd.DataFrame, entry: dict) -> None:
    """Every record of every region-year source is in the panel or audited as left out.

    Left out with an audit line (``entry`` = ``audit.tables["panel"]``): the region-years lacking a
    variable (``missing_region_years``), the regions of ``[study].exclude_regions`` and the regions /
    years dropped by ``[cleaning].balance``.
    """
    balance = entry.get("balance", {})
    audited = {(m["region"], m["year"]) for m in entry.get("missing_region_years", [])}
    dropped_regions = set(balance.get("dropped_regions", [])) | {
        e["region"] for e in entry.get("excluded_regions", [])
    }
    dropped_years = set(balance.get("dropped_years", []))
    index = pd.MultiIndex.from_frame(panel[["region", "year"]])
    for name, frame in frames.items():
        keys = pd.MultiIndex.from_frame(frame[["region", "year"]])
        lost = [
            (region, year)
            for region, year in keys[~keys.isin(index)]
            if (region, int(year)) not in audited
            and region not in dropped_regions
            and int(year) not in dropped_years
        ]
        if lost:
            region, year = lost[0]
            raise DataError(
                f"source '{name}': {len(lost)} clean record(s) (first: region {region} year "
                f"{year}) are missing from the panel without an audit line: the audit does not "
                "reconcile; please report this as a clusterdx bug"
            )


def build_clean(study: Study) -> CleanData:
    """Read every source of the study and return the panel, the other tables and the audit.

    Each source goes through `read_source`; the region-year ones are joined by `merge_region_year`.

    Raises
    ------
    DataError, PanelError
        As raised by `read_source` and `merge_region_year`.

    Examples
    --------
    A CSV file whose last row repeats the one before it (dropped, and counted in the audit):

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from clusterdx.study import Study
    >>> tmp = tempfile.TemporaryDirectory()
    >>> pd.DataFrame({
    ...     "省份": ["北京", "天津", "北京", "天津", "天津"],
    ...     "年份": [2020, 2020, 2021, 2021, 2021],
    ...     "GDP": [36102.6, 14083.7, 40269.6, 15695.0, 15695.0],
    ... }).to_csv(Path(tmp.name, "gdp.csv"), index=False)
    >>> study = Study.from_dict({
    ...     "study": {"name": "demo", "years": [2020, 2021]},
    ...     "paths": {"root": ".", "raw": "."},
    ...     "variables": {"gdp": {"unit": "亿元"}},
    ...     "sources": [{"name": "gdp", "file": "gdp.csv", "region": "省份", "year": "年份",
    ...                  "variables": {"gdp": {"column": "GDP", "unit": "亿元"}}}],
    ... }, Path(tmp.name, "study.toml"))
    >>> clean = build_clean(study)
    >>> clean.panel
       region  year      gdp
    0  110000  2020  36102.6
    1  110000  2021  40269.6
    2  120000  2020  14083.7
    3  120000  2021  15695.0
    >>> clean.audit.file("gdp.csv").dropped
    [{'row': 6, 'reason': 'exact duplicate of an earlier row', 'key': {'region': 120000, 'year': 2021}}]
    >>> tmp.cleanup()
    """
    audit = Audit()
    region_year: dict[str, pd.DataFrame] = {}
    tables: dict[str, pd.DataFrame] = {}
    for source in study.spec.sources:
        frame = read_source(study, source, audit)
        if source.kind == "region_year":
            region_year[source.name] = frame
        else:
            tables[source.name] = frame
            audit.tables[source.name] = {"rows": len(frame), "kind": source.kind}
    panel = merge_region_year(study, region_year, audit)
    return CleanData(panel=panel, audit=audit, tables=tables)


def build_panel(study: Study) -> tuple[pd.DataFrame, Audit]:
    """Build the clean region-year panel and its audit (the public entry point of DESIGN.md).

    Examples
    --------
    >>> import clusterdx as cdx
    >>> from pathlib import Path
    >>> default = Path(cdx.__file__).parents[1] / "study.toml"   # the demo study of the repository
    >>> panel, audit = cdx.data.build_panel(cdx.Study.load(default))
    >>> panel.shape, audit.to_dict()["rows_dropped"]
    ((403, 18), 1)
    """
    clean = build_clean(study)
    return clean.panel, clean.audit
