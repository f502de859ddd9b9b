"""Industrial agglomeration: the location quotient (区位熵) of a region in an industry (set).

    LQ_rt = (E_{r,S,t} / E_{r,t}) / (E_{S,t} / E_t)

where E is employment (or output), r the region, S the industry set, t the year, and totals run over
all industries of the table (E_{r,t}) and all regions (E_{S,t}, E_t). LQ > 1 means the region is more
specialised in S than the nation (Isard 1960; Miller, Gibson & Wright 1991).
"""

from __future__ import annotations

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
    known = set(frame[industry].astype(str))
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
