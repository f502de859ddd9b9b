"""Toy panels with known parameters for examples and tests: a region-year panel, staggered adoption, spatial.

Deterministic by ``seed`` (``numpy.random.default_rng``); only numpy and pandas are imported
here (the spatial simulators import scipy and `clusterdx.spatial` when called).

``toy_panel`` draws, for entity i and period t,

.. math::

    \\text{tech}_{it} = 0.8\\,\\text{demand}_{it} + u_{it},\\qquad
    \\text{dt}_{it} = \\alpha_i + 0.3\\,\\text{demand}_{it} - 0.2\\,\\text{gov}_{it}
    + 0.5\\,\\text{tech}_{it} + \\varepsilon_{it},

with demand, gov ~ N(0, 1), u ~ N(0, 0.5²), entity effects α_i ~ N(0, 1) drawn independently
of the regressors (so fixed and random effects are both consistent), ε ~ N(0, ``noise``²), and
core ~ U(0, 1) and an entity-level ``coastal`` ("yes" for the first half of the entities) that
do not enter ``dt``: examples build their own outcome from them (a threshold in ``core``, a
slope by ``coastal``). The true values are in `TOY_PARAMS`.

``staggered_panel`` draws dt = α_i + λ_t + effect · 1(year ≥ pilot_year) − 0.2 gov + ε.

>>> import clusterdx as cdx
>>> cdx.datasets.toy_panel().head(3).round(3)
  region  year  demand    gov   tech   core coastal     dt
0      A  2018   1.304 -0.654  1.835  0.890     yes  1.423
1      A  2019   0.947 -0.130  1.418  0.822     yes  1.171
2      A  2020  -0.704  0.784 -0.246  0.480     yes -0.422
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from clusterdx.errors import OptionError

if TYPE_CHECKING:
    import libpysal

__all__ = [
    "TOY_PARAMS",
    "dynamic_spatial_panel",
    "spatial_panel",
    "staggered_panel",
    "toy_panel",
]

#: True coefficients of `toy_panel`: dt on demand, gov, tech, and ``a`` of tech on demand
#: (the indirect effect of demand through tech is ``a * tech`` = 0.4).
TOY_PARAMS = MappingProxyType({"demand": 0.3, "gov": -0.2, "tech": 0.5, "a": 0.8})
_START_YEAR = 2018


def _regions(n_entities: int) -> list[str]:
    """``"A"``, ``"B"``, ... up to 26 entities, else ``"R001"``, ``"R002"``, ..."""
    if n_entities <= len(string.ascii_uppercase):
        return list(string.ascii_uppercase[:n_entities])
    return [f"R{i + 1:03d}" for i in range(n_entities)]


def _check_size(n_entities: int, n_periods: int, least_periods: int = 2) -> None:
    for name, value, least in (
        ("n_entities", n_entities, 2),
        ("n_periods", n_periods, least_periods),
    ):
        if not isinstance(value, int | np.integer) or value < least:
            raise OptionError(f"{name}={value!r} must be an integer of at least {least}.")


def _keys(n_entities: int, n_periods: int, start_year: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": np.repeat(_regions(n_entities), n_periods),
            "year": np.tile(np.arange(start_year, start_year + n_periods), n_entities),
        }
    )


def toy_panel(
    n_entities: int = 6,
    n_periods: int = 5,
    *,
    seed: int = 0,
    noise: float = 0.1,
    start_year: int = _START_YEAR,
) -> pd.DataFrame:
    """A balanced region-year panel with dt, demand, gov, tech, core and coastal (module docstring).

    Parameters
    ----------
    n_entities, n_periods : int
        Regions (named ``"A"``, ``"B"``, ...; ``"R001"``, ... beyond 26) and years.
    seed : int
        Seed of ``numpy.random.default_rng``: the same seed gives the same panel.
    noise : float
        Standard deviation of the error of ``dt``.
    start_year : int
        First year.

    Returns
    -------
    DataFrame
        Columns ``region``, ``year``, ``demand``, ``gov``, ``tech``, ``core``, ``coastal``,
        ``dt``, sorted by region and year; the true coefficients are `TOY_PARAMS`.

    Examples
    --------
    >>> import clusterdx as cdx
    >>> panel = cdx.datasets.toy_panel(30, 8, seed=1)
    >>> fe = cdx.panel.fit(panel, "dt ~ demand + gov + tech", effects="twoways")
    >>> fe.params.round(2).to_dict()  # truth: demand 0.3, gov -0.2, tech 0.5
    {'demand': 0.3, 'gov': -0.19, 'tech': 0.49}
    """
    _check_size(n_entities, n_periods)
    rng = np.random.default_rng(seed)
    n = n_entities * n_periods
    frame = _keys(n_entities, n_periods, start_year)
    alpha = np.repeat(rng.standard_normal(n_entities), n_periods)
    frame["demand"] = rng.standard_normal(n)
    frame["gov"] = rng.standard_normal(n)
    frame["tech"] = TOY_PARAMS["a"] * frame["demand"] + rng.normal(0.0, 0.5, n)
    frame["core"] = rng.uniform(0.0, 1.0, n)
    coastal = np.where(np.arange(n_entities) < (n_entities + 1) // 2, "yes", "no")
    frame["coastal"] = np.repeat(coastal, n_periods)
    signal = sum(TOY_PARAMS[name] * frame[name] for name in ("demand", "gov", "tech"))
    frame["dt"] = alpha + signal + rng.normal(0.0, noise, n)
    return frame


def staggered_panel(
    n_entities: int = 6,
    n_periods: int = 5,
    *,
    effect: float = 1.0,
    cohorts: Sequence[float] | None = None,
    seed: int = 0,
    noise: float = 0.1,
    start_year: int = _START_YEAR,
) -> pd.DataFrame:
    """A region-year panel with staggered adoption for DID examples: pilot_year, gov and dt.

    dt = α_i + λ_t + ``effect`` · 1(year ≥ pilot_year) − 0.2 gov + ε, with α_i ~ N(0, 1),
    λ_t ~ N(0, 0.5²), gov ~ N(0, 1) and ε ~ N(0, ``noise``²): parallel trends hold and the
    effect is the same in every cohort and period.

    Parameters
    ----------
    n_entities, n_periods : int
        Regions and years (at least 3 years).
    effect : float
        The true treatment effect.
    cohorts : sequence of float, optional
        Adoption year of each entity, NaN for never treated. Default: the first third adopt in
        the third year, the second third in the fourth year, the rest never.
    seed, noise, start_year
        As in `toy_panel`.

    Returns
    -------
    DataFrame
        Columns ``region``, ``year``, ``pilot_year`` (float, NaN for never treated),
        ``treated`` (1 from the adoption year on), ``gov``, ``dt``.

    Raises
    ------
    OptionError
        ``cohorts`` not one value per entity.

    Examples
    --------
    >>> import clusterdx as cdx
    >>> panel = cdx.datasets.staggered_panel(30, 6, effect=1.0, seed=1)
    >>> res = cdx.panel.did(panel, "dt", "pilot_year", controls=["gov"])
    >>> res.params.round(2).to_dict()  # truth: treat_post 1.0, gov -0.2
    {'treat_post': 1.02, 'gov': -0.21}
    """
    _check_size(n_entities, n_periods, least_periods=3)
    if cohorts is None:
        third = n_entities // 3
        first, second = start_year + 2, start_year + 3
        cohorts = [first] * third + [second] * third + [np.nan] * (n_entities - 2 * third)
    cohorts = np.asarray(cohorts, dtype=float)
    if cohorts.shape != (n_entities,):
        raise OptionError(
            f"cohorts has {cohorts.size} values; give one adoption year (NaN: never) for each "
            f"of the {n_entities} entities."
        )
    rng = np.random.default_rng(seed)
    n = n_entities * n_periods
    frame = _keys(n_entities, n_periods, start_year)
    frame["pilot_year"] = np.repeat(cohorts, n_periods)
    frame["treated"] = (frame["year"] >= frame["pilot_year"]).astype(int)
    frame["gov"] = rng.standard_normal(n)
    alpha = np.repeat(rng.standard_normal(n_entities), n_periods)
    lam = np.tile(rng.normal(0.0, 0.5, n_periods), n_entities)
    frame["dt"] = (
        alpha
        + lam
        + effect * frame["treated"]
        + TOY_PARAMS["gov"] * frame["gov"]
        + rng.normal(0.0, noise, n)
    )
    return frame


def _relabel(frame: pd.DataFrame, w: Any, start_year: int) -> pd.DataFrame:
    """Entities 0..N−1 become W's ids (``region``), periods 0..T−1 years (``year``)."""
    ids = np.asarray(getattr(w, "id_order", range(frame["entity"].max() + 1)), dtype=object)
    region = ids[frame["entity"].to_numpy()]
    keys = {"region": pd.Series(region).infer_objects(), "year": frame["time"] + start_year}
    return frame.drop(columns=["entity", "time"]).assign(**keys)[
        ["region", "year", *frame.columns.drop(["entity", "time"])]
    ]


def _matrix(w: Any) -> Any:
    return w.sparse if hasattr(w, "sparse") else w


def spatial_panel(
    w: libpysal.weights.W | Any,
    n_periods: int = 5,
    beta: Sequence[float] = (1.0, -0.5),
    *,
    theta: Sequence[float] | None = None,
    rho: float = 0.0,
    lam: float = 0.0,
    sigma: float = 1.0,
    seed: int = 0,
    start_year: int = _START_YEAR,
) -> pd.DataFrame:
    r"""A balanced spatial panel (SAR / SEM / SDM / SAC) with known parameters.

    Period by period (Elhorst 2014, *Spatial Econometrics*, eq. 3.1),
    :math:`y_t = (I-\rho W)^{-1}[X_t\beta + WX_t\theta + \mu + \xi_t\iota + (I-\lambda W)^{-1}
    \varepsilon_t]` with :math:`X_t \sim N(0, 1)` plus :math:`0.5\mu` (regressors correlated
    with the individual effects, as fixed effects assume), :math:`\mu_i, \xi_t \sim N(0, 1)`,
    :math:`\varepsilon \sim N(0, \sigma^2)`.

    Parameters
    ----------
    w : libpysal.weights.W or sparse matrix
        Weights used as given (row-standardise first for the usual model); the entities are
        W's ids (``w.id_order``), or 0..N−1 for a matrix.
    n_periods : int
        Periods, labelled ``start_year``, ``start_year + 1``, ...
    beta, theta : sequence of float
        Coefficients of ``x1``, ``x2``, ... and of their spatial lags (SDM; default none).
    rho, lam : float
        Spatial lag and spatial error parameters.
    sigma : float
        Standard deviation of ε.
    seed : int
        Seed of ``numpy.random.default_rng``.
    start_year : int
        First period.

    Returns
    -------
    DataFrame
        Columns ``region``, ``year``, ``y``, ``x1``, ..., ``xk``.

    Examples
    --------
    >>> import libpysal
    >>> import clusterdx as cdx
    >>> w = libpysal.weights.lat2W(10, 10); w.transform = "r"
    >>> panel = cdx.datasets.spatial_panel(w, 10, beta=[1.0, -0.5], rho=0.4, seed=0)
    >>> res = cdx.spatial.fit(panel, "y ~ x1 + x2", w=w, model="sar", effects="twoways")
    >>> res.params[["x1", "x2", "rho"]].round(1).to_dict()  # truth: 1.0, -0.5, 0.4
    {'x1': 1.1, 'x2': -0.5, 'rho': 0.4}
    """
    from clusterdx.spatial._simulate import simulate_panel

    frame = simulate_panel(
        _matrix(w), n_periods, beta, theta=theta, rho=rho, lam=lam, sigma=sigma, seed=seed
    )
    return _relabel(frame, w, start_year)


def dynamic_spatial_panel(
    w: libpysal.weights.W | Any,
    n_periods: int = 10,
    beta: Sequence[float] = (1.0,),
    *,
    theta: Sequence[float] | None = None,
    rho: float = 0.0,
    tau: float = 0.0,
    psi: float = 0.0,
    sigma: float = 1.0,
    burn: int = 50,
    seed: int = 0,
    start_year: int = _START_YEAR,
) -> pd.DataFrame:
    r"""A dynamic spatial panel, :math:`y_t = \rho Wy_t + \tau y_{t-1} + \psi Wy_{t-1} + X_t\beta + WX_t\theta + \mu + \xi_t + \varepsilon_t`.

    ``burn`` periods are drawn first and discarded, so that the kept periods are near the
    stationary path; the other arguments, the draws of X, μ, ξ, ε and the columns are as in
    `spatial_panel`.

    Examples
    --------
    >>> import libpysal
    >>> import clusterdx as cdx
    >>> w = libpysal.weights.lat2W(8, 8); w.transform = "r"
    >>> panel = cdx.datasets.dynamic_spatial_panel(w, 12, beta=[1.0], rho=0.3, tau=0.4, seed=1)
    >>> res = cdx.spatial.fit_dynamic(panel, "y", ["x1"], w, model="sar", dynamic="time")
    >>> res.params[["tau", "rho", "x1"]].round(1).to_dict()  # truth: 0.4, 0.3, 1.0
    {'tau': 0.4, 'rho': 0.3, 'x1': 1.0}
    """
    from clusterdx.spatial._simulate import simulate_dynamic_panel

    frame = simulate_dynamic_panel(
        _matrix(w),
        n_periods,
        beta,
        theta=theta,
        rho=rho,
        tau=tau,
        psi=psi,
        sigma=sigma,
        burn=burn,
        seed=seed,
    )
    return _relabel(frame, w, start_year)
