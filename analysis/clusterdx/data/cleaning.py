"""Cleaning policies of ``[cleaning]``, applied to one source's long table.

Duplicates (drop identical rows / refuse conflicting ones), unit slips (a cell off from its
entity's median by a power of ten, e.g. 万元 typed as 亿元), missing cells (error / drop / interpolate
within the entity) and merged units of the boundary crosswalk (summed into the absorbing unit). Every
dropped row and changed cell is recorded in the `Audit`; the table keeps a ``row_in_file`` column so
messages and the audit name the row a person sees in the file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clusterdx.data.audit import Audit
from clusterdx.data.units import is_nonnegative, is_scaled
from clusterdx.errors import DataError
from clusterdx.study import Source, Study


def drop_rows(
    frame: pd.DataFrame,
    mask: np.ndarray,
    key: list[str],
    source: Source,
    audit: Audit,
    reason: str,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Record the rows under ``mask`` as dropped for ``reason`` and return the other rows.

    A wide table's records carry the year column of their cell (``col_in_file``), named in the audit.
    """
    cols = ["row_in_file", *key] + (["col_in_file"] if "col_in_file" in frame else [])
    for r in frame.loc[mask, cols].to_dict("records"):
        audit.drop(
            source.file,
            row=r["row_in_file"],
            reason=reason,
            key={k: py(r[k]) for k in key},
            sheet=sheet,
            column=r.get("col_in_file"),
        )
    return frame.loc[~mask]


def label(source: Source, sheet: str | None) -> str:
    """``file`` or ``file, sheet 'S'``, as messages name a table."""
    return f"{source.file}, sheet '{sheet}'" if sheet else source.file


def _raw_column(frame: pd.DataFrame, i: int, column: str) -> str:
    """The column a person sees for record ``i``: its year column in a wide table, else ``column``."""
    return frame["col_in_file"].iloc[i] if "col_in_file" in frame else column


def _cell(frame: pd.DataFrame, i: int, source: Source, sheet: str | None, column: str) -> str:
    """Location of the cell of record ``i``: file, sheet, row and the column a person sees."""
    row = int(frame["row_in_file"].iloc[i])
    return f"{label(source, sheet)}, row {row}, column '{_raw_column(frame, i, column)}'"


def _audit_change(
    audit: Audit,
    source: Source,
    sheet: str | None,
    frame: pd.DataFrame,
    key: list[str],
    cell: tuple[int, str],
    action: str,
    old: float | None,
    new: float,
) -> None:
    """Record in ``audit`` the change of ``cell`` (record, variable) of ``frame``, by raw row."""
    i, var = cell
    audit.change(
        source.file,
        row=int(frame["row_in_file"].iloc[i]),
        column=_raw_column(frame, i, var),
        action=action,
        old=old,
        new=new,
        key={k: py(frame[k].iloc[i]) for k in key},
        sheet=sheet,
    )


def handle_duplicates(
    frame: pd.DataFrame,
    key: list[str],
    study: Study,
    source: Source,
    audit: Audit,
    sheet: str | None = None,
) -> pd.DataFrame:
    dup = frame.duplicated(key, keep=False)
    if not dup.any():
        return frame
    values = [c for c in frame.columns if c not in ("row_in_file", "col_in_file", *key)]
    exact = frame.duplicated([*key, *values], keep="first")
    conflicting = dup & ~frame.duplicated([*key, *values], keep=False)
    if conflicting.any() or study.spec.cleaning.duplicates == "error":
        rows = frame.loc[dup, ["row_in_file", *key]].head(6)
        listing = "; ".join(
            f"row {r.row_in_file}: " + ", ".join(f"{k}={getattr(r, k)}" for k in key)
            for r in rows.itertuples(index=False)
        )
        kind = "conflicting values" if conflicting.any() else "identical rows"
        raise DataError(
            f"{label(source, sheet)}: duplicate {'-'.join(key)} key(s) with {kind} ({int(dup.sum())} rows): "
            f"{listing}. Keep one row per key in the file"
            + ("" if conflicting.any() else ", or set [cleaning].duplicates = 'drop_exact'")
        )
    return drop_rows(
        frame, exact.to_numpy(), key, source, audit, "exact duplicate of an earlier row", sheet
    )


def handle_out_of_range(
    frame: pd.DataFrame,
    key: list[str],
    variables: dict[str, str],
    study: Study,
    source: Source,
    audit: Audit,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Refuse (or drop, audited) values outside ``[variables.<name>]`` ``min`` / ``max``.

    Variables whose unit is not a ratio or an index (money, persons, counts, mass, area, ...) are
    nonnegative unless ``nonnegative = false``; bounds apply to the stored values (after conversion).
    ``variables`` maps each variable to the raw column it comes from (named in messages).
    """
    policy = study.spec.cleaning.out_of_range
    for var, column in variables.items():
        spec = study.spec.variables[var]
        nonnegative = is_nonnegative(spec.unit) if spec.nonnegative is None else spec.nonnegative
        low = spec.min
        if nonnegative:
            low = 0.0 if low is None else max(low, 0.0)
        values = frame[var]
        below = (values < low) if low is not None else pd.Series(False, index=frame.index)
        above = (values > spec.max) if spec.max is not None else pd.Series(False, index=frame.index)
        bad = (below | above).fillna(False).to_numpy()
        if not bad.any():
            continue
        if policy == "error":
            i = int(np.flatnonzero(bad)[0])
            value = float(values.iloc[i])
            if below.iloc[i]:
                rule = f"below the minimum {low:g} of [variables.{var}]" + (
                    " (nonnegative by default for a variable in "
                    f"{spec.unit!r}; set nonnegative = false if negative values are possible)"
                    if nonnegative and spec.nonnegative is None and low == 0
                    else ""
                )
            else:
                rule = f"above the maximum {spec.max:g} of [variables.{var}]"
            raise DataError(
                f"{_cell(frame, i, source, sheet, column)}: value {value:g} is {rule}; "
                f"{int(bad.sum())} such cell(s). Correct the cell(s), change min / max / nonnegative "
                "of the variable, or set [cleaning].out_of_range = 'drop' to drop the rows (audited)"
            )
        bounds = (
            f"[{'' if low is None else f'{low:g}'}, {'' if spec.max is None else f'{spec.max:g}'}]"
        )
        frame = drop_rows(frame, bad, key, source, audit, f"{var} out of range {bounds}", sheet)
    return frame


def _slip_groups(logs: np.ndarray, gap: float) -> np.ndarray:
    """Label the values of one series by the clusters that gaps wider than ``gap`` (log10) split."""
    order = np.argsort(logs, kind="stable")
    jumps = np.concatenate([[0], np.cumsum(np.diff(logs[order]) > gap)])
    labels = np.empty(len(logs), dtype=int)
    labels[order] = jumps
    return labels


def handle_unit_slips(
    frame: pd.DataFrame,
    key: list[str],
    variables: list[str],
    study: Study,
    source: Source,
    audit: Audit,
    sheet: str | None = None,
    columns: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Flag series that split into groups a power of ten apart (万元 typed as 元, for some years).

    Within each entity, the absolute values are split where two consecutive sorted values differ by
    more than ``unit_slip_factor``. When a series splits, the reference group is the one closest to
    the other entities' values in the same years (the median of their log10 ratios); without other
    entities, the largest group. The other groups are the slips, even when they are the majority of
    the series. Only variables in scaled units (money, persons, counts of items, mass, ...) are
    checked: a slip means a value typed in the wrong multiple, which ratios cannot have. Slips
    smaller than the factor (x10, x100 with the default 1000) cannot be told from real variation
    and are not reported. ``columns`` maps variables to the raw columns named in messages.
    """
    group = key[:-1] if "year" in key else None
    if not group:
        return frame
    gap = float(np.log10(study.spec.cleaning.unit_slip_factor))
    frame = frame.copy()
    for var in variables:
        if not is_scaled(study.spec.variables[var].unit):
            continue
        values = frame[var].abs()
        logs = np.log10(values.where(values > 0))
        year_median = logs.groupby(frame["year"]).transform("median")
        by_entity = logs.groupby([frame[g] for g in group])
        spread = (by_entity.transform("max") - by_entity.transform("min")).to_numpy()
        suspects = np.flatnonzero(spread > gap)
        if not suspects.size:
            continue
        for entity, index in frame.iloc[suspects].groupby(group, sort=True).indices.items():
            index = suspects[index]
            series = logs.iloc[index]
            seen = np.flatnonzero(series.notna().to_numpy())
            if seen.size < 2:
                continue
            labels = _slip_groups(series.iloc[seen].to_numpy(), gap)
            if labels.max() == 0:
                continue
            rows = index[seen]
            offsets = (logs.iloc[rows] - year_median.iloc[rows]).to_numpy()
            sizes = np.bincount(labels)
            if (frame[group[0]] != frame[group[0]].iloc[0]).any():
                score = [abs(np.median(offsets[labels == g])) for g in range(len(sizes))]
                reference = int(np.argmin(score))
            else:
                reference = int(np.argmax(sizes))
            centre = np.median(series.iloc[seen].to_numpy()[labels == reference])
            slipped = rows[labels != reference]
            first = int(slipped[0])
            power = int(np.round(np.median(logs.iloc[slipped].to_numpy()) - centre))
            if study.spec.cleaning.unit_slip == "error":
                entity_text = ", ".join(
                    f"{g}={py(v)}" for g, v in zip(group, np.atleast_1d(entity), strict=True)
                )
                listed = ", ".join(str(int(frame["row_in_file"].iloc[i])) for i in slipped[:8])
                majority = (
                    " (the majority of the series: the other values agree with the other "
                    f"{'/'.join(group)}s)"
                    if len(slipped) > len(rows) / 2
                    else ""
                )
                raise DataError(
                    f"{_cell(frame, first, source, sheet, (columns or {}).get(var, var))}: a unit "
                    f"slip in {entity_text}: "
                    f"{len(slipped)} of {len(rows)} values (rows {listed}) are about 1e{power:+d} "
                    f"times the other values{majority}; value {frame[var].iloc[first]:g} against a "
                    f"typical {10.0**centre:g}. Correct the cells (or the unit), or set "
                    "[cleaning].unit_slip = 'rescale' to rescale them by that power of ten (audited)"
                )
            for i in slipped:
                old = float(frame[var].iloc[i])
                cell_power = int(np.round(logs.iloc[i] - centre))
                new = old / 10.0**cell_power
                action = f"unit slip rescaled by 1e{-cell_power}"
                _audit_change(audit, source, sheet, frame, key, (i, var), action, old, new)
                frame.iloc[i, frame.columns.get_loc(var)] = new
    return frame


def _interpolate_inside(values: pd.Series, groups: pd.Series) -> pd.Series:
    """Linear interpolation of the gaps between two observed rows of the same group, all groups
    at once (rows sorted by group, then year).

    Equal, to the last bit, to ``Series.interpolate(method="linear", limit_area="inside")`` within
    each group: that interpolates by row position with ``np.interp``, i.e. a gap at position p
    between observed positions a < p < b gets ``(v_b − v_a)/(b − a) · (p − a) + v_a``; gaps at the
    start or end of a group stay missing.
    """
    out = values.to_numpy(dtype=float, na_value=np.nan, copy=True)
    position = np.arange(len(out), dtype=float)
    observed = pd.Series(np.where(np.isnan(out), np.nan, position)).groupby(groups.to_numpy())
    before, after = observed.ffill().to_numpy(), observed.bfill().to_numpy()
    inside = np.flatnonzero(np.isnan(out) & ~np.isnan(before) & ~np.isnan(after))
    a, b = before[inside], after[inside]
    slope = (out[b.astype(np.intp)] - out[a.astype(np.intp)]) / (b - a)
    out[inside] = slope * (position[inside] - a) + out[a.astype(np.intp)]
    return pd.Series(out, index=values.index, name=values.name)


def handle_missing(
    frame: pd.DataFrame,
    key: list[str],
    variables: list[str],
    study: Study,
    source: Source,
    audit: Audit,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Apply the missing-cell policy: error, drop the row, or interpolate linearly within the entity."""
    policy = study.spec.cleaning.missing
    missing = frame[variables].isna()
    if not missing.to_numpy().any():
        return frame
    cells = [(i, var) for var in variables for i in np.flatnonzero(missing[var].to_numpy())]
    if policy == "error":
        shown = "; ".join(
            f"row {int(frame['row_in_file'].iloc[i])}, column '{_raw_column(frame, i, v)}'"
            for i, v in cells[:5]
        )
        raise DataError(
            f"{label(source, sheet)}: {len(cells)} missing cell(s): {shown}. Fill them in the file, or set "
            "[cleaning].missing = 'interpolate' (within region, audited) or 'drop' (rows dropped, audited)"
        )
    if policy == "drop":
        return drop_rows(
            frame, missing.any(axis=1).to_numpy(), key, source, audit, "missing value", sheet
        )
    group = key[:-1] if "year" in key else None
    if not group:
        raise DataError(
            f"{label(source, sheet)}: cannot interpolate a table without a year column; "
            "use [cleaning].missing = 'drop' or fill the cells"
        )
    frame = frame.sort_values(key, kind="stable").copy()
    for var in variables:
        before = frame[var].copy()
        gaps = before.isna()
        if not gaps.any():
            continue
        frame[var] = _interpolate_inside(before, frame.groupby(group, sort=False).ngroup())
        filled = before.isna() & frame[var].notna()
        still = frame[var].isna()
        if still.any():
            r = frame.loc[still].iloc[0]
            raise DataError(
                f"{label(source, sheet)}, row {int(r['row_in_file'])}, column "
                f"'{r['col_in_file'] if 'col_in_file' in frame else var}': missing at the start or end of "
                f"its series ({', '.join(f'{k}={py(r[k])}' for k in key)}); interpolation only fills "
                "gaps between two observed years. Fill the cell or use [cleaning].missing = 'drop'"
            )
        for i in np.flatnonzero(filled.to_numpy()):
            new = float(frame[var].iloc[i])
            _audit_change(audit, source, sheet, frame, key, (i, var), "interpolated", None, new)
    return frame


def sum_merged_units(
    frame: pd.DataFrame,
    key: list[str],
    variables: list[str],
    study: Study,
    source: Source,
    audit: Audit,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Sum rows that share a key because a merged unit was recoded to its absorbing unit."""
    if not frame["merged"].any():
        return frame.drop(columns="merged")
    shared = frame.duplicated(key, keep=False)
    involved = frame.groupby(key)["merged"].transform("any") & shared
    if not involved.any():
        return frame.drop(columns="merged")
    if study.spec.cleaning.merged_units == "error":
        first = frame.loc[involved].iloc[0]
        raise DataError(
            f"{label(source, sheet)}, row {int(first['row_in_file'])}: a merged unit was recoded to region "
            f"{int(first['region'])}, which has its own row for the same key "
            f"({', '.join(f'{k}={py(first[k])}' for k in key)}). Set [cleaning].merged_units = 'sum' "
            "to add them up (additive variables only), or drop the old unit's rows"
        )
    keep = frame.loc[~involved]
    parts = frame.loc[involved]
    summed = parts.groupby(key, as_index=False, sort=False).agg(
        {**dict.fromkeys(variables, "sum"), "row_in_file": "min"}
        | ({"col_in_file": "first"} if "col_in_file" in parts else {})
        | {
            c: "first"
            for c in parts.columns
            if c not in (*key, *variables, "row_in_file", "merged", "col_in_file")
        }
    )
    absorbed = ~parts["row_in_file"].isin(set(summed["row_in_file"])).to_numpy()
    merged = parts["merged"].to_numpy()
    drop_rows(
        parts,
        absorbed & merged,
        key,
        source,
        audit,
        "merged unit summed into its absorbing unit",
        sheet,
    )
    drop_rows(
        parts,
        absorbed & ~merged,
        key,
        source,
        audit,
        "absorbing unit's row summed with a merged unit",
        sheet,
    )
    out = pd.concat([keep, summed], ignore_index=True)
    return out.drop(columns="merged")


def py(value):
    """A NumPy scalar as the Python value (for JSON in the audit)."""
    return value.item() if hasattr(value, "item") else value
