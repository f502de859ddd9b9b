"""Fixed-effects panel threshold regression (Hansen 1999) with 1 to 3 thresholds.

The model (Hansen 1999, *Journal of Econometrics* 93, 345-368, eq. 1 and §5) splits the slopes
of the regime variables ``x`` at thresholds :math:`\\gamma_1<\\dots<\\gamma_K` of ``q``:

.. math::

    y_{it} = \\mu_i + \\sum_{r=1}^{K+1} \\beta_r' x_{it}\\,
             1(\\gamma_{r-1} < q_{it} \\le \\gamma_r) + \\theta' c_{it} + e_{it},

with :math:`\\gamma_0=-\\infty`, :math:`\\gamma_{K+1}=\\infty`, controls c, and
:math:`\\mu_i` removed by the within transformation (time effects too under
``effects="twoways"``). Each threshold minimises the concentrated sum of squared residuals
:math:`S(\\gamma)` over a grid of quantiles of q.

Why not a library: no maintained Python package estimates Hansen's panel threshold model (Stata
has ``xthreg``, Wang 2015, *Stata Journal* 15, 121-134). The search is written for speed: with
:math:`D(\\gamma)=W\\,[x\\cdot 1(q\\le\\gamma)]` (W the within operator) and the fixed design
:math:`X_0`, Frisch-Waugh-Lovell gives, for every grid point at once,

.. math::

    S(\\gamma) = S_0 - b(\\gamma)' A(\\gamma)^{-1} b(\\gamma),\\quad
    b(\\gamma) = \\sum_{q_{it}\\le\\gamma} x_{it}\\hat e_{it},\\quad
    A(\\gamma) = x'S_\\gamma W S_\\gamma x - C(\\gamma)'(X_0'WX_0)^{-1}C(\\gamma),

where :math:`\\hat e` are the within residuals of the fixed design,
:math:`C(\\gamma)=\\sum_{q_{it}\\le\\gamma}(WX_0)_{it}x_{it}'` and
:math:`x'S_\\gamma W S_\\gamma x` follows from per-entity (and per-period) partial sums. All
terms are cumulative sums over observations sorted by q, so no regression is refit per grid
point, and the bootstrap only recomputes :math:`b(\\gamma)`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from clusterdx.errors import EstimationError, PanelError
from clusterdx.options.common import check_option
from clusterdx.options.panel import (
    DEFAULT_ALPHA,
    DEFAULT_COV,
    DEFAULT_ENTITY,
    DEFAULT_SEED,
    DEFAULT_THRESHOLD_EFFECTS,
    DEFAULT_TIME,
    GRID_MIN,
    N_THRESHOLDS,
    THRESHOLD_EFFECTS,
    TRIM,
    ThresholdEffects,
)
from clusterdx.panel._checks import check_rank
from clusterdx.panel.models import COVS, Cov, PanelResult, fit
from clusterdx.paneldata.frame import PanelFrame
from clusterdx.paneldata.within import demean_cube
from clusterdx.results import ForwardingResult

_CRITICAL = (0.90, 0.95, 0.99)
_CACHE_SIZE = 32


def lr_critical_value(alpha: float = 0.05) -> float:
    """Hansen's (1999, eq. 17; 2000) critical value of the threshold LR statistic.

    :math:`c(\\alpha) = -2\\ln(1-\\sqrt{1-\\alpha})`, 7.35 for ``alpha=0.05``.
    """
    if not 0 < alpha < 1:
        raise EstimationError(f"alpha={alpha!r} must lie strictly between 0 and 1.")
    return -2.0 * math.log(1.0 - math.sqrt(1.0 - alpha))


@dataclass(frozen=True)
class ThresholdResult(ForwardingResult):
    """Estimates of a fixed-effects panel threshold model.

    The regression attributes (``params``, ``bse``, ``tvalues``, ``pvalues``, ``nobs``, ...) are
    those of ``fit``, the fixed-effects regression with the regime columns ``<x>_r1``, ...,
    ``<x>_r{K+1}`` at the estimated thresholds, so a ``RegressionTable`` can show it.

    Attributes
    ----------
    thresholds : Series
        Estimated thresholds ``gamma1 ... gammaK`` (refined as in Hansen 1999, §3.3).
    ci : DataFrame
        Estimate and LR-inversion interval (``lower``, ``upper``) of each threshold.
    tests : DataFrame
        One row per test of k-1 against k thresholds: ``ssr_null`` (at the k-1 thresholds),
        ``ssr_alt`` (minimum of the search for the k-th threshold given them), ``F``,
        bootstrap ``pvalue`` and critical values ``crit90``, ``crit95``, ``crit99``.
    regimes : DataFrame
        Each regime's bounds, interval in words and number of observations.
    lr : DataFrame
        The LR curves of the final thresholds (``threshold``, ``gamma``, ``lr``) for plotting,
        with the critical value in ``lr_critical``.
    fit : PanelResult
        The regression at the estimated thresholds.
    grid : ndarray
        Candidate threshold values.
    bootstrap, seed : int, int or None
        Replications of the fixed-regressor bootstrap and its seed.

    Examples
    --------
    The slope of demand is 0.2 where ``core <= 0.5`` and 1.0 above (10 regions × 6 years):

    >>> import clusterdx as cdx
    >>> import numpy as np
    >>> from clusterdx.panel import threshold
    >>> panel = cdx.datasets.toy_panel(10, 6)
    >>> panel["dt"] += np.where(panel["core"] > 0.5, 0.8, 0.0) * panel["demand"]  # slope 0.3 | 1.1
    >>> res = threshold(panel, "dt", "demand", q="core", controls=["gov", "tech"],
    ...                 grid=60, bootstrap=49, seed=1)
    >>> res.thresholds.round(3).to_dict()
    {'gamma1': 0.5}
    >>> res.regimes["nobs"].to_dict()
    {'r1': 28, 'r2': 32}
    >>> res.params.round(3).to_dict()
    {'demand_r1': 0.289, 'demand_r2': 1.132, 'gov': -0.2, 'tech': 0.492}
    >>> res.tests[["F", "pvalue"]].round(3).to_dict("index")
    {'0 vs 1': {'F': 623.095, 'pvalue': 0.0}}
    """

    thresholds: pd.Series
    ci: pd.DataFrame
    tests: pd.DataFrame
    regimes: pd.DataFrame
    lr: pd.DataFrame
    lr_critical: float
    fit: PanelResult = field(repr=False)
    grid: np.ndarray = field(repr=False)
    bootstrap: int
    seed: int | None

    # params, bse, ... are the regression's at the estimated thresholds (`ForwardingResult`);
    # its standard errors treat the thresholds as known (Hansen 1999, §4).

    model = property(lambda self: "threshold", doc="Model label for tables.")

    def summary(self) -> str:
        """Threshold estimates, intervals, bootstrap tests and the regime regression."""
        return "\n".join(
            [
                f"Panel threshold regression (Hansen 1999), {len(self.thresholds)} threshold(s); "
                f"bootstrap {self.bootstrap} replications, seed {self.seed}",
                "Thresholds (LR-inversion intervals):",
                self.ci.to_string(float_format=lambda v: f"{v:.6g}"),
                "Tests for the number of thresholds:",
                self.tests.to_string(float_format=lambda v: f"{v:.6g}"),
                "Regimes:",
                self.regimes.to_string(),
                self.fit.summary(),
            ]
        )


def threshold(
    panel: pd.DataFrame,
    y: str,
    x: str | Sequence[str],
    q: str,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    controls: Sequence[str] = (),
    effects: ThresholdEffects = DEFAULT_THRESHOLD_EFFECTS,
    cov: Cov = DEFAULT_COV,
    n_thresholds: int = 1,
    trim: float = 0.01,
    grid: int | Sequence[float] = 300,
    bootstrap: int = 300,
    seed: int = DEFAULT_SEED,
    alpha: float = DEFAULT_ALPHA,
) -> ThresholdResult:
    """Estimate Hansen's (1999) fixed-effects panel threshold model and test the thresholds.

    Estimation (Hansen 1999, §2-3): for one threshold,
    :math:`\\hat\\gamma_1=\\arg\\min_\\gamma S_1(\\gamma)`; for two, :math:`\\hat\\gamma_2`
    minimises :math:`S_2(\\gamma\\mid\\hat\\gamma_1)` and :math:`\\hat\\gamma_1` is refined by
    minimising :math:`S(\\gamma\\mid\\hat\\gamma_2)` (§3.3, after Bai 1997); for three, the
    third threshold is searched given the first two and each earlier threshold is refined once
    given the others (the sequential scheme of Wang 2015, ``xthreg``).

    Tests (§3.2, §3.3): :math:`F_k=(S_{k-1}-S_k)/\\hat\\sigma_k^2`, where :math:`S_{k-1}` is
    the SSR at the (refined) k-1 thresholds, :math:`S_k=\\min_\\gamma S(\\gamma\\mid
    \\hat\\gamma_1,\\dots,\\hat\\gamma_{k-1})` the SSR of the search for the k-th threshold given
    them (Hansen's :math:`S_2^r(\\hat\\gamma_2^r)` for k=2), and :math:`\\hat\\sigma_k^2=S_k/d`
    with d the residual degrees of freedom of the within model (n(T-1) for individual effects
    as in Hansen's eq. 11, n(T-1)-(T-1) for two-way effects). p-values come from Hansen's
    fixed-regressor bootstrap: regressors and q are held fixed, the within residuals of the
    k-threshold model are resampled by entity (whole residual vectors :math:`\\hat e_i`),
    :math:`y^*` is the fitted k-1-threshold model plus the resampled residuals, and on each
    bootstrap sample the k-1 thresholds are estimated and the k-th searched exactly as for
    :math:`F_k`; p is the share of :math:`F^*\\ge F_k`.

    Confidence intervals (§4): :math:`LR_j(\\gamma)=(S(\\gamma)-S(\\hat\\gamma_j))/\\hat\\sigma^2`
    with the other thresholds at their estimates; the interval is the set of grid points with
    :math:`LR_j\\le c(\\alpha)=-2\\ln(1-\\sqrt{1-\\alpha})` (7.35 at 95%), reported by its
    smallest and largest point.

    Parameters
    ----------
    panel : DataFrame
        Balanced long panel (Hansen's model and the entity bootstrap need equal T).
    y : str
        Response.
    x : str or sequence of str
        Regressors whose slopes change across regimes (the spec's ``x``).
    q : str
        Threshold variable (may also be a regime variable or a control).
    controls : sequence of str
        Regressors with one slope in all regimes.
    entity, time : str, default "region", "year"
        Key columns.
    n_thresholds : {1, 2, 3}
    trim : float
        Share of observations, 0.01 to 0.15, cut from each tail of q for the grid and the least
        number of observations every regime must hold (``ceil(trim * n)``, at least one).
    grid : int or sequence of float
        Number of quantiles of the trimmed q to search (default 300, as ``xthreg``), or the
        candidate values themselves. A grid coarser than the data puts a true threshold
        between grid points; the misclassified observations are then absorbed by a spurious
        extra threshold, which the bootstrap (whose null model has its threshold on the grid)
        does not reproduce, so the test of k against k+1 over-rejects. In simulations with
        n = 60 x 6 and one true threshold, the 5% test of 1 against 2 thresholds rejected
        15% of the time with ``grid=50`` and 8% with a grid of all q values: for the tests
        use a grid at least as fine as the distinct values of q when n allows.
    bootstrap : int
        Replications of the fixed-regressor bootstrap per test (0 to skip p-values).
    seed : int, default 0
        Seed of ``numpy.random.default_rng`` for the bootstrap: the same seed gives the same
        p-values.
    effects : {"individual", "twoways"}
        Entity fixed effects (Hansen's model) or entity and period effects.
    cov : {"unadjusted", "robust", "cluster", "driscoll-kraay"}
        Covariance of the slope estimates at the estimated thresholds (see
        :func:`clusterdx.panel.fit`); the threshold search itself is least squares.
    alpha : float
        Level of the LR-inversion intervals.

    Returns
    -------
    ThresholdResult

    Raises
    ------
    PanelError
        Unbalanced panel, bad columns or missing values.
    EstimationError
        Options out of range, a grid too coarse for the trimming, a singular design.

    Examples
    --------
    >>> import clusterdx as cdx
    >>> import numpy as np
    >>> from clusterdx.panel import threshold
    >>> panel = cdx.datasets.toy_panel(10, 6)
    >>> panel["dt"] += np.where(panel["core"] > 0.5, 0.8, 0.0) * panel["demand"]  # slope 0.3 | 1.1
    >>> res = threshold(panel, "dt", "demand", q="core", controls=["gov", "tech"],
    ...                 n_thresholds=2, grid=60, bootstrap=49, seed=1)
    >>> res.tests.index.tolist()
    ['0 vs 1', '1 vs 2']
    >>> res.tests["pvalue"].round(3).tolist()
    [0.0, 0.49]
    >>> res.ci.loc["gamma1", ["lower", "upper"]].round(3).tolist()
    [0.006, 0.989]
    """
    x_names = [x] if isinstance(x, str) else list(x)
    controls = [controls] if isinstance(controls, str) else list(controls)
    check_option("effects", effects, THRESHOLD_EFFECTS)
    check_option("cov", cov, COVS)
    _check_settings(n_thresholds, trim, bootstrap, alpha, x_names)
    overlap = sorted(set(x_names) & set(controls))
    if overlap:
        raise PanelError(f"{overlap} are both regime variables and controls; list them once.")
    columns = list(dict.fromkeys([y, *x_names, *controls, q]))
    validated = PanelFrame(panel, columns, entity, time, balanced=True)
    frame = validated.data
    data = _Data(frame, y, x_names, controls, q, effects, trim, grid)
    check_rank(
        pd.DataFrame(data.design(()), columns=[*x_names, *controls]),
        "after the within transformation",
    )
    yw = data.within(data.y)

    stages = [data.sequential(yw, k, refine=True) for k in range(n_thresholds + 1)]
    ssr = [data.ssr_at(yw, stage) for stage in stages]
    final = stages[-1]
    sigma2 = ssr[-1] / data.df
    crit = lr_critical_value(alpha)
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(1, n_thresholds + 1):
        s_alt = float(np.min(data.ssr_curve(yw, stages[k - 1])))
        f_stat = (ssr[k - 1] - s_alt) / (s_alt / data.df)
        draws = data.bootstrap_f(yw, stages[k - 1], stages[k], k, bootstrap, rng)
        rows.append(
            {
                "test": f"{k - 1} vs {k}",
                "ssr_null": ssr[k - 1],
                "ssr_alt": s_alt,
                "F": f_stat,
                "pvalue": float(np.mean(draws >= f_stat)) if bootstrap else np.nan,
                **{
                    f"crit{round(100 * p)}": float(np.quantile(draws, p)) if bootstrap else np.nan
                    for p in _CRITICAL
                },
            }
        )
    tests = pd.DataFrame(rows).set_index("test")

    names = [f"gamma{j + 1}" for j in range(n_thresholds)]
    gammas = data.grid[sorted(final)]
    ci_rows, curves = [], []
    for j, idx in enumerate(sorted(final)):
        others = tuple(g for g in final if g != idx)
        lr = (data.ssr_curve(yw, others) - data.ssr_at(yw, final)) / sigma2
        inside = data.grid[np.isfinite(lr) & (lr <= crit)]
        ci_rows.append(
            {
                "estimate": data.grid[idx],
                "lower": inside.min() if inside.size else data.grid[idx],
                "upper": inside.max() if inside.size else data.grid[idx],
            }
        )
        curves.append(pd.DataFrame({"threshold": names[j], "gamma": data.grid, "lr": lr}))
    ci = pd.DataFrame(ci_rows, index=pd.Index(names, name="threshold"))

    regime_values, regime_names, regimes = _regime_columns(frame, x_names, q, gammas)
    formula = f"{y} ~ {' + '.join([*regime_names, *controls])}"
    result = fit(
        validated.assign(**regime_values),
        formula,
        entity=entity,
        time=time,
        model="fe",
        effects=effects,
        cov=cov,
    )
    return ThresholdResult(
        thresholds=pd.Series(gammas, index=names, name="threshold"),
        ci=ci,
        tests=tests,
        regimes=regimes,
        lr=pd.concat(curves, ignore_index=True),
        lr_critical=crit,
        fit=result,
        grid=data.grid,
        bootstrap=bootstrap,
        seed=seed,
    )


def _check_settings(
    n_thresholds: int, trim: float, bootstrap: int, alpha: float, x_names: list[str]
) -> None:
    """Raise ``EstimationError`` for options out of range."""
    if n_thresholds not in range(N_THRESHOLDS[0], N_THRESHOLDS[1] + 1):
        raise EstimationError(f"n_thresholds={n_thresholds!r} must be 1, 2 or 3.")
    if not TRIM[0] <= trim <= TRIM[1]:
        raise EstimationError(f"trim={trim!r} must lie between {TRIM[0]} and {TRIM[1]}.")
    if not isinstance(bootstrap, int | np.integer) or bootstrap < 0:
        raise EstimationError(f"bootstrap={bootstrap!r} must be a non-negative integer.")
    if not 0 < alpha < 1:
        raise EstimationError(f"alpha={alpha!r} must lie strictly between 0 and 1.")
    if not x_names:
        raise PanelError("x is empty; name at least one regime variable.")


def _regime_columns(
    frame: pd.DataFrame, x_names: list[str], q: str, gammas: np.ndarray
) -> tuple[dict[str, np.ndarray], list[str], pd.DataFrame]:
    """The ``<x>_r<j>`` regime columns of the panel, their names and a table of the regimes."""
    bounds = [-np.inf, *gammas, np.inf]
    qv = frame[q].to_numpy()
    columns, names, rows = {}, [], []
    for j in range(len(bounds) - 1):
        inside = (qv > bounds[j]) & (qv <= bounds[j + 1])
        lower = "" if j == 0 else f"{bounds[j]:.6g} < "
        upper = "" if j == len(bounds) - 2 else f" <= {bounds[j + 1]:.6g}"
        rows.append(
            {
                "regime": f"r{j + 1}",
                "lower": bounds[j],
                "upper": bounds[j + 1],
                "interval": f"{lower}{q}{upper}",
                "nobs": int(inside.sum()),
            }
        )
        for x in x_names:
            columns[f"{x}_r{j + 1}"] = frame[x].to_numpy() * inside
    for x in x_names:
        names += [f"{x}_r{j + 1}" for j in range(len(bounds) - 1)]
    return columns, names, pd.DataFrame(rows).set_index("regime")


class _Data:
    """Sorted arrays and cumulative sums of one threshold problem (see the module docstring)."""

    def __init__(
        self,
        frame: pd.DataFrame,
        y: str,
        x_names: list[str],
        controls: list[str],
        q: str,
        effects: str,
        trim: float,
        grid: int | Sequence[float],
    ) -> None:
        self.n_entities = frame.index.get_level_values(0).nunique()
        self.n_periods = frame.index.get_level_values(1).nunique()
        self.twoways = effects == "twoways"
        n = len(frame)
        self.n = n
        self.y = frame[y].to_numpy(dtype=float)
        self.x = frame[x_names].to_numpy(dtype=float)
        self.controls = frame[controls].to_numpy(dtype=float).reshape(n, len(controls))
        self.q = frame[q].to_numpy(dtype=float)
        self.df = n - self.n_entities - (self.n_periods - 1 if self.twoways else 0)
        self.grid = _grid(self.q, trim, grid)
        self.min_count = max(math.ceil(trim * n), 1)
        # bin[i] = first grid index g with q_i <= grid[g]; observation i is "below" at g >= bin[i]
        self.bin = np.searchsorted(self.grid, self.q, side="left")
        self.below = np.searchsorted(np.sort(self.q), self.grid, side="right")
        self.entity = np.repeat(np.arange(self.n_entities), self.n_periods)
        self.period = np.tile(np.arange(self.n_periods), self.n_entities)
        self.sxx = self._cumulative_quadratic()
        self._cache: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def within(self, a: np.ndarray) -> np.ndarray:
        """The within transformation (entity, or entity and period demeaning; balanced)."""
        shaped = a.reshape(self.n_entities, self.n_periods, -1)
        return demean_cube(shaped, entity=True, time=self.twoways).reshape(a.shape)

    def _bin_sums(self, values: np.ndarray, groups: np.ndarray | None, n_groups: int) -> np.ndarray:
        """Cumulative (over the grid) sums of ``values`` by group: shape (G, n_groups, m)."""
        n_grid = len(self.grid)
        values = values.reshape(self.n, -1)
        out = np.zeros((n_grid + 1, n_groups, values.shape[1]))
        np.add.at(out, (self.bin, 0 if groups is None else groups), values)
        return np.cumsum(out, axis=0)[:n_grid]

    def _cumulative_quadratic(self) -> np.ndarray:
        """:math:`x'S_\\gamma W S_\\gamma x` for every grid point, shape (G, k, k)."""
        k = self.x.shape[1]
        outer = np.einsum("ik,il->ikl", self.x, self.x).reshape(self.n, k * k)
        total = self._bin_sums(outer, None, 1)[:, 0, :].reshape(-1, k, k)
        by_entity = self._bin_sums(self.x, self.entity, self.n_entities)
        total = total - np.einsum("gik,gil->gkl", by_entity, by_entity) / self.n_periods
        if self.twoways:
            by_period = self._bin_sums(self.x, self.period, self.n_periods)
            overall = by_entity.sum(axis=1)
            total = total - np.einsum("gtk,gtl->gkl", by_period, by_period) / self.n_entities
            total = total + np.einsum("gk,gl->gkl", overall, overall) / self.n
        return total

    def design(self, fixed: tuple[int, ...]) -> np.ndarray:
        """The within-transformed fixed design: x, x·1(q<=gamma_j) for fixed j, controls."""
        parts = [self.x]
        parts += [self.x * (self.q <= self.grid[g])[:, None] for g in sorted(fixed)]
        parts.append(self.controls)
        return self.within(np.column_stack(parts))

    def _prepared(self, fixed: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Within design, the solve of its normal equations and A(gamma)^{-1} (cached)."""
        key = tuple(sorted(fixed))
        if key in self._cache:
            return self._cache[key]
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        xw0 = self.design(key)
        gram = xw0.T @ xw0
        k, p = self.x.shape[1], xw0.shape[1]
        outer = np.einsum("ip,ik->ipk", xw0, self.x).reshape(self.n, p * k)
        cross = self._bin_sums(outer, None, 1)[:, 0, :].reshape(-1, p, k)
        try:
            solved = np.linalg.solve(gram, cross.transpose(1, 0, 2).reshape(p, -1))
        except np.linalg.LinAlgError as err:
            raise EstimationError(
                "the regime variables and controls are collinear after the within "
                "transformation; drop the collinear controls."
            ) from err
        solved = solved.reshape(p, -1, k).transpose(1, 0, 2)
        a_mat = self.sxx - np.einsum("gpk,gpl->gkl", cross, solved)
        valid = self._valid(key)
        a_inv = np.full_like(a_mat, np.nan)
        scale = np.einsum("gkk->g", np.abs(a_mat)).max()
        good = valid & (np.linalg.det(a_mat / max(scale, 1e-300) * len(self.grid)) > 1e-12)
        a_inv[good] = np.linalg.inv(a_mat[good])
        self._cache[key] = (xw0, np.linalg.pinv(gram) @ xw0.T, a_inv)
        return self._cache[key]

    def _valid(self, fixed: tuple[int, ...]) -> np.ndarray:
        """Grid points that leave every regime at least ``min_count`` observations."""
        counts_fixed = self.below[list(fixed)]
        ok = np.ones(len(self.grid), dtype=bool)
        for g, count in enumerate(self.below):
            cuts = np.sort(np.concatenate([[0], counts_fixed, [count], [self.n]]))
            ok[g] = np.diff(cuts).min() >= self.min_count and g not in fixed
        return ok

    def fitted_and_residuals(
        self, yw: np.ndarray, fixed: tuple[int, ...]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Fitted values and residuals of the within regression with thresholds ``fixed``."""
        xw0, projector, _ = self._prepared(fixed)
        fitted = xw0 @ (projector @ yw)
        return fitted, yw - fitted

    def ssr_at(self, yw: np.ndarray, fixed: tuple[int, ...]) -> float:
        """SSR of the within regression with thresholds at the grid indices ``fixed``."""
        resid = self.fitted_and_residuals(yw, fixed)[1]
        return float(resid @ resid)

    def ssr_curve(self, yw: np.ndarray, fixed: tuple[int, ...]) -> np.ndarray:
        """S(gamma | fixed) for every grid point (``inf`` where gamma is not admissible)."""
        a_inv = self._prepared(fixed)[2]
        resid = self.fitted_and_residuals(yw, fixed)[1]
        b = self._bin_sums(self.x * resid[:, None], None, 1)[:, 0, :]
        gain = np.einsum("gk,gkl,gl->g", b, a_inv, b)
        curve = resid @ resid - gain
        return np.where(np.isfinite(curve), curve, np.inf)

    def sequential(self, yw: np.ndarray, k: int, refine: bool) -> tuple[int, ...]:
        """Grid indices of k thresholds found one after the other (refined if asked)."""
        found: list[int] = []
        for _ in range(k):
            curve = self.ssr_curve(yw, tuple(found))
            if not np.isfinite(curve).any():
                raise EstimationError(
                    f"no admissible grid point is left for threshold {len(found) + 1}; lower "
                    "trim, n_thresholds, or pass a finer grid."
                )
            found.append(int(np.argmin(curve)))
            if refine and len(found) > 1:
                for j in range(len(found) - 1):
                    others = tuple(g for i, g in enumerate(found) if i != j)
                    found[j] = int(np.argmin(self.ssr_curve(yw, others)))
        return tuple(sorted(found))

    def bootstrap_f(
        self,
        yw: np.ndarray,
        null: tuple[int, ...],
        alternative: tuple[int, ...],
        k: int,
        replications: int,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Bootstrap draws of F_k under the k-1 threshold model (Hansen 1999, §3.2-3.3)."""
        fitted = self.fitted_and_residuals(yw, null)[0]
        resid = self.fitted_and_residuals(yw, alternative)[1]
        blocks = resid.reshape(self.n_entities, self.n_periods)
        draws = np.empty(replications)
        for r in range(replications):
            pick = rng.integers(0, self.n_entities, size=self.n_entities)
            y_star = fitted + self.within(blocks[pick].reshape(-1))
            found = self.sequential(y_star, k - 1, refine=True)
            s_null = self.ssr_at(y_star, found)
            s_alt = float(np.min(self.ssr_curve(y_star, found)))
            draws[r] = (s_null - s_alt) / (s_alt / self.df)
        return draws


def _grid(q: np.ndarray, trim: float, grid: int | Sequence[float]) -> np.ndarray:
    """Candidate thresholds: quantiles of q between ``trim`` and ``1 - trim`` or given values."""
    if isinstance(grid, int | np.integer):
        if grid < GRID_MIN:
            raise EstimationError(f"grid={grid!r} must be at least {GRID_MIN} points.")
        probs = np.linspace(trim, 1 - trim, int(grid))
        values = np.unique(np.quantile(q, probs, method="inverted_cdf"))
    else:
        values = np.unique(np.asarray(grid, dtype=float))
        outside = values[(values < q.min()) | (values >= q.max())]
        if outside.size:
            raise EstimationError(
                f"grid values {outside[:5].tolist()} lie outside [min q, max q) = "
                f"[{q.min():.6g}, {q.max():.6g}); give values that split the sample."
            )
    if values.size < 2:
        raise EstimationError("the threshold variable takes too few distinct values for a grid.")
    return values
