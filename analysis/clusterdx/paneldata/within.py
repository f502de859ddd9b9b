r"""The within transformation and least squares on the demeaned design (the linear panel core).

This is the only within transformation of the package: the linear panel models
(:mod:`clusterdx.panel`), the spatial panel models and diagnostics (:mod:`clusterdx.spatial`)
and the resampling loops (bootstrap, placebo, threshold) all demean through it, so the same
effects are removed by the same arithmetic everywhere.

Fixed effects are projected out of every column of :math:`[X, y]` (Frisch-Waugh-Lovell), the
coefficients come from the Gram matrix of the demeaned design, and every covariance is built
from the demeaned regressors and residuals:

* one effect: :math:`\ddot x_{it} = x_{it} - \bar x_{g(it)}`;
* two effects on a complete (balanced) grid: :math:`\ddot x = x - \bar x_{i\cdot} - \bar x_{\cdot
  t} + \bar x`; on a balanced panel held as an array of shape :math:`(N, T, \dots)` (the cube of
  :meth:`clusterdx.paneldata.PanelFrame.cube`) this is two array means, :func:`demean_cube`
  (entity means over the period axis, then period means over the entity axis);
* two effects otherwise, directly: with :math:`D` the dummies of the larger and :math:`F` of the
  smaller dimension, :math:`M_{[D,F]}x = M_Dx - M_DF\,(F'M_DF)^{+}F'M_Dx`, where
  :math:`F'M_DF = \mathrm{diag}(F'1) - C\,\mathrm{diag}(D'1)^{-1}C'` and :math:`C = F'D` is the
  table of counts (a dense solve of the smaller dimension only);
* three or more effects (or two large ones): the method of alternating projections (Guimarães &
  Portugal 2010, *Stata J.* 10, 628-649; Gaure 2013, *Comput. Stat. Data Anal.* 66, 8-18),
  iterated until no group mean exceeds ``tol`` times the column's scale.

Why ours: linearmodels' ``PanelOLS`` demeans through pandas group-bys and projects two-way effects
on dummies, and our checks repeated the demeaning; with ``numpy.bincount`` passes and one Gram
matrix the two-way fixed-effects fit with clustered errors takes 0.27× pyfixest's time and 0.04×
linearmodels' on a million rows (``benchmarks/bench_panel.py``), with the same numbers
(linearmodels stays the reference in ``tests/panel``). The covariance conventions and small-sample
factors are linearmodels' (see :func:`covariance`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from clusterdx.errors import ConvergenceError, EstimationError

_DIRECT_MAX = 5_000  # largest dense solve of the direct two-way demeaning


def compact_codes(codes: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer group codes ``0..G-1`` without unused values, and G."""
    codes = np.asarray(codes)
    if codes.size == 0:
        return codes.astype(np.intp), 0
    counts = np.bincount(codes)
    if counts.all():
        return codes.astype(np.intp, copy=False), counts.size
    uniques, inverse = np.unique(codes, return_inverse=True)
    return inverse.astype(np.intp), uniques.size


def group_means(rows: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Means of every row of ``rows`` (m × n, a variable per row) within the groups, (m × G)."""
    counts = np.maximum(np.bincount(codes, minlength=n_groups), 1).astype(float)
    return _sums(rows, codes, n_groups) / counts


def demean(
    values: np.ndarray, codes: Sequence[np.ndarray], *, tol: float = 1e-13, maxiter: int = 100_000
) -> np.ndarray:
    r"""Project the fixed effects ``codes`` out of the columns of ``values``.

    Parameters
    ----------
    values : ndarray, shape (n,) or (n, m)
    codes : sequence of int arrays of length n
        One array of group codes per fixed-effect dimension (none: ``values`` is returned as is).
    tol, maxiter
        Stopping rule of the alternating projections (three or more dimensions, or two large
        ones): stop when no subtracted group mean exceeds ``tol`` times the column's scale.

    Returns
    -------
    ndarray
        :math:`M_{[D_1,\dots,D_K]}\,values`, same shape as ``values``.

    Examples
    --------
    Unbalanced two-way demeaning equals the residuals of a regression on both sets of dummies:

    >>> rng = np.random.default_rng(0)
    >>> i, t = rng.integers(0, 6, 40), rng.integers(0, 4, 40)
    >>> x = rng.normal(size=40)
    >>> dummies = np.column_stack([np.eye(6)[i], np.eye(4)[t]])
    >>> lsdv = x - dummies @ np.linalg.lstsq(dummies, x, rcond=None)[0]
    >>> bool(np.allclose(demean(x, [i, t]), lsdv, atol=1e-12))
    True
    """
    array = np.asarray(values, dtype=float)
    rows = np.ascontiguousarray(array.reshape(len(array), -1).T)
    out = demean_rows(rows, codes, tol=tol, maxiter=maxiter)
    return out[0] if array.ndim == 1 else out.T


def demean_cube(values: np.ndarray, *, entity: bool, time: bool) -> np.ndarray:
    r"""Demean a balanced panel array by entity and/or by period (the complete-grid fast path).

    Parameters
    ----------
    values : ndarray, shape (N, T, ...) or (N, ...)
        Entity i in row i, period t in column t, any trailing axes (variables, probes). With
        ``entity=False`` the array may have one axis or more: axis 0 (the entities) is averaged.
    entity : bool
        Subtract the entity means :math:`\bar a_{i\cdot}` (the mean over axis 1).
    time : bool
        Subtract the period means :math:`\bar a_{\cdot t}` (the mean over axis 0), after the
        entity means when both are asked for: :math:`a - \bar a_{i\cdot} - \bar a_{\cdot t} +
        \bar a`, the two-way within transformation of a complete grid.

    Returns
    -------
    ndarray
        A new array of the shape of ``values`` (``values`` itself when neither is asked for).

    Examples
    --------
    On a complete grid it equals the general :func:`demean` (the regression on both sets of
    dummies):

    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=(5, 4, 2))
    >>> i, t = np.repeat(np.arange(5), 4), np.tile(np.arange(4), 5)
    >>> long = demean(a.reshape(20, 2), [i, t]).reshape(5, 4, 2)
    >>> bool(np.allclose(demean_cube(a, entity=True, time=True), long, atol=1e-12))
    True
    """
    out = values
    if entity:
        out = out - out.mean(axis=1, keepdims=True)
    if time:
        out = out - out.mean(axis=0, keepdims=True)
    return out


def demean_rows(
    rows: np.ndarray,
    codes: Sequence[np.ndarray],
    *,
    tol: float = 1e-13,
    maxiter: int = 100_000,
    copy: bool = True,
) -> np.ndarray:
    """:func:`demean` of ``rows`` (m × n, one variable per row, C order: the fast layout).

    ``copy=False`` demeans a C-ordered float array in place (no second m × n array).
    """
    dims = [compact_codes(c) for c in codes]
    out = np.array(rows, dtype=float, order="C", copy=copy or None)
    if not dims:
        return out
    if len(dims) == 1:
        ((c, g),) = dims
        _subtract(out, group_means(out, c, g), c)
        return out
    if len(dims) == 2 and dims[0][1] * dims[1][1] == rows.shape[1]:
        (c0, g0), (c1, g1) = dims
        second = group_means(out, c1, g1) - out.mean(axis=1, keepdims=True)
        _subtract(out, group_means(out, c0, g0), c0)
        _subtract(out, second, c1)
        return out
    if len(dims) == 2 and min(dims[0][1], dims[1][1]) <= _DIRECT_MAX:
        return _demean_two_way(out, *dims)
    return _alternating_projections(out, dims, tol, maxiter)


def _subtract(out: np.ndarray, table: np.ndarray, codes: np.ndarray) -> None:
    """``out[j] -= table[j][codes]`` row by row through one scratch row (no m × n temporary)."""
    scratch = np.empty(out.shape[1])
    for j in range(out.shape[0]):
        np.take(table[j], codes, out=scratch)
        out[j] -= scratch


def _demean_two_way(
    out: np.ndarray, first: tuple[np.ndarray, int], second: tuple[np.ndarray, int]
) -> np.ndarray:
    """Exact two-way demeaning in place, the dense solve in the smaller dimension (module notes)."""
    (cd, gd), (cf, gf) = sorted([first, second], key=lambda dim: -dim[1])
    counts_d = np.bincount(cd, minlength=gd).astype(float)
    counts_f = np.bincount(cf, minlength=gf).astype(float)
    if gf * gd <= 20_000_000:
        table = np.bincount(cf * gd + cd, minlength=gf * gd).reshape(gf, gd).astype(float)
        shared = (table / counts_d) @ table.T
    else:
        table = sparse.csr_matrix((np.ones(len(cd)), (cf, cd)), shape=(gf, gd))
        shared = (table @ sparse.diags(1.0 / counts_d) @ table.T).toarray()
    gram = np.diag(counts_f) - shared
    _subtract(out, group_means(out, cd, gd), cd)  # M_D x
    rhs = _sums(out, cf, gf)  # F'M_D x, m × gf
    # F'M_D F is singular (one null vector per connected component): pseudo-inverse by eigh
    values, vectors = np.linalg.eigh(gram)
    keep = values > values.max() * gf * np.finfo(float).eps * 100
    effects = ((rhs @ vectors[:, keep]) / values[keep]) @ vectors[:, keep].T  # m × gf
    # M_D F b = F b - (entity means of F b); the entity means of F b are C' b / counts_d
    entity_means = np.asarray(table.T @ effects.T).T / counts_d
    _subtract(out, effects, cf)
    _subtract(out, -entity_means, cd)
    return out


def _alternating_projections(
    out: np.ndarray, dims: list[tuple[np.ndarray, int]], tol: float, maxiter: int
) -> np.ndarray:
    """Subtract the group means of each dimension in turn until they vanish (Gaure 2013)."""
    scale = np.maximum(np.abs(out).max(axis=1, initial=0.0), 1e-300)[:, None]
    for _ in range(maxiter):
        largest = 0.0
        for codes, n_groups in dims:
            means = group_means(out, codes, n_groups)
            _subtract(out, means, codes)
            largest = max(largest, float((np.abs(means) / scale).max(initial=0.0)))
        if largest <= tol:
            return out
    raise ConvergenceError(
        f"the alternating projections did not converge in {maxiter} sweeps (largest group mean "
        f"{largest:.2e} of the column scale); check the fixed effects for nearly disconnected "
        "groups."
    )


@dataclass(frozen=True, repr=False)
class WithinFit:
    """Least squares on the demeaned design, with the pieces every covariance needs.

    Attributes
    ----------
    params : ndarray, shape (k,)
    resid : ndarray, shape (n,)
        Residuals of the demeaned regression (the fit's idiosyncratic errors).
    xtx_inv : ndarray, shape (k, k)
        :math:`(\\ddot X'\\ddot X)^{-1}`.
    resid_ss, total_ss : float
        :math:`\\ddot e'\\ddot e` and :math:`\\ddot y'\\ddot y` (centred when ``centred``).
    nobs : int
    n_effects : int
        Absorbed effect parameters d (linearmodels' count).
    """

    params: np.ndarray
    resid: np.ndarray
    xtx_inv: np.ndarray
    resid_ss: float
    total_ss: float
    nobs: int
    n_effects: int

    @property
    def df_resid(self) -> int:
        """n − k − d."""
        return self.nobs - self.params.size - self.n_effects

    def unadjusted_cov(self) -> np.ndarray:
        """:math:`s^2(\\ddot X'\\ddot X)^{-1}`, :math:`s^2 = SSR/(n-k-d)`."""
        return _symmetric(self.resid_ss / _positive_df(self.df_resid) * self.xtx_inv)


def least_squares(x: np.ndarray, y: np.ndarray, n_effects: int = 0) -> WithinFit:
    """OLS of demeaned ``y`` (n,) on demeaned ``x`` (k × n, a regressor per row) by its Gram matrix.

    The normal equations are solved on the unit-diagonal (correlation) scale; one step of
    iterative refinement with the residuals recomputed from the data brings the coefficients to
    the accuracy of a QR least-squares solve for well-conditioned designs.
    """
    gram = x @ x.T
    norms = np.sqrt(np.diag(gram))
    norms[norms == 0] = 1.0
    xtx_inv = np.linalg.inv(gram / np.outer(norms, norms)) / np.outer(norms, norms)
    params = xtx_inv @ (x @ y)
    resid = y - params @ x
    step = xtx_inv @ (x @ resid)
    params = params + step
    resid -= step @ x
    return WithinFit(
        params=params,
        resid=resid,
        xtx_inv=xtx_inv,
        resid_ss=float(resid @ resid),
        total_ss=float(y @ y),
        nobs=len(y),
        n_effects=n_effects,
    )


def full_rank(x: np.ndarray, scale: np.ndarray) -> bool:
    """Whether the demeaned design ``x`` (k × n) is clearly of full rank, judged on its Gram matrix.

    ``True`` when every regressor keeps a root mean square above 1e-8 of its raw scale (``scale``:
    max(1, max |x_j|) before demeaning) and the unit-diagonal Gram matrix has eigenvalues within 1e8 of each
    other (singular values within 1e4), far from the SVD tolerance of
    :func:`clusterdx.panel._checks.check_rank`; ``False`` means "look closer" with that check.
    """
    if x.shape[0] == 0:
        return True
    gram = x @ x.T
    diag = np.diag(gram)
    if not (np.sqrt(diag / x.shape[1]) > 1e-8 * scale).all():
        return False
    eig = np.linalg.eigvalsh(gram / np.sqrt(np.outer(diag, diag)))
    return bool(eig.min() > 1e-8 * eig.max())


def covariance(
    fit: WithinFit,
    x: np.ndarray,
    kind: str,
    *,
    clusters: Sequence[np.ndarray] = (),
    group_debias: bool = True,
    extra_df: int = 0,
    time_codes: np.ndarray | None = None,
    bandwidth: float = 0.0,
) -> np.ndarray:
    r"""Covariance of ``fit.params`` with linearmodels' conventions (``debiased=True``).

    ``x`` is the demeaned design of ``fit`` (k × n). With :math:`A = (\ddot X'\ddot X)^{-1}`,
    scores :math:`s_{it} = \ddot x_{it}\ddot e_{it}` and :math:`n_e = n - k -` ``extra_df``:

    * ``"unadjusted"``: :math:`A\,\ddot e'\ddot e/n_e`;
    * ``"robust"``: :math:`A\,(\sum s s')\,A\;n/n_e` (White 1980, HC1);
    * ``"cluster"``: :math:`A\,(\sum_g S_gS_g')\,A\;n/n_e`, :math:`S_g` the score sums of cluster
      g (Liang & Zeger 1986), times :math:`rac{G}{G-1}rac{n-1}{n}` when ``group_debias``
      (CRV1); with two cluster variables the Cameron, Gelbach & Miller (2011) sum
      :math:`V_1 + V_2 - V_{12}`, each term with its own G;
    * ``"driscoll-kraay"``: :math:`A\,(\Gamma_0 + \sum_{l=1}^{L} (1-rac{l}{L+1})(\Gamma_l +
      \Gamma_l'))\,A\;n/n_e` from the period sums :math:`h_t` of the scores,
      :math:`\Gamma_l = \sum_t h_t h_{t-l}'`, :math:`L` = ``int(bandwidth)`` (Driscoll & Kraay
      1998, Bartlett kernel).
    """
    k, n = x.shape
    n_eff = _positive_df(n - k - extra_df)
    if kind == "unadjusted":
        return _symmetric(fit.resid_ss / n_eff * fit.xtx_inv)
    scores = x * fit.resid
    if kind == "robust":
        meat = scores @ scores.T
    elif kind == "cluster":
        meat = _cluster_meat(scores, clusters, group_debias)
    elif kind == "driscoll-kraay":
        sums = _sums(scores, *compact_codes(time_codes))  # k × T, periods in time order
        meat = sums @ sums.T
        lags = int(bandwidth)
        for lag in range(1, lags + 1):
            gamma = sums[:, lag:] @ sums[:, :-lag].T
            meat += (1 - lag / (lags + 1)) * (gamma + gamma.T)
    else:
        raise EstimationError(f"unknown covariance {kind!r}")
    return _symmetric(fit.xtx_inv @ meat @ fit.xtx_inv * (n / n_eff))


def _cluster_meat(scores: np.ndarray, clusters: Sequence[np.ndarray], debias: bool) -> np.ndarray:
    """Sum of outer products of cluster score sums (one or two cluster variables)."""
    n = scores.shape[1]

    def one(codes: np.ndarray) -> np.ndarray:
        codes, n_groups = compact_codes(codes)
        if n_groups < 2:
            raise EstimationError(
                "a clustered covariance needs at least two clusters, but the cluster variable "
                "has one group; cluster on a finer variable or use cov='robust'."
            )
        sums = _sums(scores, codes, n_groups)
        factor = n_groups / (n_groups - 1) * (n - 1) / n if debias else 1.0
        return factor * (sums @ sums.T)

    if len(clusters) == 1:
        return one(clusters[0])
    first, second = (compact_codes(c) for c in clusters)
    both = first[0].astype(np.int64) * second[1] + second[0]
    return one(first[0]) + one(second[0]) - one(both)


def _sums(rows: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Sums of every row of ``rows`` (m × n) within the groups, shape (m, G)."""
    out = np.empty((rows.shape[0], n_groups))
    for j, row in enumerate(rows):
        out[j] = np.bincount(codes, weights=row, minlength=n_groups)
    return out


def nested(effect: np.ndarray, cluster: np.ndarray) -> bool:
    """Whether every group of ``effect`` lies inside one group of ``cluster``."""
    effect, n_groups = compact_codes(effect)
    first = np.empty(n_groups, dtype=np.asarray(cluster).dtype)
    first[effect] = cluster
    return bool((first[effect] == cluster).all())


def r_squared(resid_ss: float, total_ss: float, y_ss: float, nobs: int) -> float:
    """:math:`1 - SSR/TSS`, NaN when TSS is zero up to rounding (linearmodels' rule)."""
    if total_ss <= (max(nobs, 100) * np.finfo(float).eps) ** 2 * y_ss:
        return float("nan")
    return float(1 - resid_ss / total_ss)


def codes_of(index: pd.MultiIndex, level: int) -> np.ndarray:
    """Integer codes of one level of a (entity, time) index (period codes in time order)."""
    return compact_codes(np.asarray(index.codes[level]))[0]


def _positive_df(df: int) -> int:
    if df <= 0:
        raise EstimationError(
            f"the model has no residual degrees of freedom (n − k − d = {df}); use fewer "
            "regressors or effects, or more observations."
        )
    return df


def _symmetric(matrix: np.ndarray) -> np.ndarray:
    return (matrix + matrix.T) / 2
