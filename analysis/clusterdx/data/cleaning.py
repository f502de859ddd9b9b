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
from clusterdx.data.units import SCALED_DIMENSIONS, UNITS
from clusterdx.errors import DataError
from clusterdx.study import Source, Study


def drop_rows(
    frame: pd.DataFrame, mask: np.ndarray, key: list[str], source: Source, audit: Audit, reason: str
) -> pd.DataFrame:
    """Record the rows under ``mask`` as dropped for ``reason`` and return the other rows."""
    for r in frame.loc[mask, ["row_in_file", *key]].itertuples(index=False):
        audit.drop(
            source.file, row=r.row_in_file, reason=reason, key={k: py(getattr(r, k)) for k in key}
        )
    return frame.loc[~mask]


def handle_duplicates(
    frame: pd.DataFrame, key: list[str], study: Study, source: Source, audit: Audit
) -> pd.DataFrame:
    dup = frame.duplicated(key, keep=False)
    if not dup.any():
        return frame
    values = [c for c in frame.columns if c not in ("row_in_file", *key)]
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
            f"{source.file}: duplicate {'-'.join(key)} key(s) with {kind} ({int(dup.sum())} rows): "
            f"{listing}. Keep one row per key in the file"
            + ("" if conflicting.any() else ", or set [cleaning].duplicates = 'drop_exact'")
        )
    return drop_rows(
        frame, exact.to_numpy(), key, source, audit, "exact duplicate of an earlier row"
    )


def handle_unit_slips(
    frame: pd.DataFrame,
    key: list[str],
    variables: list[str],
    study: Study,
    source: Source,
    audit: Audit,
) -> pd.DataFrame:
    """Flag cells off from their entity's median by more than ``unit_slip_factor`` (e.g. 万元 as 亿元).

    Only variables measured in scaled units (money, persons, items, accounts) are checked: a slip means
    a value typed in the wrong multiple (元/万元/亿元, 人/万人), which ratios and counts cannot have.
    """
    group = key[:-1] if "year" in key else None
    if not group:
        return frame
    factor = study.spec.cleaning.unit_slip_factor
    frame = frame.copy()
    for var in variables:
        if UNITS[study.spec.variables[var].unit][0] not in SCALED_DIMENSIONS:
            continue
        values = frame[var]
        median = values.abs().groupby([frame[g] for g in group]).transform("median")
        ratio = (values.abs() / median).where((median > 0) & (values.abs() > 0))
        slips = np.flatnonzero(((ratio > factor) | (ratio < 1 / factor)).fillna(False).to_numpy())
        for i in slips:
            row = frame.iloc[i]
            keys = {k: py(frame[k].iloc[i]) for k in key}
            where = f"{source.file}, row {int(row['row_in_file'])}, column '{var}'"
            if study.spec.cleaning.unit_slip == "error":
                raise DataError(
                    f"{where}: value {row[var]:g} is {ratio.iloc[i]:.3g} times the median of its "
                    f"{'/'.join(group)} ({median.iloc[i]:g}): a unit slip? Correct the cell, or set "
                    "[cleaning].unit_slip = 'rescale' to rescale it by the nearest power of ten (audited)"
                )
            power = int(np.round(np.log10(ratio.iloc[i])))
            new = float(row[var] / 10.0**power)
            audit.change(
                source.file,
                row=int(row["row_in_file"]),
                column=var,
                action=f"unit slip rescaled by 1e{-power}",
                old=float(row[var]),
                new=new,
                key=keys,
            )
            frame.iloc[i, frame.columns.get_loc(var)] = new
    return frame


def handle_missing(
    frame: pd.DataFrame,
    key: list[str],
    variables: list[str],
    study: Study,
    source: Source,
    audit: Audit,
) -> pd.DataFrame:
    """Apply the missing-cell policy: error, drop the row, or interpolate linearly within the entity."""
    policy = study.spec.cleaning.missing
    missing = frame[variables].isna()
    if not missing.to_numpy().any():
        return frame
    cells = [(i, var) for var in variables for i in np.flatnonzero(missing[var].to_numpy())]
    if policy == "error":
        shown = "; ".join(
            f"row {int(frame['row_in_file'].iloc[i])}, column '{v}'" for i, v in cells[:5]
        )
        raise DataError(
            f"{source.file}: {len(cells)} missing cell(s): {shown}. Fill them in the file, or set "
            "[cleaning].missing = 'interpolate' (within region, audited) or 'drop' (rows dropped, audited)"
        )
    if policy == "drop":
        return drop_rows(frame, missing.any(axis=1).to_numpy(), key, source, audit, "missing value")
    group = key[:-1] if "year" in key else None
    if not group:
        raise DataError(
            f"{source.file}: cannot interpolate a table without a year column; "
            "use [cleaning].missing = 'drop' or fill the cells"
        )
    frame = frame.sort_values(key, kind="stable").copy()
    for var in variables:
        before = frame[var].copy()
        frame[var] = frame.groupby(group)[var].transform(
            lambda s: s.interpolate(method="linear", limit_area="inside")
        )
        filled = before.isna() & frame[var].notna()
        still = frame[var].isna()
        if still.any():
            r = frame.loc[still].iloc[0]
            raise DataError(
                f"{source.file}, row {int(r['row_in_file'])}, column '{var}': missing at the start or end of "
                f"its series ({', '.join(f'{k}={py(r[k])}' for k in key)}); interpolation only fills "
                "gaps between two observed years. Fill the cell or use [cleaning].missing = 'drop'"
            )
        for i in np.flatnonzero(filled.to_numpy()):
            audit.change(
                source.file,
                row=int(frame["row_in_file"].iloc[i]),
                column=var,
                action="interpolated",
                old=None,
                new=float(frame[var].iloc[i]),
                key={k: py(frame[k].iloc[i]) for k in key},
            )
    return frame


def sum_merged_units(
    frame: pd.DataFrame,
    key: list[str],
    variables: list[str],
    study: Study,
    source: Source,
    audit: Audit,
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
            f"{source.file}, row {int(first['row_in_file'])}: a merged unit was recoded to region "
            f"{int(first['region'])}, which has its own row for the same key "
            f"({', '.join(f'{k}={py(first[k])}' for k in key)}). Set [cleaning].merged_units = 'sum' "
            "to add them up (additive variables only), or drop the old unit's rows"
        )
    keep = frame.loc[~involved]
    parts = frame.loc[involved]
    summed = parts.groupby(key, as_index=False, sort=False).agg(
        {**dict.fromkeys(variables, "sum"), "row_in_file": "min"}
        | {
            c: "first"
            for c in parts.columns
            if c not in (*key, *variables, "row_in_file", "merged")
        }
    )
    absorbed = ~parts["row_in_file"].isin(set(summed["row_in_file"])).to_numpy()
    merged = parts["merged"].to_numpy()
    drop_rows(
        parts, absorbed & merged, key, source, audit, "merged unit summed into its absorbing unit"
    )
    drop_rows(
        parts,
        absorbed & ~merged,
        key,
        source,
        audit,
        "absorbing unit's row summed with a merged unit",
    )
    out = pd.concat([keep, summed], ignore_index=True)
    return out.drop(columns="merged")


def py(value):
    """A NumPy scalar as the Python value (for JSON in the audit)."""
    return value.item() if hasattr(value, "item") else value
