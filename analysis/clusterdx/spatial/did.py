"""Spatial difference-in-differences: a spatial Durbin panel with the treatment and its spatial lag.

Model (Delgado & Florax 2015, *Economics Letters* 137:123-126; Dubé, Legros, Thériault & Des
Rosiers 2014, *Transportation Research Part B* 64:24-40; Chagas, Azzoni & Almeida 2016, *Regional
Science and Urban Economics* 59:24-36), stacked period by period::

    y_t = ρ W y_t + δ D_t + γ W D_t + X_t β + W X_t θ + μ + ξ_t ι + ε_t,   D_it = 1(t ≥ G_i)

with G_i the first treated period of unit i (never-treated units: D = 0). A treated unit's own
outcome responds to its treatment and, through ρ, to its neighbours' treatment; untreated units
near treated ones are affected through γ and ρ, which breaks the stable-unit assumption of the
ordinary DID. The effects of the treatment summarise S_D = (I − ρW)^{-1}(δ I + γ W) (LeSage &
Pace 2009, *Introduction to Spatial Econometrics*, §2.7):

- direct (on the treated unit itself) = tr(S_D)/N,
- indirect (spillover onto the other units) = ι'S_D ι/N − tr(S_D)/N,
- total = ι'S_D ι/N = (δ + γ)/(1 − ρ) for a row-standardised W,

with simulated inference (parameter draws from the ML covariance, LeSage & Pace 2009, §5.6.2),
by :func:`clusterdx.spatial.impacts`. Estimation is :func:`clusterdx.spatial.fit` (``model="sdm"``,
two-way fixed effects and the Lee-Yu correction by default); the treatment indicator is built as
:func:`clusterdx.panel.did` builds it (column ``treat_post``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from clusterdx.errors import EstimationError, PanelError
from clusterdx.options.spatial import (
    DEFAULT_DYNAMIC_EFFECTS,
    DEFAULT_ENTITY,
    DEFAULT_SEED,
    DEFAULT_TIME,
)
from clusterdx.panel.did import TREAT_POST, with_cohorts
from clusterdx.spatial._results import SpatialPanelResults
from clusterdx.spatial.effects import IMPACT_STATS
from clusterdx.spatial.models import BiasCorrection, fit


@dataclass(frozen=True)
class SpatialDIDResult:
    """A spatial DID: the SDM fit, the impacts of every regressor and the treatment's effects.

    Attributes
    ----------
    fit : SpatialPanelResults
        The SDM; ``fit.params["treat_post"]`` is δ and ``fit.params["W_treat_post"]`` is γ.
    impacts : pandas.DataFrame
        ``fit.impacts(draws, seed)``: rows = regressors, columns (impact, stat).
    n_treated : int
        Units treated in some period.
    """

    fit: SpatialPanelResults
    impacts: pd.DataFrame
    n_treated: int

    @property
    def effects(self) -> pd.DataFrame:
        """The treatment's direct, indirect (spillover) and total effects: rows = impact type,
        columns ``est``, ``se``, ``z``, ``p``."""
        return self.impacts.loc[TREAT_POST].unstack("stat")[list(IMPACT_STATS)]

    def summary(self) -> str:
        """Plain-text summary: the treatment's effects and the SDM estimates."""
        eff = self.effects.to_string(float_format=lambda v: f"{v:.6g}")
        head = f"Spatial DID (SDM), {self.n_treated} treated units\nTreatment effects:\n"
        return head + eff + "\n\n" + str(self.fit.summary())


def spatial_did(
    panel: pd.DataFrame,
    y: str,
    treat_year: str,
    w: Any,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    controls: Sequence[str] = (),
    effects: Literal["individual", "time", "twoways"] = DEFAULT_DYNAMIC_EFFECTS,
    bias_correction: BiasCorrection = True,
    durbin: Sequence[str] | None = None,
    draws: int = 1000,
    seed: int = DEFAULT_SEED,
) -> SpatialDIDResult:
    """Spatial DID: SDM with the treated × post indicator and its spatial lag (module docstring).

    Parameters
    ----------
    panel
        Balanced long panel.
    y
        Outcome column.
    treat_year
        Column with each unit's first treated period, constant within unit; missing, 0 or ``inf``
        for never-treated units (as :func:`clusterdx.panel.did`).
    w
        Weights, as for :func:`clusterdx.spatial.fit` (row-standardised, ids = ``entity`` values).
    entity, time
        Key columns (periods numeric; default ``"region"``, ``"year"``).
    controls
        Time-varying controls.
    effects, bias_correction
        Fixed effects and the Lee-Yu correction, as :func:`clusterdx.spatial.fit`.
    durbin
        Regressors with a spatial lag; default all (the treatment and the controls). The
        treatment's lag ``treat_post`` must be among them.
    draws, seed
        Parameter draws and seed of the simulated inference on the effects.

    Returns
    -------
    SpatialDIDResult
        ``.effects`` holds the treatment's direct, indirect and total effects.

    Examples
    --------
    A 10 × 10 lattice over 8 periods; about half the units are treated from period 4, with
    δ = 1, γ = 0.5, ρ = 0.3 (true direct effect ≈ 1.07, spillover ≈ 1.07, total = 1.5/0.7 ≈ 2.14):

    >>> import libpysal, numpy as np, pandas as pd
    >>> w = libpysal.weights.lat2W(10, 10); w.transform = "r"
    >>> n, t = 100, 8
    >>> rng = np.random.default_rng(1)
    >>> first = np.where(rng.uniform(size=n) < 0.5, 4.0, np.nan)
    >>> d = (np.arange(t)[None, :] >= first[:, None]).astype(float)
    >>> a = np.eye(n) - 0.3 * w.full()[0]
    >>> ys = np.linalg.solve(a, d + 0.5 * (w.sparse @ d) + rng.normal(0, 0.3, (n, t)))
    >>> panel = pd.DataFrame({"unit": np.repeat(np.arange(n), t), "year": np.tile(np.arange(t), n),
    ...                       "g": np.repeat(first, t), "y": ys.ravel()})
    >>> res = spatial_did(panel, "y", "g", w, entity="unit", time="year", draws=200, seed=0)
    >>> res.effects["est"].round(2).to_dict()
    {'direct': 1.04, 'indirect': 0.95, 'total': 1.99}
    >>> res.effects["se"].round(2).to_dict()
    {'direct': 0.04, 'indirect': 0.12, 'total': 0.13}
    """
    controls = [controls] if isinstance(controls, str) else list(controls)
    for column in (treat_year, entity, time):
        if column not in panel.columns:
            raise PanelError(
                f"column {column!r} is not in the panel; available columns: {list(panel.columns)}"
            )
    if TREAT_POST in panel.columns or TREAT_POST in controls:
        raise PanelError(
            f"the panel already has a column {TREAT_POST!r}, the name of the treatment indicator "
            "spatial_did builds; rename it"
        )
    frame, cohort = with_cohorts(panel, treat_year, entity, time)
    frame[TREAT_POST] = (frame[time].to_numpy(dtype=float) >= cohort).astype(float)
    share = frame[TREAT_POST].mean()
    if share in (0.0, 1.0):
        raise EstimationError(
            f"the treatment indicator from {treat_year!r} is {int(share)} in every row; a DID "
            "needs treated and untreated observations"
        )
    if durbin is not None and TREAT_POST not in durbin:
        raise EstimationError(
            f"durbin={list(durbin)} omits {TREAT_POST!r}; the spatial DID needs the treatment's "
            "spatial lag W·treat_post"
        )
    res = fit(
        frame,
        y=y,
        x=[TREAT_POST, *controls],
        w=w,
        entity=entity,
        time=time,
        model="sdm",
        effects=effects,
        bias_correction=bias_correction,
        seed=seed,
        durbin=durbin,
    )
    treated = frame.loc[frame[TREAT_POST] > 0, entity].nunique()
    return SpatialDIDResult(fit=res, impacts=res.impacts(draws=draws, seed=seed), n_treated=treated)
