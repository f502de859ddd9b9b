"""Technology-transfer rates (技术转移率): a flow over a lagged base, per region-year.

    rate_rt = scale · N_rt / D_{r,t−L}

with the usual pairs, on the definitions of the statistics they divide: technology-market turnover as
published by region in 《中国科技统计年鉴》 (China Statistical Yearbook on Science and Technology,
NBS & MOST, annual) and the patent transfer rate (专利转让率) of CNIPA's 《中国专利调查报告》:

    turnover_gdp       technology-market turnover / GDP          (技术市场成交额 / GDP)
    turnover_rd        technology-market turnover / R&D spending  (技术市场成交额 / R&D经费)
    transfer_patents   patent transfers / patents granted         (专利转让数 / 专利授权数)

The denominator lag L (years) is matched by calendar year, not by row, so a gap in a region's years
yields a missing rate instead of a wrong pairing. The first L years of each region (and any year
whose lagged base is absent) are undefined: they are NaN in the result, listed in
``result.attrs["undefined"]`` and reported in a warning.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from clusterdx.errors import DataError

STANDARD_RATES = {
    "turnover_gdp": ("tech_market", "gdp"),
    "turnover_rd": ("tech_market", "rd"),
    "transfer_patents": ("patent_transfers", "patents"),
}


def tech_transfer_rate(
    frame: pd.DataFrame,
    numerator: str = "tech_market",
    denominator: str = "gdp",
    lag: int = 0,
    scale: float = 1.0,
    entity: str = "region",
    time: str = "year",
) -> pd.Series:
    """``scale · numerator_t / denominator_{t−lag}`` for each row of ``frame`` (module formula).

    Parameters
    ----------
    frame
        Region-year panel with ``entity``, ``time``, ``numerator`` and ``denominator`` columns
        (unique entity-time keys).
    lag
        Years by which the denominator is lagged (L ≥ 0).
    scale
        Multiplier, e.g. 100 for a percentage.

    Returns
    -------
    pd.Series
        Indexed like ``frame``, named ``"<numerator>_<denominator>"`` (``..._lag<L>`` when L > 0);
        ``attrs["undefined"]`` lists the (entity, time) pairs without a lagged base.

    Examples
    --------
    >>> t = pd.DataFrame({"region": 1, "year": [2020, 2021, 2022],
    ...                   "tech_market": [1.0, 2.0, 3.0], "gdp": [10.0, 20.0, 40.0]})
    >>> tech_transfer_rate(t, lag=1, scale=100).tolist()    # 100·2/10, 100·3/20
    [nan, 20.0, 15.0]
    """
    if not isinstance(lag, (int, np.integer)) or lag < 0:
        raise DataError(f"tech_transfer_rate: lag must be an integer >= 0, got {lag!r}")
    absent = [c for c in (entity, time, numerator, denominator) if c not in frame.columns]
    if absent:
        raise DataError(
            f"tech_transfer_rate: column(s) {absent} absent; available {list(frame.columns)}"
        )
    duplicated = frame.duplicated([entity, time], keep=False)
    if duplicated.any():
        example = frame.loc[duplicated, [entity, time]].iloc[0].to_dict()
        raise DataError(f"tech_transfer_rate: duplicate {entity}-{time} keys, e.g. {example}")
    for column in (numerator, denominator):
        values = frame[column].astype("float64")
        bad = values.isna() | (values < 0)
        if bad.any():
            rows = frame.loc[bad, [entity, time]].head(5).to_dict("records")
            raise DataError(
                f"tech_transfer_rate: column '{column}' is missing or negative at {rows}"
            )
    base = frame[[entity, time, denominator]].assign(**{time: frame[time] + lag})
    keys = pd.MultiIndex.from_frame(frame[[entity, time]])
    lagged = base.set_index([entity, time])[denominator].reindex(keys).to_numpy()
    if (lagged == 0).any():
        rows = frame.loc[lagged == 0, [entity, time]].head(5).to_dict("records")
        raise DataError(f"tech_transfer_rate: denominator '{denominator}' is 0 for base of {rows}")
    name = f"{numerator}_{denominator}" + (f"_lag{lag}" if lag else "")
    rate = pd.Series(scale * frame[numerator].to_numpy("float64") / lagged, frame.index, name=name)
    undefined = [tuple(k) for k in frame.loc[rate.isna(), [entity, time]].to_numpy().tolist()]
    rate.attrs["undefined"] = undefined
    if undefined:
        warnings.warn(
            f"tech_transfer_rate: {name} undefined for {len(undefined)} {entity}-{time}(s) without "
            f"a base {lag} year(s) earlier, e.g. {undefined[:3]}",
            stacklevel=2,
        )
    return rate


def tech_transfer_rates(
    frame: pd.DataFrame,
    lag: int = 0,
    scale: float = 1.0,
    columns: dict[str, tuple[str, str]] | None = None,
    entity: str = "region",
    time: str = "year",
) -> pd.DataFrame:
    """The three standard rates of the module docstring (or ``columns``: name → (num, den)) at once.

    Examples
    --------
    >>> t = pd.DataFrame({"region": 1, "year": [2020], "tech_market": [2.0], "gdp": [10.0],
    ...                   "rd": [0.5], "patent_transfers": [3.0], "patents": [12.0]})
    >>> tech_transfer_rates(t).round(4).to_dict("records")
    [{'turnover_gdp': 0.2, 'turnover_rd': 4.0, 'transfer_patents': 0.25}]
    """
    pairs = STANDARD_RATES if columns is None else columns
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rates = {
            name: tech_transfer_rate(frame, num, den, lag, scale, entity, time)
            for name, (num, den) in pairs.items()
        }
    out = pd.DataFrame(rates)
    out.attrs["undefined"] = {name: rate.attrs["undefined"] for name, rate in rates.items()}
    for message in dict.fromkeys(str(w.message) for w in caught):
        warnings.warn(message, stacklevel=2)
    return out
