"""Compute the indicators declared in ``[indicators]`` of the study, in declaration order.

Each recipe names one method of this package (formula: `clusterdx.expressions`, a closed
arithmetic grammar that runs no Python; entropy index, TOPSIS closeness, coupling
coordination degree, ratio, location quotient, Herfindahl index, firm aggregates: top-k revenue share,
number of designated leading firms, keyword intensity); the result is the clean panel plus one column per indicator. A recipe that produces a
missing or infinite value (log of zero, a region-year without firms) fails with a `DataError` naming the
indicator and the first region-years, instead of leaving NaN for the models to drop silently.

Two recipes read files too large for a loaded table through the study's ``[compute]`` backend
(`clusterdx.compute`; one backend is started for all of them and closed at the end):
``firm_aggregate`` (`clusterdx.indicators.scale.reduce_firms` of a firm-year file) and
``text_keywords`` (`clusterdx.indicators.scale.count_documents` of a document folder or table,
then `clusterdx.indicators.digital.regional_intensity` over the firms of each region-year).
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pandas as pd

from clusterdx.compute import from_spec
from clusterdx.errors import ClusterDXError, DataError
from clusterdx.expressions import evaluate, names, parse
from clusterdx.indicators.agglomeration import herfindahl, location_quotient
from clusterdx.indicators.coupling import coupling_coordination
from clusterdx.indicators.digital import load_dictionary, regional_intensity
from clusterdx.indicators.entropy import entropy_index
from clusterdx.indicators.scale import count_documents, reduce_firms
from clusterdx.indicators.topsis import topsis
from clusterdx.study import Compute, Indicator, Study

FILE_METHODS = ("firm_aggregate", "text_keywords")


def _table(tables: dict[str, pd.DataFrame], name: str, source: str | None) -> pd.DataFrame:
    if source not in tables:
        raise DataError(
            f"indicator '{name}': source '{source}' is not a loaded non-panel table; "
            f"available: {sorted(tables)}"
        )
    return tables[source]


def _per_region_year(values: pd.Series, panel: pd.DataFrame) -> np.ndarray:
    index = pd.MultiIndex.from_frame(panel[["region", "year"]])
    return values.reindex(index).to_numpy()


def top_revenue_share(firms: pd.DataFrame, value: str, top: int) -> pd.Series:
    """Share of the ``top`` largest firms in the region-year total of ``value`` (core-firm strength).

        CR_k,rt = Σ_{f ∈ top k of r,t} v_ft / Σ_f v_ft

    the k-firm concentration ratio (Bain 1951, *Quarterly Journal of Economics* 65(3): 293–324),
    computed within each region-year of ``firms`` (columns ``region``, ``year`` and ``value``).

    Returns
    -------
    pd.Series
        Indexed by (region, year).

    Examples
    --------
    >>> firms = pd.DataFrame({"region": ["A", "A", "A", "B", "B"], "year": 2020,
    ...                       "revenue": [5.0, 3.0, 2.0, 4.0, 4.0]})
    >>> top_revenue_share(firms, "revenue", top=1).round(4).tolist()   # 5/10, 4/8
    [0.5, 0.5]
    >>> top_revenue_share(firms, "revenue", top=2).round(4).tolist()   # 8/10, 8/8
    [0.8, 1.0]
    """
    ranked = firms[["region", "year", value]].sort_values(  # the three columns, not every one
        ["region", "year", value], ascending=[True, True, False], kind="stable"
    )
    total = ranked.groupby(["region", "year"])[value].sum()
    head = ranked.groupby(["region", "year"]).head(top).groupby(["region", "year"])[value].sum()
    return head / total


def firm_keyword_index(firms: pd.DataFrame, keywords: list[str]) -> pd.Series:
    """Region-year mean over firms of ln(1 + Σ keyword counts) (Wu et al. 2021, 《管理世界》).

    For firm tables that already hold keyword counts per column; counting raw texts is
    `clusterdx.indicators.digital.keyword_intensity`.

        DT_rt = (1/N_rt) Σ_f ln(1 + Σ_k n_{k,ft})

    Examples
    --------
    >>> firms = pd.DataFrame({"region": ["A", "A", "B"], "year": 2020,
    ...                       "ai": [0, 3, 1], "cloud": [0, 0, 6]})
    >>> index = firm_keyword_index(firms, ["ai", "cloud"])   # A: (ln 1 + ln 4)/2, B: ln 8
    >>> index.round(4).tolist()
    [0.6931, 2.0794]
    """
    absent = [k for k in keywords if k not in firms.columns]
    if absent:
        raise DataError(
            f"keyword column(s) {absent} absent from the firm table; available {list(firms.columns)}"
        )
    negative = [k for k in keywords if (firms[k] < 0).any()]
    if negative:
        raise DataError(
            f"keyword column(s) {negative} have negative counts; ln(1 + count) needs >= 0"
        )
    per_firm = np.log1p(firms[keywords].sum(axis=1))
    return per_firm.groupby([firms["region"], firms["year"]]).mean()


def leading_firms(registry: pd.DataFrame, panel: pd.DataFrame, key: str, since: str) -> pd.Series:
    """Number of distinct ``key`` (leading firms) designated (``since`` ≤ year) per region-year.

    Region-years of ``panel`` without any designation get 0.

    Examples
    --------
    >>> registry = pd.DataFrame({"region": ["A", "A", "B"], "firm": ["f1", "f2", "f3"],
    ...                          "since": [2019, 2021, 2021]})
    >>> panel = pd.DataFrame({"region": ["A", "A", "B", "B"], "year": [2020, 2021, 2020, 2021]})
    >>> leading_firms(registry, panel, key="firm", since="since").tolist()
    [1.0, 2.0, 0.0, 1.0]
    """
    absent = [c for c in ("region", key, since) if c not in registry.columns]
    if absent:
        raise DataError(
            f"leading_firms: column(s) {absent} absent from the registry; available "
            f"{list(registry.columns)}"
        )
    if registry[since].isna().any():
        rows = registry.index[registry[since].isna()][:5].tolist()
        raise DataError(f"leading_firms: column '{since}' is missing on registry rows {rows}")
    years = panel[["region", "year"]].drop_duplicates()
    merged = years.merge(registry[["region", key, since]], on="region", how="left")
    merged = merged[merged[since] <= merged["year"]]
    counts = merged.groupby(["region", "year"])[key].nunique()
    index = pd.MultiIndex.from_frame(years)
    return counts.reindex(index, fill_value=0).astype("float64").rename("leading_firms")


def text_keyword_index(
    counts: pd.DataFrame, firms: pd.DataFrame, firm: str = "firm", weight: str | None = None
) -> pd.Series:
    """Region-year mean (or ``weight``-weighted mean) of the firms' DT = ln(1 + keyword count).

    ``counts`` is `clusterdx.indicators.scale.count_documents` output (indexed by firm, year);
    ``firms`` gives each firm-year's region (columns ``region``, ``year``, ``firm``). Firm codes are
    compared as text. Every counted firm-year must be in ``firms``.

        DT_rt = (1/N_rt) Σ_f DT_ft   or   Σ_f R_ft DT_ft / Σ_f R_ft,   DT_ft = ln(1 + n_ft)

    (Wu et al. 2021, 《管理世界》 37(7): 130–144; `clusterdx.indicators.digital.regional_intensity`).

    Examples
    --------
    `clusterdx.indicators.digital.keyword_intensity` of a document table gives the same counts
    as ``count_documents`` of a file:

    >>> from clusterdx.indicators.digital import keyword_intensity
    >>> docs = pd.DataFrame({"firm": ["600001", "600001", "000002"], "year": 2020,
    ...                      "text": ["大数据与云计算", "云平台", "年度报告"]})
    >>> keywords = {"bigdata": ["大数据"], "cloud": ["云计算", "云平台"]}
    >>> counts = keyword_intensity(docs, keywords, method="scan")
    >>> counts["total"].to_dict()
    {('000002', 2020): 0, ('600001', 2020): 3}
    >>> firms = pd.DataFrame({"firm": ["600001", "000002"], "region": "A", "year": 2020,
    ...                       "revenue": [3.0, 1.0]})
    >>> text_keyword_index(counts, firms).round(4).to_dict()   # (ln 4 + ln 1) / 2
    {('A', 2020): 0.6931}
    >>> text_keyword_index(counts, firms, weight="revenue").round(4).tolist()   # 3 ln 4 / 4
    [1.0397]
    """
    needed = ["region", "year", firm] + ([weight] if weight else [])
    absent = [c for c in needed if c not in firms.columns]
    if absent:
        raise DataError(
            f"text_keywords: column(s) {absent} absent from the firm table; available "
            f"{list(firms.columns)}"
        )
    table = firms[needed].assign(**{firm: firms[firm].astype(str)})
    twice = table.duplicated([firm, "year"])
    if twice.any():
        first = table.loc[twice, [firm, "year"]].head(3).to_dict("records")
        raise DataError(f"text_keywords: firm table has duplicate firm-years, e.g. {first}")
    docs = pd.DataFrame(
        {
            firm: counts.index.get_level_values(0).astype(str),
            "year": counts.index.get_level_values(1).astype("int64"),
            "intensity": counts["intensity"].to_numpy(),
        }
    )
    joined = docs.merge(table.astype({"year": "int64"}), on=[firm, "year"], how="left")
    unknown = joined["region"].isna()
    if unknown.any():
        first = joined.loc[unknown, [firm, "year"]].head(5).to_dict("records")
        raise DataError(
            f"text_keywords: {int(unknown.sum())} document firm-year(s) are not in the firm table, "
            f"e.g. {first}; add them to the table (with their region) or remove their documents"
        )
    out = regional_intensity(joined, weight=weight)
    return out["weighted" if weight else "mean"]


def _file(study: Study, name: str, recipe: Indicator) -> str:
    path = Path(recipe.file)
    if not path.is_absolute():
        path = Path(getattr(study, "root", Path.cwd())) / path
    if not any(ch in recipe.file for ch in "*?[") and not path.exists():
        raise DataError(
            f"indicator '{name}': file '{recipe.file}' not found at {path} (paths are relative "
            "to the project root)"
        )
    return str(path)


def _from_file(name, recipe, study, tables, backend, compute: Compute) -> pd.Series:
    path = _file(study, name, recipe)
    if recipe.method == "firm_aggregate":
        reduced = reduce_firms(
            path,
            {recipe.value: recipe.aggregate},
            backend=backend,
            partition_rows=compute.partition_rows,
            progress=compute.progress,
        )
        return reduced[f"{recipe.value}_{recipe.aggregate}"]
    dictionary = None
    if recipe.dictionary:
        dictionary = load_dictionary(Path(getattr(study, "root", Path.cwd())) / recipe.dictionary)
    counts = count_documents(
        path,
        dictionary,
        method=recipe.keyword_method,
        firm=recipe.firm,
        backend=backend,
        documents_per_task=compute.documents_per_task,
        progress=compute.progress,
    )
    firms = _table(tables, name, recipe.source)
    return text_keyword_index(counts, firms, recipe.firm, recipe.weight)


def _compute(name: str, recipe: Indicator, panel: pd.DataFrame, tables) -> np.ndarray:
    if recipe.method == "formula":
        try:
            return evaluate(recipe.formula, panel)
        except ClusterDXError as exc:
            raise type(exc)(f"indicator '{name}': {exc}") from None
    if recipe.method == "entropy":
        return entropy_index(
            panel, recipe.positive, recipe.negative, recipe.shift, recipe.standardise, time="year"
        ).to_numpy()
    if recipe.method == "topsis":
        return topsis(panel, recipe.positive, recipe.negative, normalise=recipe.normalise)[
            "closeness"
        ].to_numpy()
    if recipe.method == "coupling":
        alpha = recipe.alpha or None
        return coupling_coordination(panel, recipe.subsystems, alpha)["D"].to_numpy()
    if recipe.method == "ratio":
        lagged = panel.assign(year=panel["year"] + recipe.denominator_lag)
        den = _per_region_year(lagged.set_index(["region", "year"])[recipe.denominator], panel)
        return recipe.scale * panel[recipe.numerator].to_numpy(dtype="float64") / den
    table = _table(tables, name, recipe.source)
    if recipe.method == "location_quotient":
        values = location_quotient(table, recipe.industries, value=recipe.value)
    elif recipe.method == "herfindahl":
        values = herfindahl(table, recipe.value, ["region", "year"])
    elif recipe.method == "firm_share":
        values = top_revenue_share(table, recipe.value, recipe.top)
    elif recipe.method == "leading_firms":
        values = leading_firms(table, panel, recipe.key, recipe.since)
    else:
        values = firm_keyword_index(table, recipe.keywords)
    return _per_region_year(values, panel)


def _inputs_behind(study: Study, recipe: Indicator, panel: pd.DataFrame, row: int) -> str:
    """For a formula recipe: the values of its inputs at ``row`` and the raw file and column or
    sheet each comes from, so that a failing indicator points at the cell to check."""
    if recipe.method != "formula":
        files = {s.name: s.file for s in getattr(study.spec, "sources", [])}
        if recipe.source in files:
            return (
                f"; it is computed from source '{recipe.source}' ({files[recipe.source]}): check "
                "that file's rows for these region-years (e.g. a region without firms)"
            )
        return ""
    where = {
        var: (source.file, f"column {loc.column!r}" if loc.column else f"sheet {loc.sheet!r}")
        for source in getattr(study.spec, "sources", [])
        for var, loc in source.variables.items()
    }
    parts = []
    for var in sorted(names(parse(recipe.formula))):
        value = panel[var].iloc[row]
        origin = f" ({where[var][0]}, {where[var][1]})" if var in where else " (an indicator)"
        parts.append(f"{var} = {float(value)!r}{origin}")
    return "; first one's inputs: " + ", ".join(parts)


def compute_indicators(
    study: Study, panel: pd.DataFrame, tables: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """Return ``panel`` with one added column per ``[indicators.<name>]`` recipe.

    Raises
    ------
    DataError
        A recipe names an absent column or table, or yields missing / infinite values (the message
        names the indicator and the first region-years). Ratios with ``denominator_lag = L`` take
        the denominator of calendar year t − L (not L rows back), so they are undefined in the
        first L years of each region and after a gap: drop those years from ``[study].years``.

    Examples
    --------
    >>> from clusterdx.study import Study
    >>> study = Study.from_dict(
    ...     {"study": {"name": "demo", "years": [2020, 2021]},
    ...      "sources": [{"name": "macro", "file": "macro.csv", "region": "region"}],
    ...      "indicators": {
    ...          "gdp_pc": {"method": "ratio", "numerator": "gdp", "denominator": "pop"},
    ...          "cr1": {"method": "firm_share", "source": "firms", "value": "revenue", "top": 1}}},
    ...     Path("study.toml"))
    >>> panel = pd.DataFrame({"region": ["A", "A", "B", "B"], "year": [2020, 2021, 2020, 2021],
    ...                       "gdp": [10.0, 12.0, 6.0, 9.0], "pop": [2.0, 2.0, 3.0, 3.0]})
    >>> firms = pd.DataFrame({"region": ["A", "A", "A", "A", "B", "B"],
    ...                       "year": [2020, 2020, 2021, 2021, 2020, 2021],
    ...                       "revenue": [3.0, 1.0, 2.0, 2.0, 5.0, 5.0]})
    >>> out = compute_indicators(study, panel, {"firms": firms})
    >>> list(out.columns)
    ['region', 'year', 'gdp', 'pop', 'gdp_pc', 'cr1']
    >>> out["gdp_pc"].tolist(), out["cr1"].tolist()
    ([5.0, 6.0, 2.0, 3.0], [0.75, 0.5, 1.0, 1.0])
    """
    out = panel.copy()
    compute = getattr(study.spec, "compute", None) or Compute()
    needs_backend = any(r.method in FILE_METHODS for r in study.spec.indicators.values())
    with from_spec(compute) if needs_backend else nullcontext() as backend:
        for name, recipe in study.spec.indicators.items():
            if name in out.columns:
                raise DataError(f"indicator '{name}' would overwrite an existing column; rename it")
            if recipe.method in FILE_METHODS:
                reduced = _from_file(name, recipe, study, tables, backend, compute)
                computed = _per_region_year(reduced, out)
            else:
                computed = _compute(name, recipe, out, tables)
            values = np.asarray(computed, dtype="float64")
            bad = ~np.isfinite(values)
            if bad.any():
                keys = out.loc[bad, ["region", "year"]].head(5).to_dict("records")
                raise DataError(
                    f"indicator '{name}' ({recipe.method}) is missing or infinite for "
                    f"{int(bad.sum())} region-year(s), e.g. {keys}"
                    + _inputs_behind(study, recipe, out, int(np.flatnonzero(bad)[0]))
                )
            out[name] = values
    return out
