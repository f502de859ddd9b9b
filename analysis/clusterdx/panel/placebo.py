r"""Placebo test of a two-way FE DID by random treatment assignment, with the permutation p-value.

The estimate of :func:`clusterdx.panel.did`,
:math:`y_{it}=\alpha_i+\lambda_t+\delta D_{it}+c_{it}'\theta+e_{it}`, is recomputed for ``draws``
fake assignments of the treatment: ``"space"`` permutes the entities' first-treated periods across
entities (the same number treated, the same timing, random units); ``"time"`` keeps the treated
entities and gives each a random first-treated period among the panel's periods after the first;
``"both"`` does both. The permutation p-value is
:math:`(1+\#\{b: |\hat\delta_b|\ge|\hat\delta|\})/(1+B)` (two-sided; Fisher's randomisation
inference, Imbens & Rubin 2015, ch. 5; the ``didplacebo`` convention of Chen, Qi & Yan 2023,
*Stata J.*), and the placebo estimates are shown as a kernel density with the true estimate marked.

Why our own: no Python package has it. With the response and controls demeaned once by
:func:`clusterdx.paneldata.within.demean` (:math:`\ddot y`, :math:`\ddot C`), Frisch-Waugh-Lovell
gives every draw's estimate from the fake indicator :math:`D_b` (:math:`D_{b,it}=1[t\ge s_{b,i}]`)
without demeaning it: :math:`\hat\delta_b = D_b'r / (D_b'MD_b - (\ddot C'D_b)'(\ddot C'\ddot C)^{-1}
\ddot C'D_b)`, :math:`r` the residual of :math:`\ddot y` on :math:`\ddot C` and :math:`M` the
two-way within projection. :math:`D_b'r` and :math:`\ddot C'D_b` are per-entity suffix sums over the
periods read at each entity's start :math:`s_{b,i}`; :math:`D_b'MD_b` is exact for any unbalanced
panel by partitioned regression on the entity-demeaned period dummies :math:`\tilde F`:
:math:`D_b'M_ED_b - g_b'(\tilde F'\tilde F)^{+}g_b`, :math:`D_b'M_ED_b=\sum_i(n_{bi}-n_{bi}^2/T_i)`,
:math:`g_b=\tilde F'D_b`, :math:`n_{bi}` the periods of entity :math:`i` from :math:`s_{b,i}` on.
So 500 draws cost O(N × draws) arithmetic on entity-by-period tables instead of demeaning an
n × 500 indicator matrix (county demo, 500 draws: 0.79 → 0.14 s); the true estimate equals
:func:`did`'s, on balanced and unbalanced panels (tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import sparse, stats

from clusterdx.errors import EstimationError, PanelError
from clusterdx.options.common import check_option
from clusterdx.options.panel import (
    DEFAULT_ENTITY,
    DEFAULT_SEED,
    DEFAULT_TIME,
    PLACEBO_DRAWS_MIN,
)
from clusterdx.options.panel import PLACEBO_KINDS as KINDS
from clusterdx.options.panel import PlaceboKind as Kind
from clusterdx.paneldata.frame import PanelFrame
from clusterdx.paneldata.within import demean


@dataclass(frozen=True)
class PlaceboResult:
    """Placebo estimates of a DID and the permutation p-value.

    Attributes
    ----------
    estimate : float
        The DID estimate with the true assignment.
    placebo : ndarray
        The ``draws`` placebo estimates, in draw order.
    pvalue : float
        Two-sided permutation p-value.
    kind : str
    draws, seed : int
    """

    estimate: float
    placebo: np.ndarray = field(repr=False)
    pvalue: float
    kind: str
    draws: int
    seed: int

    def summary_frame(self) -> pd.DataFrame:
        """One-row table: estimate, placebo mean/sd/quantiles, p-value, draws."""
        q = np.quantile(self.placebo, [0.05, 0.95])
        return pd.DataFrame(
            {
                "estimate": [self.estimate],
                "placebo_mean": [self.placebo.mean()],
                "placebo_sd": [self.placebo.std(ddof=1)],
                "placebo_p5": [q[0]],
                "placebo_p95": [q[1]],
                "pvalue": [self.pvalue],
                "draws": [self.draws],
                "kind": [self.kind],
            }
        )

    def figure(self, lang: Literal["zh", "en"] = "en") -> Any:
        """Kernel density (Gaussian, Scott's bandwidth) of the placebo estimates; dashed line at
        the true estimate. Returns a matplotlib Figure."""
        import matplotlib.pyplot as plt

        words = {
            "en": ("Placebo estimate", "Density", "true estimate", "placebo estimates"),
            "zh": ("安慰剂估计系数", "核密度", "真实估计值", "安慰剂估计"),
        }[lang]
        fig, ax = plt.subplots(figsize=(6, 4))
        values = self.placebo
        lo = min(values.min(), self.estimate)
        hi = max(values.max(), self.estimate)
        grid = np.linspace(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo), 400)
        if np.ptp(values) > 0:
            ax.plot(grid, stats.gaussian_kde(values)(grid), color="black", label=words[3])
        ax.scatter(values, np.zeros_like(values), marker="|", color="grey", alpha=0.4)
        ax.axvline(self.estimate, color="firebrick", linestyle="--", label=words[2])
        ax.set_xlabel(words[0])
        ax.set_ylabel(words[1])
        ax.legend(frameon=False)
        fig.tight_layout()
        return fig


def placebo(
    panel: pd.DataFrame,
    y: str,
    treat_year: str,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    controls: Sequence[str] = (),
    kind: Kind = "space",
    draws: int = 500,
    seed: int = DEFAULT_SEED,
    progress: bool = True,
) -> PlaceboResult:
    """Placebo DID estimates under random treatment assignment and the permutation p-value.

    Parameters
    ----------
    panel, y, treat_year, entity, time, controls
        As :func:`clusterdx.panel.did` (two-way fixed effects).
    kind : {"space", "time", "both"}
        What is randomised (see the module notes).
    draws : int
        Number of placebo assignments (at least 500 for a paper; fewer allowed for tests).
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same draws.
    progress : bool
        Show a tqdm progress bar while drawing.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> panel = pd.DataFrame({"region": np.repeat(np.arange(20), 6),
    ...                       "year": np.tile(np.arange(2015, 2021), 20)})
    >>> panel["pilot"] = np.where(panel["region"] < 8, 2018, np.nan)
    >>> panel["dt"] = 0.8 * (panel["year"] >= panel["pilot"]) + rng.normal(0, 0.3, 120)
    >>> res = placebo(panel, "dt", "pilot", entity="region", time="year", draws=199, progress=False)
    >>> round(res.estimate, 3), res.pvalue
    (0.909, 0.005)
    """
    check_option("kind", kind, KINDS)
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < PLACEBO_DRAWS_MIN:
        raise EstimationError(
            f"draws={draws!r} must be an integer of at least {PLACEBO_DRAWS_MIN} (500 or more)."
        )
    controls = [controls] if isinstance(controls, str) else list(controls)
    if treat_year not in panel.columns:
        raise PanelError(f"treat_year column {treat_year!r} is not in the panel.")
    never = pd.to_numeric(panel[treat_year], errors="coerce").replace([np.inf, -np.inf], np.nan)
    panel = panel.assign(**{treat_year: never.fillna(0)})  # never treated: missing, 0 or inf
    frame = PanelFrame(panel, [y, *controls], entity, time, extra=[treat_year]).data
    frame = frame.reset_index()
    cohort = pd.to_numeric(frame[treat_year], errors="coerce").replace(0, np.nan)
    spread = cohort.groupby(frame[entity]).nunique(dropna=False)
    if (spread > 1).any():
        bad = list(spread.index[spread > 1][:5])
        raise PanelError(f"{treat_year!r} varies within entities {bad}; it must be constant.")
    entities, ent_codes = np.unique(frame[entity].to_numpy(), return_inverse=True)
    periods = np.sort(frame[time].unique()).astype(float)
    t = frame[time].to_numpy(dtype=float)
    by_entity = cohort.groupby(ent_codes).first().reindex(range(len(entities))).to_numpy()
    if not np.isfinite(by_entity).any():
        raise EstimationError(f"no entity is ever treated ({treat_year!r} is empty).")
    rng = np.random.default_rng(seed)
    assignments = [by_entity]
    loop = range(draws)
    if progress:
        from tqdm.auto import tqdm

        loop = tqdm(loop, desc=f"placebo ({kind})", leave=False)
    treated = np.isfinite(by_entity)
    for _ in loop:
        fake = by_entity.copy()
        if kind in ("time", "both"):
            fake[treated] = rng.choice(periods[1:], size=int(treated.sum()))
        if kind in ("space", "both"):
            fake = fake[rng.permutation(len(fake))]
        assignments.append(fake)
    starts = np.stack(assignments, axis=1)  # entities × (1 + draws)
    first = np.where(np.isfinite(starts), np.searchsorted(periods, starts), len(periods))
    period = np.searchsorted(periods, t)
    base = demean(frame[[y, *controls]].to_numpy(dtype=float), [ent_codes, period])
    yt, ct = base[:, 0], base[:, 1:]
    if ct.shape[1]:
        yt = yt - ct @ np.linalg.lstsq(ct, yt, rcond=None)[0]
    est, identified = _fwl_estimates(np.column_stack([yt, ct]), ent_codes, period, first)
    if not identified[0]:
        raise EstimationError("the treatment indicator is absorbed by the two-way effects.")
    fake_est = est[1:][identified[1:]]
    exceed = int((np.abs(fake_est) >= abs(est[0]) - 1e-12 * abs(est[0])).sum())
    return PlaceboResult(
        estimate=float(est[0]),
        placebo=fake_est,
        pvalue=(1 + exceed) / (1 + len(fake_est)),
        kind=kind,
        draws=draws,
        seed=seed,
    )


def _fwl_estimates(
    values: np.ndarray, entity: np.ndarray, period: np.ndarray, first: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every assignment's DID estimate from the demeaned ``values`` (module notes).

    ``values`` is n × (1 + k): the residual r of the demeaned response on the demeaned controls,
    then the k demeaned controls; ``entity`` and ``period`` code each row; ``first[i, b]`` is the
    index of assignment b's first treated period of entity i (the number of periods: never).
    Returns the estimates and whether each is identified (False where the assignment's indicator
    is absorbed by the two-way effects and the controls: its estimate is NaN).
    """
    n_ent, n_per = first.shape[0], int(period.max()) + 1
    grid = np.zeros((values.shape[1], n_ent, n_per + 1))  # variable × entity × period, 0 if absent
    grid[:, entity, period] = values.T
    present = np.zeros((n_ent, n_per + 1))
    present[entity, period] = 1.0
    # suffix sums over the periods: column p holds the sum from period p on (p = n_per: none)
    suffix = np.flip(np.cumsum(np.flip(grid, axis=2), axis=2), axis=2)
    counts = np.flip(np.cumsum(np.flip(present, axis=1), axis=1), axis=1)
    rows = np.arange(n_ent)[:, None]
    cross = suffix[:, rows, first].sum(axis=1)  # (1 + k) × draws: D'r, then C'D
    n_treated = counts[rows, first]  # n_bi, entities × draws
    per_entity = counts[:, 0]
    within_entity = (n_treated - n_treated**2 / per_entity[:, None]).sum(axis=0)  # D'M_E D
    # g = F~'D: period t's treated rows minus the entity means of D over the rows of period t;
    # started[t, b] = sum_i present[i, t] 1[first[i, b] <= t], from one-hot rows (draw, first)
    n_draws = first.shape[1]
    one_hot = sparse.csr_matrix(
        (
            np.ones(first.size),
            (
                (np.arange(n_draws) * (n_per + 1) + first).ravel(),
                np.repeat(np.arange(n_ent), n_draws),
            ),
        ),
        shape=(n_draws * (n_per + 1), n_ent),
    )
    by_start = np.cumsum((one_hot @ present[:, :n_per]).reshape(n_draws, n_per + 1, n_per), axis=1)
    started = by_start[:, np.arange(n_per), np.arange(n_per)].T  # periods × draws
    observed = present[:, :n_per]
    g = started - observed.T @ (n_treated / per_entity[:, None])
    gram = np.diag(observed.sum(axis=0)) - (observed.T / per_entity) @ observed  # F~'F~
    eig, vectors = np.linalg.eigh(gram)
    keep = eig > eig.max() * n_per * np.finfo(float).eps * 100
    projected = vectors[:, keep].T @ g
    within = within_entity - ((projected**2) / eig[keep, None]).sum(axis=0)  # D'MD
    controls = cross[1:]
    if controls.shape[0]:
        solved = np.linalg.lstsq(values[:, 1:].T @ values[:, 1:], controls, rcond=None)[0]
        within = within - (controls * solved).sum(axis=0)
    identified = within > 1e-10 * np.maximum(n_treated.sum(axis=0), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(identified, cross[0] / within, np.nan), identified
