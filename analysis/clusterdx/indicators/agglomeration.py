"""Industrial agglomeration: location quotient, Herfindahl, locational Gini, Ellison-Glaeser, density.

Location quotient (区位熵) of a region in an industry (set):

    LQ_rt = (E_{r,S,t} / E_{r,t}) / (E_{S,t} / E_t)

where E is employment (or output), r the region, S the industry set, t the year, and totals run over
all industries of the table (E_{r,t}) and all regions (E_{S,t}, E_t). LQ > 1 means the region is more
specialised in S than the nation (Isard 1960; Miller, Gibson & Wright 1991). The other indices are
documented on their functions. These are a few grouped sums each, written with pandas (no library
offers the EG index or Krugman's locational Gini on long tables); `reduce_firms` in
`clusterdx.indicators.scale` runs the same sums in DuckDB for tables beyond memory.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from clusterdx.errors import DataError


def location_quotient(
    frame: pd.DataFrame,
    industries: list[str],
    value: str = "employment",
    region: str = "region",
    industry: str = "industry",
    time: str = "year",
) -> pd.Series:
    """Location quotient of each region-year in the industry set ``industries``.

    Parameters
    ----------
    frame
        Long table region × industry × year with the activity measure in ``value``.
    industries
        Industry codes forming the set S (one code for a single industry).

    Returns
    -------
    pd.Series
        Indexed by (region, time), named ``"lq"``.

    Examples
    --------
    >>> t = pd.DataFrame({"region": [1, 1, 2, 2], "industry": ["a", "b", "a", "b"],
    ...                   "year": 2020, "employment": [30.0, 70.0, 10.0, 90.0]})
    >>> location_quotient(t, ["a"]).round(4).tolist()    # (30/100)/(40/200), (10/100)/(40/200)
    [1.5, 0.5]
    """
    missing = [c for c in (region, industry, time, value) if c not in frame.columns]
    if missing:
        raise DataError(
            f"location_quotient: column(s) {missing} absent; available {list(frame.columns)}"
        )
    if frame.duplicated([region, industry, time]).any():
        first = frame.loc[
            frame.duplicated([region, industry, time], keep=False), [region, industry, time]
        ]
        raise DataError(
            f"location_quotient: duplicate region-industry-year keys, e.g. {first.iloc[0].to_dict()}"
        )
    if (frame[value] < 0).any() or frame[value].isna().any():
        raise DataError(f"location_quotient: column '{value}' has negative or missing values")
    known = set(frame[industry].astype(str).unique())
    unknown = [i for i in industries if str(i) not in known]
    if unknown:
        raise DataError(f"location_quotient: industries {unknown} not in column '{industry}'")
    in_set = frame[industry].astype(str).isin([str(i) for i in industries])
    by_region = frame.groupby([region, time])[value].sum()
    set_region = (
        frame[in_set].groupby([region, time])[value].sum().reindex(by_region.index, fill_value=0.0)
    )
    nation = frame.groupby(time)[value].sum()
    set_nation = frame[in_set].groupby(time)[value].sum()
    years = by_region.index.get_level_values(time)
    lq = (set_region / by_region) / (
        set_nation.reindex(years).to_numpy() / nation.reindex(years).to_numpy()
    )
    return lq.rename("lq")


def _require(frame: pd.DataFrame, columns: list[str], who: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{who}: column(s) {missing} absent; available {list(frame.columns)}")


def _non_negative(frame: pd.DataFrame, column: str, who: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    bad = values.isna() | ~np.isfinite(values) | (values < 0)
    if bad.any():
        rows = frame.index[bad][:5].tolist()
        raise DataError(
            f"{who}: column '{column}' must be a non-negative number; rows {rows} are missing, "
            "infinite or negative"
        )
    return values


def _no_duplicates(frame: pd.DataFrame, keys: list[str], who: str) -> None:
    duplicated = frame.duplicated(keys, keep=False)
    if duplicated.any():
        example = frame.loc[duplicated, keys].iloc[0].to_dict()
        raise DataError(f"{who}: duplicate {'-'.join(keys)} keys, e.g. {example}")


def herfindahl(frame: pd.DataFrame, share_of: str, by: list[str] | str) -> pd.Series:
    """Herfindahl-Hirschman index HHI_g = Σ_k s_k² of the shares s_k of ``share_of`` within each group.

    ``s_k = v_k / Σ_{k∈g} v_k`` over the rows k of group g (firms of a region-year, plants of an
    industry); HHI ∈ [1/n_g, 1], 1/n_g for n_g equal rows and 1 for a monopoly (Herfindahl 1950;
    Hirschman 1964, AER 54(5): 761). Rows with value 0 count in n_g but add nothing.

    Returns
    -------
    pd.Series
        Indexed by ``by``, named ``"hhi"``.

    Examples
    --------
    >>> t = pd.DataFrame({"r": [1, 1, 1, 2], "v": [2.0, 1.0, 1.0, 5.0]})
    >>> herfindahl(t, "v", "r").tolist()    # 0.5² + 0.25² + 0.25² = 0.375; one firm: 1
    [0.375, 1.0]
    """
    by = [by] if isinstance(by, str) else list(by)
    _require(frame, [*by, share_of], "herfindahl")
    values = _non_negative(frame, share_of, "herfindahl")
    keys = [frame[c] for c in by]
    total = values.groupby(keys).transform("sum")
    zero = total == 0
    if zero.any():
        example = frame.loc[zero, by].iloc[0].to_dict()
        raise DataError(f"herfindahl: '{share_of}' sums to 0 in group {example}; shares undefined")
    return ((values / total) ** 2).groupby(keys).sum().rename("hhi")


def _shares(
    frame: pd.DataFrame, value: str, region: str, industry: str, time: str, who: str
) -> tuple[pd.DataFrame, pd.Series]:
    _require(frame, [region, industry, time, value], who)
    values = _non_negative(frame, value, who)
    data = frame[[region, industry, time]].assign(_v=values)
    cells = data.groupby([industry, time, region])["_v"].sum()
    industry_total = cells.groupby(level=[industry, time]).transform("sum")
    region_total = data.groupby([time, region])["_v"].sum()
    nation = data.groupby(time)["_v"].sum()
    x = (
        region_total / nation.reindex(region_total.index.get_level_values(time)).to_numpy()
    ).rename("x")
    s = (cells / industry_total).rename("s").reset_index()
    return s, x


def spatial_gini(
    frame: pd.DataFrame,
    value: str = "employment",
    region: str = "region",
    industry: str = "industry",
    time: str = "year",
) -> pd.Series:
    """Krugman (1991) locational Gini coefficient of each industry-year.

    With s_i the region's share of the industry's ``value`` and x_i its share of the total over all
    industries of ``frame``, regions are sorted by s_i / x_i (the location quotient) ascending and
    the Lorenz curve of cumulative S against cumulative X gives

        G = 1 − Σ_i x_i (S_i + S_{i−1}),   S_i = Σ_{k≤i} s_k,

    0 when the industry is spread like total activity, towards 1 − min x when it sits in one
    region (Krugman 1991, *Geography and Trade*, MIT Press, app. D). The Chinese literature's
    "空间基尼系数" Σ (s_i − x_i)² is Ellison-Glaeser's raw concentration G, see `ellison_glaeser`.

    Returns
    -------
    pd.Series
        Indexed by (industry, time), named ``"gini"``.

    Examples
    --------
    >>> t = pd.DataFrame({"region": [1, 2, 1, 2], "industry": ["a", "a", "b", "b"], "year": 2020,
    ...                   "employment": [2.0, 8.0, 8.0, 2.0]})
    >>> spatial_gini(t).round(4).tolist()    # x = (.5, .5), s_a = (.2, .8): 1 − (.5·.2 + .5·1.2)
    [0.3, 0.3]
    """
    _require(frame, [region, industry, time, value], "spatial_gini")
    _no_duplicates(frame, [region, industry, time], "spatial_gini")
    s, x = _shares(frame, value, region, industry, time, "spatial_gini")
    s = s.join(x, on=[time, region])
    s = s[s["x"] > 0].assign(lq=lambda d: d["s"] / d["x"])
    s = s.sort_values([industry, time, "lq"], kind="stable")
    group = s.groupby([industry, time], sort=True)
    cum = group["s"].cumsum()
    previous = cum - s["s"]
    return (1.0 - (s["x"] * (cum + previous)).groupby([s[industry], s[time]]).sum()).rename("gini")


def ellison_glaeser(
    frame: pd.DataFrame,
    value: str = "employment",
    firm: str = "firm",
    region: str = "region",
    industry: str = "industry",
    time: str = "year",
) -> pd.DataFrame:
    """Ellison-Glaeser (1997) agglomeration index γ of each industry-year from plant-level data.

    ``frame`` holds one row per plant (firm)-year with its region, industry and ``value``
    (employment). With s_i the region's share of the industry, x_i its share of total activity
    (all industries of ``frame``) and z_j the plant's share of its industry,

        G = Σ_i (s_i − x_i)²,   H = Σ_j z_j²,
        γ = (G − (1 − Σ_i x_i²) H) / ((1 − Σ_i x_i²)(1 − H))

    (Ellison & Glaeser 1997, JPE 105(5): 889–927, eq. 5). γ > 0.05 is "highly localised", γ < 0.02
    "not very localised" (ibid., section 4). An industry-year with a single plant (H = 1) has no γ:
    it is NaN and a warning names it.

    Returns
    -------
    pd.DataFrame
        Indexed by (industry, time): ``G``, ``H``, ``gamma``, ``plants``.

    Examples
    --------
    Plants a1=6, a2=2 in region 1, a3=2 in region 2; b1=2 in region 1, b2=8 in region 2:
    x = (.5, .5), Σx² = .5; industry a: s = (.8, .2), G = .18, H = .6² + .2² + .2² = .44,
    γ = (.18 − .5·.44) / (.5·.56) = −0.142857; industry b: s = (.2, .8), G = .18,
    H = .2² + .8² = .68, γ = (.18 − .5·.68) / (.5·.32) = −1.

    >>> t = pd.DataFrame({"firm": ["a1", "a2", "a3", "b1", "b2"], "region": [1, 1, 2, 1, 2],
    ...                   "industry": ["a", "a", "a", "b", "b"], "year": 2020,
    ...                   "employment": [6.0, 2.0, 2.0, 2.0, 8.0]})
    >>> ellison_glaeser(t)["gamma"].round(6).tolist()
    [-0.142857, -1.0]
    """
    _require(frame, [firm, region, industry, time, value], "ellison_glaeser")
    _no_duplicates(frame, [firm, time], "ellison_glaeser")
    s, x = _shares(frame, value, region, industry, time, "ellison_glaeser")
    x_frame = x.reset_index()
    grid = (
        s[[industry, time]]
        .drop_duplicates()
        .merge(x_frame, on=time)
        .merge(s, on=[industry, time, region], how="left")
        .fillna({"s": 0.0})
    )
    g = ((grid["s"] - grid["x"]) ** 2).groupby([grid[industry], grid[time]]).sum()
    sum_x2 = (x**2).groupby(level=time).sum()
    h = herfindahl(frame, value, [industry, time])
    plants = frame.groupby([industry, time]).size()
    one = 1.0 - sum_x2.reindex(g.index.get_level_values(time)).to_numpy()
    h = h.reindex(g.index)
    single = g.index[h.to_numpy() >= 1.0].tolist()
    if single:
        warnings.warn(
            f"ellison_glaeser: industry-year(s) {single[:5]} have one plant (H = 1): gamma is NaN",
            stacklevel=2,
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = (g - one * h) / (one * (1.0 - h))
    gamma[h >= 1.0] = np.nan
    return pd.DataFrame({"G": g, "H": h, "gamma": gamma, "plants": plants.reindex(g.index)})


def employment_density(
    frame: pd.DataFrame,
    value: str = "employment",
    area: str = "area",
    region: str = "region",
    time: str = "year",
) -> pd.Series:
    """Employment density ``value / area`` per region-year (Ciccone & Hall 1996, AER 86(1): 54–70).

    ``value`` (e.g. 万人) is summed over the rows of a region-year (industries), ``area`` (km²) must
    be positive and the same on every row of a region-year.

    Examples
    --------
    >>> t = pd.DataFrame({"region": [1, 1, 2], "year": 2020, "employment": [30.0, 10.0, 5.0],
    ...                   "area": [8.0, 8.0, 10.0]})
    >>> employment_density(t).tolist()    # (30 + 10) / 8, 5 / 10
    [5.0, 0.5]
    """
    _require(frame, [region, time, value, area], "employment_density")
    values = _non_negative(frame, value, "employment_density")
    areas = _non_negative(frame, area, "employment_density")
    if (areas == 0).any():
        rows = frame.index[areas == 0][:5].tolist()
        raise DataError(f"employment_density: column '{area}' is 0 on rows {rows}; needs area > 0")
    keys = [frame[region], frame[time]]
    grouped = areas.groupby(keys)
    if (grouped.max() != grouped.min()).any():
        raise DataError(
            f"employment_density: column '{area}' differs within a {region}-{time}; one area per region"
        )
    return (values.groupby(keys).sum() / grouped.first()).rename("density")
