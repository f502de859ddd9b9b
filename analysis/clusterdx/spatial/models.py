"""Maximum-likelihood estimation of static spatial panel models (SAR, SEM, SDM, SAC, SDEM, SLX).

Model family (Elhorst 2014, *Spatial Econometrics*, Springer, ch. 3; LeSage & Pace 2009, ch. 2),
stacked period by period, t = 1..T, with W an N × N weights matrix::

    y_t = ρ W y_t + X_t β + W X_t θ + μ + ξ_t ι + u_t,     u_t = λ W u_t + ε_t,   ε ~ N(0, σ² I)

SAR: θ = 0, λ = 0. SEM: ρ = 0, θ = 0. SDM: λ = 0. SAC: θ = 0. SDEM: ρ = 0. SLX: ρ = λ = 0.

Several weights matrices (xsmle's ``wmat()`` / ``emat()`` / ``dmat()``, splm's ``listw2``): the error
process may have its own matrix M (``w_error``: u_t = λ M u_t + ε_t) and the Durbin terms theirs,
W_d X_d θ (``w_durbin``), with X_d a subset of the regressors (``durbin``). Then B = I − λM below,
the cross-product matrix is that of [y, Wy, My, MWy, X, MX], and the impacts summarise
(I − ρW)^{-1}(β_k I + θ_k W_d).

Effects
    ``"individual"`` / ``"time"`` / ``"twoways"``: fixed μ and/or ξ swept out by the within
    transformation of y, Wy and X, WX; ``"random"``: μ_i ~ N(0, σ²_μ) with φ = σ²_μ/σ², estimated
    with an intercept by quasi-demeaning (Elhorst 2014, §3.4; Baltagi, Egger & Pfaffermayr 2007);
    ``"pooled"``: no effects, with an intercept (T = 1 gives the cross-sectional models of Anselin
    1988, *Spatial Econometrics: Methods and Models*, ch. 6).

Likelihood
    With A = I − ρW, B = I − λW and e = B(A y − X β) in the transformed data,
    ℓ = −n/2 ln(2πσ²) + T' ln|A| + T' ln|B| − e'e/(2σ²), where n = N'T' is the number of
    transformed observations. β and σ² = e'e/n (the ML estimate, splm's convention) are concentrated
    out; ρ and/or λ are found by bounded Brent (one parameter) or bounded Nelder-Mead (two). The
    reported ``llf`` is this full Gaussian log-likelihood of the transformed model (the convention of
    xsmle and Elhorst 2014, eq. 3.9 for fixed effects, and of splm's random-effects routine).

    For speed, every quantity of the concentrated likelihood is a quadratic form in the cross-product
    matrix of [y, Wy, W²y, X, WX], computed once: one evaluation costs O(k²) plus ln|A|.

Bias correction (``bias_correction=True``, fixed effects only)
    Lee & Yu (2010, *J. Econometrics* 154:165-185), transformation approach. Individual effects:
    the data are multiplied by F_T', the T × (T−1) orthonormal eigenvectors of the demeaning matrix,
    leaving T' = T − 1 periods. Time effects: each period is multiplied by F_N', leaving N' = N − 1
    units and the log-determinant ln|I − ρW| − ln(1 − ρ); this needs a row-standardised W. Because
    F F' equals the demeaning matrix, every cross-product of the transformed data equals that of the
    demeaned data, so the transformation changes only T', N', the log-determinant and the traces of
    the information matrix. For individual effects this gives the same β and ρ as the direct approach
    and σ² = T/(T−1) times the direct one. Without correction (splm's convention) T' = T, N' = N.

    ``bias_correction="direct"`` (SAR / SDM): Lee & Yu's (2010) direct approach, the estimator of
    Elhorst's MATLAB ``sar_panel_FE`` (``info.bc = 1``; Elhorst 2014, *Int. Reg. Sci. Rev.*
    37:389-405) and of R SDPDmod: ML on the demeaned data, then, for two-way effects,
    θ̂_c = θ̂ + Σ̂⁻¹ b / N with θ = (β, ρ, σ²), Σ̂ the information matrix divided by NT and
    b = (0, …, 0, 1/(1 − ρ̂), 1/(2σ̂²)), and σ̂²_c·T/(T−1); for individual (time) effects only σ̂²
    is scaled by T/(T−1) (N/(N−1)). The two approaches coincide for individual effects and differ
    at order 1/N with time effects.

Standard errors
    Inverse of the analytic expected information matrix of (β, ρ, λ, σ²) (Lee 2004, *Econometrica*
    72:1899-1925; Elhorst 2014, eq. 3.11; Lee & Yu 2010): with G = W A^{-1}, H = W B^{-1} and
    G̈ = B G B^{-1}: I_ββ = X̃'X̃/σ², I_βρ = X̃'G̈X̃β/σ², I_ρρ = ‖G̈X̃β‖²/σ² + T'(tr G̈'G̈ + tr G̈²),
    I_ρλ = T'(tr H'G̈ + tr HG̈), I_λλ = T'(tr H'H + tr H²), I_ρσ² = T' tr G/σ², I_λσ² = T' tr H/σ²,
    I_σ²σ² = n/(2σ⁴), with X̃ = BX. The traces are exact for N ≤ 1,500 and Hutchinson estimates
    above (``clusterdx.spatial._information``). Random effects: β conditional on (ρ, φ),
    σ²(X*'X*)^{-1} on the quasi-demeaned data, and (ρ, φ) from the numerical Hessian of the
    concentrated likelihood, as splm's ``spreml``.

Why hand-written: spreg estimates only panel SAR/SEM with fixed effects, with dense N·T matrices;
SDM/SAC/SDEM, two-way and Lee-Yu corrected effects, random effects and large N are not available in
Python (see DESIGN.md, "Decisions").
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg as sla
import scipy.optimize as opt
import scipy.sparse as sp

from clusterdx.errors import (
    ConvergenceError,
    EstimationError,
    OptionError,
    StudySpecError,
    WeightsError,
)
from clusterdx.expressions import parse_model_formula
from clusterdx.options.spatial import (
    BIAS_CORRECTIONS,
    CONVENTIONS,
    DEFAULT_EFFECTS,
    DEFAULT_ENTITY,
    DEFAULT_SEED,
    DEFAULT_TIME,
    EFFECTS,
    MODELS,
    BiasCorrection,
    Convention,
    DynamicName,
    EffectsName,
    ModelName,
)
from clusterdx.paneldata.frame import PanelFrame
from clusterdx.paneldata.within import demean_cube
from clusterdx.results import Covariance
from clusterdx.spatial._data import align_weights, stack_panel
from clusterdx.spatial._information import information_covariance
from clusterdx.spatial._random_effects import fit_random, random_covariance
from clusterdx.spatial._results import SpatialPanelResults, squared_correlation
from clusterdx.spatial.logdet import LogDet, LogdetMethod

LAG_MODELS = frozenset({"sar", "sdm", "sac"})
ERROR_MODELS = frozenset({"sem", "sac", "sdem"})
DURBIN_MODELS = frozenset({"sdm", "sdem", "slx"})
# ``cov_type`` of the results (worded in zh / en by clusterdx.report.labels.COV_NAMES)
FE_COV_TYPE = Covariance("analytic information matrix", kind="information")
RE_COV_TYPE = Covariance("gls and numerical hessian", kind="gls-hessian")
_BOUND_MARGIN = 1e-7
#: Absolute tolerance of the one-parameter Brent search for ρ or λ: √ε ≈ 1.49e-8, the ``tol.opt``
#: of R spatialreg's ``lagsarlm`` / ``errorsarlm`` (the estimates move by less than 1e-7, far inside
#: their standard errors; each further factor of 100 costs about two log-determinants)
RHO_XATOL = float(np.sqrt(np.finfo(float).eps))
_BOUND_WARN = 1e-3


def model_variables(
    formula: str | None, y: str | None, x: Sequence[str] | None
) -> tuple[str, Sequence[str]]:
    """The response and regressors of a spatial model, from ``"y ~ a + b"`` or from ``y=``, ``x=``.

    The formula is split by `clusterdx.expressions.parse_model_formula` (names joined by ``+``,
    nothing evaluated); exactly one of the two ways must be used.

    Examples
    --------
    >>> model_variables("dt ~ demand + gov", None, None)
    ('dt', ['demand', 'gov'])
    >>> model_variables("dt", None, ["demand"])
    Traceback (most recent call last):
    clusterdx.errors.OptionError: give the model either as a formula ('dt ~ demand + gov') or as y= and x=, not both (got formula='dt', y=None, x=['demand']); a response passed by position is read as a formula: write y='dt'
    """
    if formula is not None and (y is not None or x is not None):
        raise OptionError(
            "give the model either as a formula ('dt ~ demand + gov') or as y= and x=, not both "
            f"(got formula={formula!r}, y={y!r}, x={x!r}); a response passed by position is "
            f"read as a formula: write y={formula!r}"
        )
    if formula is None:
        if y is None or x is None:
            raise OptionError(
                "give the model as a formula, fit(panel, 'dt ~ demand + gov', w=W), or as "
                f"y='dt', x=['demand', 'gov'] (got y={y!r}, x={x!r})"
            )
        return y, x
    try:
        return parse_model_formula(formula)
    except StudySpecError as exc:
        raise OptionError(str(exc)) from None


def _check_option(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise OptionError(f"{name}={value!r} is not allowed; choose one of {list(allowed)}")


def _check_rank(x: np.ndarray, names: list[str], effects: str) -> None:
    """Raise EstimationError naming regressors that are collinear after the transformation."""
    flat = x.reshape(-1, x.shape[-1])
    scale = np.sqrt(np.sum(flat**2, axis=0))
    zero = [names[j] for j in np.flatnonzero(scale <= 1e-10 * max(1.0, float(scale.max())))]
    if zero:
        raise EstimationError(
            f"regressor(s) {zero} have no variation left after the {effects!r} effects "
            "transformation (e.g. time-invariant under individual effects); drop them"
        )
    _, r, piv = sla.qr(flat / scale, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    rank = int(np.sum(diag > 1e-9 * diag[0]))
    if rank < len(names):
        dependent = sorted(names[j] for j in piv[rank:])
        raise EstimationError(
            f"regressors are perfectly collinear after the {effects!r} effects transformation: "
            f"{dependent} are linear combinations of the others; drop them"
        )


class _Profile:
    """Concentrated log-likelihood of (ρ, λ) from a cross-product matrix (module docstring)."""

    def __init__(
        self,
        gram: np.ndarray,
        k: int,
        has_lag: bool,
        has_err: bool,
        n_eff: float,
        t_eff: float,
        jacobian: Callable[[float], float],
        jacobian_error: Callable[[float], float] | None = None,
        separate_error: bool = False,
    ) -> None:
        self.gram = gram
        self.k, self.has_lag, self.has_err = k, has_lag, has_err
        self.n_eff, self.t_eff, self.jacobian = n_eff, t_eff, jacobian
        self.jacobian_error = jacobian if jacobian_error is None else jacobian_error
        # columns of Z (see _design): y, Wy, My (separate error matrix M), MWy, X, MX
        sep = separate_error and has_err
        self.iy = 0
        self.iwy = 1
        self.imy = 1 + (1 if sep and has_lag else 0)
        self.iw2y = self.imy + 1 if has_lag and has_err else None
        start = 1 + (1 if has_lag or has_err else 0) + (1 if sep and has_lag else 0)
        start += 1 if self.iw2y is not None else 0
        self.ix = np.arange(start, start + k)
        self.iwx = np.arange(start + k, start + 2 * k) if has_err else None

    def weights(self, rho: float, lam: float) -> tuple[np.ndarray, np.ndarray]:
        """Columns c_y, C_X with y* = Z c_y and X* = Z C_X (Z = [y, Wy, W²y, X, WX])."""
        p = self.gram.shape[0]
        cy = np.zeros(p)
        cy[self.iy] = 1.0
        if self.has_lag:
            cy[self.iwy] -= rho
        if self.has_err:
            cy[self.imy] -= lam
        if self.iw2y is not None:
            cy[self.iw2y] += rho * lam
        cx = np.zeros((p, self.k))
        cx[self.ix, np.arange(self.k)] = 1.0
        if self.iwx is not None:
            cx[self.iwx, np.arange(self.k)] = -lam
        return cy, cx

    def sse(self, rho: float, lam: float, gram: np.ndarray | None = None) -> float:
        g = self.gram if gram is None else gram
        cy, cx = self.weights(rho, lam)
        gxy = cx.T @ g @ cy
        gxx = cx.T @ g @ cx
        beta = np.linalg.solve(gxx, gxy)
        return float(cy @ g @ cy - gxy @ beta)

    def loglik(self, rho: float, lam: float, jac: float | None = None) -> float:
        """Concentrated log-likelihood; ``jac`` = the summed log-determinants if already known."""
        sse = self.sse(rho, lam)
        if not sse > 0:
            return -np.inf
        if jac is None:
            jac = (self.jacobian(rho) if self.has_lag else 0.0) + (
                self.jacobian_error(lam) if self.has_err else 0.0
            )
        return -self.n_eff / 2 * (np.log(2 * np.pi * sse / self.n_eff) + 1) + self.t_eff * jac


def fit(
    panel: pd.DataFrame | PanelFrame,
    formula: str | None = None,
    *,
    y: str | None = None,
    x: Sequence[str] | None = None,
    w: Any,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    model: ModelName = "sar",
    effects: EffectsName = DEFAULT_EFFECTS,
    bias_correction: BiasCorrection = True,
    logdet: LogdetMethod = "auto",
    maxiter: int = 500,
    seed: int = DEFAULT_SEED,
    convention: Convention = "ml",
    dynamic: DynamicName | None = None,
    w_error: Any = None,
    w_durbin: Any = None,
    durbin: Sequence[str] | None = None,
) -> SpatialPanelResults:
    """Fit a static spatial panel model by maximum likelihood.

    Parameters
    ----------
    panel
        Long data frame, one row per (entity, time); balanced, no missing values in ``y`` or ``x``.
        Or a :class:`clusterdx.paneldata.PanelFrame` already validated with those columns: used
        as it is, not checked again (only its keys, columns and balance), as
        :func:`clusterdx.panel.fit` does; how :func:`clusterdx.spatial.replace_w` and
        :func:`clusterdx.spatial.spillover_decay` hand one panel to each of their fits.
    formula
        ``"y ~ x1 + x2"`` (column names joined by ``+``; nothing is evaluated), instead of
        ``y`` and ``x``; giving both or neither raises ``OptionError``.
    y, x
        Dependent variable and regressors (column names), when no ``formula`` is given.
    w
        ``libpysal.weights.W`` whose ids are the values of ``entity``, or a pair ``(matrix, ids)``.
        W is used as given: row-standardise it first where the model calls for it (the
        ``clusterdx.weights`` constructors do by default). Its rows are reordered to the panel's
        (sorted) entity order by id.
    entity, time
        Columns identifying the cross-sectional unit and the period (default ``"region"``,
        ``"year"``).
    model
        ``"sar"``, ``"sem"``, ``"sdm"``, ``"sac"``, ``"sdem"`` or ``"slx"`` (module docstring).
    effects
        ``"individual"`` (default, as spreg and splm), ``"time"``, ``"twoways"`` (fixed),
        ``"random"`` (SAR / SDM / SLX only) or ``"pooled"``.
    bias_correction
        Lee & Yu (2010, *J. Econometrics* 154:165-185) correction for fixed effects; ignored for
        random / pooled. ``True`` or ``"transformation"``: the transformation approach (module
        docstring). ``"direct"`` (SAR / SDM): ML on the demeaned data, then the estimates are
        corrected, as Elhorst's MATLAB ``sar_panel_FE`` (``info.bc = 1``) and R SDPDmod's
        ``SDPDm(LYtrans = TRUE)``: individual effects σ² ← σ²·T/(T−1); time effects
        σ² ← σ²·N/(N−1); two-way effects θ = (β, ρ, σ²) ← θ + Σ⁻¹ (0, 1/(1−ρ), 1/(2σ²))'/N with
        Σ the information matrix divided by NT, then σ² ← σ²·T/(T−1); the standard errors are
        evaluated at the corrected estimates and ``llf`` is the maximised (uncorrected)
        likelihood. The two approaches give the same β and ρ (and σ²) for individual effects
        and differ at order 1/N for time and two-way effects. ``False``: no correction
        (splm's convention).
    logdet
        ``"auto"``, ``"eigen"``, ``"lu"``, ``"chebyshev"`` or ``"barry-pace"``
        (``clusterdx.spatial.logdet``).
    maxiter
        Iteration limit of the optimiser; reaching it raises ``ConvergenceError``.
    seed
        Seed of the random probes of the stochastic trace estimates (large N, approximate logdet).
    convention
        Time and two-way fixed effects only (individual effects commute with W). ``"ml"``
        (default): exact ML with time effects, whose spatial lag is the demeaned lag Q(Wy) (Lee &
        Yu 2010; Elhorst's MATLAB code). ``"splm"``: R splm's and SDPDmod's within estimator,
        which lags the demeaned outcome, W(Qy), but demeans the lagged regressors, Q(WX) (Durbin
        terms computed from the raw X, as when they are passed to splm as regressors). The two
        differ when W's columns do not sum to one; ``"splm"`` reproduces splm's numbers (it
        applies no bias correction, so it needs ``bias_correction=False``).
    dynamic
        ``"time"`` (τ y_{t−1}), ``"spacetime"`` (ψ W y_{t−1}) or ``"both"``: a dynamic SAR / SDM
        with individual or two-way fixed effects, fitted by
        :func:`clusterdx.spatial.dynamic.fit_dynamic` (Yu, de Jong & Lee 2008 bias correction);
        ``None`` (default): static.
    w_error
        Weights matrix M of the spatial error process u_t = λ M u_t + ε_t (SEM / SAC / SDEM),
        given like ``w``; default W. The likelihood then has T' ln|I − λM| and the information
        matrix H = M B^{-1}, G̈ = B G B^{-1} with B = I − λM (Lee 2004; splm ``spml(...,
        listw2=)``, xsmle ``emat()``). For the SEM it replaces ``w``.
    w_durbin
        Weights matrix W_d of the Durbin terms W_d X_d (SDM / SDEM / SLX), given like ``w``;
        default W (xsmle ``dmat()``). Impacts then use S_k = (I − ρW)^{-1}(β_k I + θ_k W_d).
    durbin
        The regressors that get a Durbin term (SDM / SDEM / SLX; default all of ``x``, in the
        order of ``x``); the others have θ_k = 0.

    Returns
    -------
    SpatialPanelResults
        ``params`` names: ``const`` (random / pooled), the x names, ``W_<x>`` (SDM / SDEM / SLX),
        ``rho``, ``lambda``, ``phi`` (random), ``sigma2``.

    Raises
    ------
    PanelError, WeightsError, EstimationError, ConvergenceError
        A malformed panel (a missing column, a duplicate (entity, time) pair, a non-numeric,
        missing or infinite value, an unbalanced panel: the ``PanelError`` of
        :class:`clusterdx.paneldata.PanelFrame`, as from :func:`clusterdx.panel.fit`), weights
        not matching the entities, collinear regressors, or an optimiser failure; the message
        names the column, ids or parameter.

    Examples
    --------
    A spatial Durbin panel simulated on a 5 x 5 lattice with ρ = 0.4, β = (1, -0.5), θ = (0.5, 0):

    >>> import libpysal
    >>> from clusterdx.datasets import spatial_panel
    >>> w = libpysal.weights.lat2W(5, 5); w.transform = "r"
    >>> panel = spatial_panel(w, 5, beta=[1.0, -0.5], theta=[0.5, 0.0], rho=0.4, seed=0)
    >>> res = fit(panel, "y ~ x1 + x2", w=w, model="sdm", effects="twoways")
    >>> res.params.round(3).to_dict()
    {'x1': 0.993, 'x2': -0.662, 'W_x1': 0.374, 'W_x2': -0.337, 'rho': 0.353, 'sigma2': 0.986}
    >>> imp = res.impacts(draws=200, seed=0)   # true total effect of x1: (1 + 0.5) / (1 - 0.4) = 2.5
    >>> imp.xs("est", axis=1, level="stat").round(3).loc["x1"].to_dict()
    {'direct': 1.082, 'indirect': 1.032, 'total': 2.114}
    """
    y, x = model_variables(formula, y, x)
    if dynamic is not None:
        from clusterdx.spatial.dynamic import fit_dynamic

        extra = (("w_error", w_error), ("w_durbin", w_durbin), ("durbin", durbin))
        given = [arg for arg, value in extra if value is not None]
        if given:
            raise EstimationError(
                f"{', '.join(given)} are not available with dynamic={dynamic!r} (the dynamic "
                "models use one weights matrix and Durbin terms on all regressors); drop them"
            )

        if convention != "ml" or logdet not in ("auto", "eigen"):
            raise EstimationError(
                f"dynamic={dynamic!r} uses exact ML with eigenvalue log-determinants; drop "
                f"convention={convention!r} / logdet={logdet!r} (use the defaults)"
            )

        return fit_dynamic(
            panel,
            y,
            x,
            w,
            entity=entity,
            time=time,
            model=model,
            effects=effects,
            dynamic=dynamic,
            bias_correction=bias_correction,
            maxiter=maxiter,
        )
    _check_option("model", model, MODELS)
    _check_option("effects", effects, EFFECTS)
    if len(x) == 0:
        raise EstimationError("x is empty; give at least one regressor")
    _check_option("convention", convention, CONVENTIONS)
    data = stack_panel(panel, y, x, entity, time)  # refuses a string x
    x = list(x)
    wmat = align_weights(w, data.entities)
    merr, mdur, durbin_cols = _extra_weights(
        model, x, data.entities, wmat, w_error, w_durbin, durbin
    )
    sums = np.asarray(wmat.sum(axis=1)).ravel()
    row_standardised = bool(np.allclose(sums, 1.0, atol=1e-10))
    if not row_standardised:
        warnings.warn(
            f"W is not row-standardised (row sums from {sums.min():.4g} to {sums.max():.4g}; "
            "libpysal builds binary W, transform 'O'): rho / lambda are then on another scale "
            "than in the usual row-standardised model. Set w.transform = 'r' first unless you "
            "mean to use W as given",
            UserWarning,
            stacklevel=2,
        )
    n, t = data.y.shape
    entity_fe = effects in ("individual", "twoways")
    time_fe = effects in ("time", "twoways")
    splm_time = convention == "splm" and time_fe
    if splm_time and bias_correction not in (False, "direct"):
        raise EstimationError(
            "convention='splm' reproduces splm's within estimator, which has no bias "
            "correction; pass bias_correction=False (or 'direct', as SDPDmod), or use the "
            "default convention='ml'"
        )
    if t < 2 and effects in ("individual", "twoways", "random"):
        raise EstimationError(
            f"effects={effects!r} needs at least two periods; the panel has T={t} (use 'pooled')"
        )
    if effects == "random" and model not in ("sar", "sdm", "slx"):
        raise EstimationError(
            f"effects='random' is implemented for model 'sar', 'sdm' and 'slx', not {model!r}; "
            "use fixed effects ('individual' / 'twoways') for spatial error models"
        )
    if not isinstance(bias_correction, bool) and bias_correction not in BIAS_CORRECTIONS[2:]:
        raise OptionError(
            f"bias_correction={bias_correction!r} is not allowed; choose one of "
            f"{list(BIAS_CORRECTIONS)}"
        )
    direct = bias_correction == "direct" and (entity_fe or time_fe)
    if direct and model not in ("sar", "sdm"):
        raise EstimationError(
            f"bias_correction='direct' is implemented for model 'sar' and 'sdm' (Elhorst's and "
            f"SDPDmod's estimators), not {model!r}; use bias_correction='transformation'"
        )
    correct = bias_correction in (True, "transformation") and (entity_fe or time_fe)
    if correct and time_fe:
        sums = np.asarray(wmat.sum(axis=1)).ravel()
        if not np.allclose(sums, 1.0, atol=1e-10):
            raise WeightsError(
                "the Lee-Yu correction for time effects needs a row-standardised W (rows summing "
                "to 1); row-standardise W or pass bias_correction=False"
            )
        if merr is not None and not np.allclose(np.asarray(merr.sum(axis=1)).ravel(), 1.0):
            raise WeightsError(
                "the Lee-Yu correction for time effects needs a row-standardised w_error (rows "
                "summing to 1); row-standardise w_error or pass bias_correction=False"
            )

    has_lag, has_err = model in LAG_MODELS, model in ERROR_MODELS
    z_raw, names = _design(
        data.y,
        data.x,
        list(x),
        wmat,
        model,
        effects,
        splm_time,
        w_error=merr,
        w_durbin=mdur,
        durbin=durbin_cols,
    )
    k = len(names)
    if splm_time:  # _design has period-demeaned the data; only the entity means remain
        time_fe = False
    z = demean_cube(z_raw, entity=entity_fe, time=time_fe)
    _check_rank(z[:, :, -k:] if not has_err else z[:, :, -2 * k : -k], names, effects)

    t_eff = t - 1 if correct and entity_fe else t
    n_units = n - 1 if correct and time_fe else n
    n_eff = n_units * t_eff
    engine = LogDet(wmat, logdet, seed=seed)
    lower, upper = engine.search_interval
    shift = correct and time_fe
    engine_err = engine if merr is None or not has_err else LogDet(merr, logdet, seed=seed)
    lower_l, upper_l = engine_err.search_interval

    def jacobian(r: float) -> float:
        return engine(r) - (np.log1p(-r) if shift else 0.0)

    def jacobian_error(r: float) -> float:
        return engine_err(r) - (np.log1p(-r) if shift else 0.0)

    zf = z.reshape(n * t, -1)
    gram = zf.T @ zf
    prof = _Profile(
        gram,
        k,
        has_lag,
        has_err,
        n_eff,
        t_eff,
        jacobian,
        jacobian_error,
        separate_error=engine_err is not engine,
    )
    bounds = (lower + _BOUND_MARGIN, upper - _BOUND_MARGIN)
    bounds_error = (lower_l + _BOUND_MARGIN, upper_l - _BOUND_MARGIN)

    within = zf  # the within-transformed design (random effects: quasi-demeaned in the search)

    def search(bounds, bounds_error):
        if effects == "random":
            rho, theta, phi, zf_re, re_loglik = fit_random(prof, z_raw, bounds, maxiter, has_lag)
            return rho, 0.0, theta, phi, zf_re, re_loglik
        rho, lam = _optimise(prof, bounds, maxiter, has_lag, has_err, bounds_error)
        return rho, lam, 0.0, None, within, None

    # a row-standardised W's search starts on (−1, 1) without eigenvalues
    # (`LogDet.lower_is_provisional`); a search that ends at −1 goes on down to 1/ω_min
    rho, lam, theta, phi, zf, re_loglik = search(bounds, bounds_error)
    widen = has_lag and engine.stopped_at_provisional_lower(rho)
    widen_error = has_err and engine_err.stopped_at_provisional_lower(lam)
    if widen or widen_error:
        lower = engine.bounds[0] if widen else lower
        lower_l = engine_err.bounds[0] if widen_error else lower_l
        bounds = (lower + _BOUND_MARGIN, upper - _BOUND_MARGIN)
        bounds_error = (lower_l + _BOUND_MARGIN, upper_l - _BOUND_MARGIN)
        rho, lam, theta, phi, zf, re_loglik = search(bounds, bounds_error)

    cy, cx = prof.weights(rho, lam)
    ystar, xstar = zf @ cy, zf @ cx
    # β̂ from the k × k normal equations of the cross-products (random effects: of the
    # quasi-demeaned data), not a least-squares solve on the NT × k design
    g = gram if phi is None else zf.T @ zf
    beta = np.linalg.solve(cx.T @ g @ cx, cx.T @ g @ cy)
    resid = ystar - xstar @ beta
    sse = float(resid @ resid)
    sigma2 = sse / n_eff
    jac = (jacobian(rho) if has_lag else 0.0) + (jacobian_error(lam) if has_err else 0.0)
    llf = -n_eff / 2 * np.log(2 * np.pi * sigma2) + t_eff * jac - sse / (2 * sigma2)
    if phi is not None:
        llf -= n / 2 * np.log1p(t * phi)

    for label, value, active, (lo, hi) in (
        ("rho", rho, has_lag, (lower, upper)),
        ("lambda", lam, has_err, (lower_l, upper_l)),
    ):
        if active and min(value - lo, hi - value) < _BOUND_WARN:
            warnings.warn(
                f"{label} = {value:.6f} lies within {_BOUND_WARN} of its bound "
                f"({lo:.4f}, {hi:.4f}); the likelihood may be maximised at the boundary and "
                "the standard errors are unreliable",
                RuntimeWarning,
                stacklevel=2,
            )

    extra = [("rho", rho, has_lag), ("lambda", lam, has_err), ("phi", phi, phi is not None)]
    extra.append(("sigma2", sigma2, True))
    pnames = names + [label for label, _, active in extra if active]
    values = [*beta, *(value for _, value, active in extra if active)]

    def covariance(beta, rho, lam, sigma2):
        return information_covariance(
            wmat,
            z[:, :, prof.ix],
            beta,
            rho if has_lag else None,
            lam if has_err else None,
            sigma2,
            xstar,
            t_eff,
            n_eff,
            project=shift,
            seed=seed,
            w_error=merr,
            lu_a=engine.factor(rho) if has_lag else None,  # the search's LU at ρ̂ where it has one
        )

    if phi is not None:
        cov = random_covariance(re_loglik, n * t, rho, phi, xstar, sigma2, has_lag)
    else:
        cov = covariance(beta, rho, lam, sigma2)
    if direct:
        values = _direct_correction(
            np.asarray(values), cov, n, t, entity_fe, effects in ("time", "twoways")
        )
        beta, rho, sigma2 = values[:-2], float(values[-2]), float(values[-1])
        cov = covariance(beta, rho, lam, sigma2)
    cov_frame = pd.DataFrame(cov, index=pnames, columns=pnames)
    fitted = zf[:, prof.ix] @ np.asarray(values[:k], dtype=float)
    if has_lag:  # spreg's pr2: ŷ = ρWy + Xβ, the error process left out
        fitted = fitted + float(values[pnames.index("rho")]) * zf[:, prof.iwy]
    return SpatialPanelResults(
        params=pd.Series(values, index=pnames, name="params"),
        cov=cov_frame,
        llf=float(llf),
        nobs=n * t,
        n_entities=n,
        n_periods=t,
        model=model,
        effects=effects,
        bias_correction=bool(correct or direct),
        bias_method=("direct" if direct else "transformation") if correct or direct else None,
        depvar=y,
        exog_names=list(x),
        entities=list(data.entities),
        periods=list(data.periods),
        logdet_method=engine.method,
        resid=resid,
        engine=engine,
        theta_re=theta,
        weights_transform="row-standardised"
        if row_standardised
        else "as given (not row-standardised)",
        cov_type=RE_COV_TYPE if phi is not None else FE_COV_TYPE,
        w_error=merr,
        w_durbin=mdur,
        pseudo_r2=squared_correlation(zf[:, prof.iy], fitted),
        n_likelihood=int(n_eff),
    )


def _extra_weights(
    model: str,
    x: list[str],
    entities: list,
    wmat: sp.csr_matrix,
    w_error: Any,
    w_durbin: Any,
    durbin: Sequence[str] | None,
) -> tuple[sp.csr_matrix | None, sp.csr_matrix | None, list[int] | None]:
    """Check and align ``w_error`` / ``w_durbin`` and turn ``durbin`` into column positions.

    A matrix equal to W (after alignment) is returned as None: the model is then the one-matrix
    model, computed by the same arithmetic (the concentrated likelihood is flat to rounding at
    about 1e-8 in λ, so two algebraically equal but differently summed likelihoods would stop
    the optimiser at points that differ at that level).
    """
    for arg, value, allowed, part in (
        ("w_error", w_error, ERROR_MODELS, "spatial error process"),
        ("w_durbin", w_durbin, DURBIN_MODELS, "Durbin terms WX"),
        ("durbin", durbin, DURBIN_MODELS, "Durbin terms WX"),
    ):
        if value is not None and model not in allowed:
            raise EstimationError(
                f"{arg} is given but model {model!r} has no {part}; drop {arg} or use one of "
                f"{sorted(allowed)}"
            )

    def aligned(arg: str, value: Any) -> sp.csr_matrix | None:
        if value is None:
            return None
        try:
            matrix = align_weights(value, entities)
        except WeightsError as err:
            raise WeightsError(f"{arg}: {err}") from err
        return None if (matrix != wmat).nnz == 0 else matrix

    cols = None
    if durbin is not None:
        if isinstance(durbin, str):
            raise EstimationError(
                f"durbin={durbin!r} is a string; pass a list of regressor names, e.g. [{durbin!r}]"
            )
        durbin = list(durbin)
        unknown = [v for v in durbin if v not in x]
        if unknown or not durbin or len(set(durbin)) != len(durbin):
            raise EstimationError(
                f"durbin={durbin} must list distinct regressors of x={x} (at least one); "
                f"not in x: {unknown}"
            )
        cols = [x.index(v) for v in x if v in durbin]
    return aligned("w_error", w_error), aligned("w_durbin", w_durbin), cols


def _direct_correction(
    theta: np.ndarray, cov: np.ndarray, n: int, t: int, entity_fe: bool, time_fe: bool
) -> np.ndarray:
    """Lee & Yu (2010) direct approach for θ = (β, ρ, σ²) of a SAR / SDM (row-standardised W).

    Two-way effects: θ + Σ⁻¹ b / N with b = (0, …, 0, 1/(1−ρ), 1/(2σ²)) and Σ = I(θ)/(NT)
    (``cov`` is I(θ)⁻¹), then σ²·T/(T−1) (Lee & Yu 2010, §4; Elhorst 2014, *Int. Reg. Sci. Rev.*
    37:389-405). Individual effects: σ²·T/(T−1); time effects: σ²·N/(N−1).
    """
    out = theta.copy()
    if entity_fe and time_fe:
        rho, sigma2 = theta[-2], theta[-1]
        b = np.zeros(len(theta))
        b[-2], b[-1] = 1.0 / (1.0 - rho), 1.0 / (2.0 * sigma2)
        out = theta + (n * t) * cov @ b / n
        out[-1] *= t / (t - 1)
    elif entity_fe:
        out[-1] *= t / (t - 1)
    else:
        out[-1] *= n / (n - 1)
    return out


def _design(
    y: np.ndarray,
    x: np.ndarray,
    names: list[str],
    wmat: sp.csr_matrix,
    model: str,
    effects: str,
    splm_time: bool = False,
    *,
    w_error: sp.csr_matrix | None = None,
    w_durbin: sp.csr_matrix | None = None,
    durbin: Sequence[int] | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Stack Z = [y, Wy, W²y, X, WX] (only the blocks the model needs) as an (N, T, p) array.

    X gains the Durbin terms W_d X_d (named ``W_<x>``; W_d = ``w_durbin`` or W, X_d the columns
    ``durbin``, default all) for SDM / SDEM / SLX and a constant for random / pooled effects;
    returns Z and the names of X's columns. With a separate error matrix M = ``w_error`` the
    blocks are [y, Wy, My, MWy, X, MX] (Wy only with a spatial lag).

    ``splm_time`` (``convention="splm"`` with time effects): the Durbin terms are lagged from the
    raw X, then y and X = [X, WX] are period-demeaned, and the spatial lags of the outcome (and,
    for error models, of X) are taken of the demeaned data: Q(WX) but W(Qy), as splm (Durbin
    terms passed as regressors) and SDPDmod do. Entity demeaning commutes with W, so it can follow.
    """
    n = y.shape[0]
    has_lag, has_err = model in LAG_MODELS, model in ERROR_MODELS

    def lag(a: np.ndarray, m: sp.csr_matrix = wmat) -> np.ndarray:
        return (m @ a.reshape(n, -1)).reshape(a.shape)

    names = list(names)
    if model in DURBIN_MODELS:
        cols = list(range(len(names))) if durbin is None else list(durbin)
        wd = wmat if w_durbin is None else w_durbin
        x = np.concatenate([x, lag(x[:, :, cols], wd)], axis=2)
        names += [f"W_{names[j]}" for j in cols]
    if effects in ("random", "pooled"):
        x = np.concatenate([np.ones((*x.shape[:2], 1)), x], axis=2)
        names = ["const", *names]
    if splm_time:
        y = demean_cube(y, entity=False, time=True)
        x = demean_cube(x, entity=False, time=True)
    blocks = [y[:, :, None]]
    if w_error is None or not has_err:
        if has_lag or has_err:
            blocks.append(lag(blocks[0]))
        if has_lag and has_err:
            blocks.append(lag(blocks[1]))
    else:
        if has_lag:
            blocks.append(lag(blocks[0]))
        blocks.append(lag(blocks[0], w_error))
        if has_lag:
            blocks.append(lag(blocks[1], w_error))
    blocks.append(x)
    if has_err:
        blocks.append(lag(x, wmat if w_error is None else w_error))
    # C order whatever the input's layout: means and cross-products (so the estimates) are then
    # the same to the last bit for the same numbers
    return np.ascontiguousarray(np.concatenate(blocks, axis=2)), names


def _optimise(
    prof: _Profile,
    bounds: tuple[float, float],
    maxiter: int,
    has_lag: bool,
    has_err: bool,
    bounds_error: tuple[float, float] | None = None,
) -> tuple[float, float]:
    """Maximise the concentrated likelihood over ρ and/or λ (λ within ``bounds_error``)."""
    if not has_lag and not has_err:
        return 0.0, 0.0
    lam_bounds = bounds if bounds_error is None else bounds_error
    if has_lag != has_err:

        def objective(r: float) -> float:
            return -(prof.loglik(r, 0.0) if has_lag else prof.loglik(0.0, r))

        res = opt.minimize_scalar(
            objective,
            bounds=bounds if has_lag else lam_bounds,
            method="bounded",
            options={"xatol": RHO_XATOL, "maxiter": maxiter},
        )
        if not res.success:
            raise ConvergenceError(
                f"the search for {'rho' if has_lag else 'lambda'} stopped after {res.nfev} "
                f"evaluations without converging ({res.message}); raise maxiter (now {maxiter})"
            )
        value = float(res.x)
        return (value, 0.0) if has_lag else (0.0, value)
    # coarse grid start (log-determinants computed once per grid value), then Nelder-Mead
    grid = np.linspace(bounds[0], bounds[1], 9)[1:-1]
    grid_l = np.linspace(lam_bounds[0], lam_bounds[1], 9)[1:-1]
    jac = {float(g): prof.jacobian(float(g)) for g in grid}
    jac_l = {float(g): prof.jacobian_error(float(g)) for g in grid_l}
    start = max(
        ((a, b) for a in jac for b in jac_l),
        key=lambda ab: prof.loglik(*ab, jac[ab[0]] + jac_l[ab[1]]),
    )
    res = opt.minimize(
        lambda v: -prof.loglik(v[0], v[1]),
        np.array(start),
        method="Nelder-Mead",
        bounds=[bounds, lam_bounds],
        options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": maxiter},
    )
    if not res.success:
        raise ConvergenceError(
            f"the search for (rho, lambda) stopped without converging ({res.message}); raise "
            f"maxiter (now {maxiter}) or check the model"
        )
    return float(res.x[0]), float(res.x[1])
