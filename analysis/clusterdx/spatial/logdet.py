"""Log-determinant ln|I − ρW| of a spatial filter, the admissible range of ρ, and traces of powers of W.

Every spatial likelihood carries the Jacobian term ln|I − ρW| (Ord 1975, *JASA* 70:120-126). It is
evaluated here by one of four methods:

``"eigen"``
    Exact: ln|I − ρW| = Σ ln|1 − ρω_i| over the eigenvalues ω_i of W, computed once (Ord 1975).
    When W is similar to a symmetric matrix (a symmetric W, or a row-standardised symmetric binary
    W: D^{1/2} W D^{-1/2} is symmetric with D the neighbour counts) the real eigenvalues come from
    the symmetric problem; otherwise from the general (complex) one. O(N³) once, then O(N) per ρ.
``"lu"``
    Exact, by a sparse factorisation (LeSage & Pace 2009, *Introduction to Spatial Econometrics*,
    CRC, §4.1); its cost per ρ grows with the fill-in, not with N². When W is similar to a
    symmetric matrix S = D^{1/2} W D^{-1/2} (`symmetrizer`), ln|I − ρW| = ln|I − ρS|, and I − ρS
    is symmetric positive definite on the admissible interval (its eigenvalues 1 − ρω are
    positive there): its LDL' factorisation by QDLDL (Stellato et al. 2020, *Mathematical
    Programming Computation* 12:637-672; the ``qdldl`` package of OSQP) gives Σ ln d_ii, with the
    fill-reducing ordering and the symbolic analysis done once and only the numeric factorisation
    repeated for each ρ (three times faster than a fresh LU at N = 2,809). Any other W: sparse LU of
    I − ρW (SuperLU through ``scipy.sparse.linalg.splu``), ln|I − ρW| = Σ ln|u_ii| because L has a
    unit diagonal. Solves with I − ρW (`LogDet.factor`) always use SuperLU.
``"chebyshev"``
    Approximate (Pace & LeSage 2004, *Computational Statistics & Data Analysis* 45:179-196):
    ln(1 − ρx) is interpolated on [−1, 1] by a Chebyshev polynomial of degree q, so
    ln|I − ρW| ≈ Σ_j c_j(ρ) tr T_j(W) − c_0 N / 2. The traces tr T_j(W) are exact for j ≤ 2 and
    estimated for j > 2 by Hutchinson's estimator with seeded Rademacher probes. Needs the
    eigenvalues of W real in [−1, 1] (row-standardised W similar to a symmetric matrix).
``"barry-pace"``
    Approximate (Barry & Pace 1999, *Linear Algebra and its Applications* 289:41-54):
    ln|I − ρW| = −Σ_{j≥1} ρ^j tr(W^j) / j, truncated at order q, with the traces tr(W^j) estimated
    from the same probes.

``"auto"`` picks ``"eigen"`` for N ≤ 1,000, ``"lu"`` up to N = 50,000 and ``"chebyshev"`` above
(``"barry-pace"`` where W is not a row-standardised matrix similar to a symmetric one).

Why hand-written: spreg and libpysal have no reusable log-determinant for a panel likelihood that is
evaluated many times (spreg's panel estimators rebuild dense N × N matrices per step); the sparse
factorisations themselves are SuperLU's and QDLDL's.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from threadpoolctl import threadpool_limits

from clusterdx.errors import EstimationError, OptionError, WeightsError
from clusterdx.options.spatial import LOGDET_METHODS, LogdetMethod

EIGEN_MAX_N = 1_000
#: How close to −1 a search on the provisional (−1, 1) may end before it goes on to 1/ω_min.
_PROVISIONAL_EDGE = 1e-3
LU_MAX_N = 50_000
#: How many of the latest LU factorisations a `LogDet` keeps (`LogDet.factor`): a Brent search's
#: best point, where the information matrix is then evaluated, is among its last few evaluations
_RECENT_FACTORS = 3
_SYMMETRY_TOL = 1e-10


def symmetrizer(w: sp.csr_matrix) -> np.ndarray | None:
    """Return ``d`` with ``diag(d) W`` symmetric (so W is similar to a symmetric matrix), else None.

    Recognises a symmetric W (``d = 1``) and a row-standardised W built from a symmetric binary
    matrix (``d_i`` = number of neighbours of ``i``).
    """
    diff = w - w.T
    scale = max(abs(w).max(), 1.0)
    if diff.nnz == 0 or abs(diff).max() <= _SYMMETRY_TOL * scale:
        return np.ones(w.shape[0])
    coo = w.tocoo()
    row_max = np.asarray(abs(w).max(axis=1).todense()).ravel()
    if np.any(row_max == 0) or not np.allclose(coo.data, row_max[coo.row], rtol=1e-10, atol=0):
        return None
    d = 1.0 / row_max
    c = sp.diags(d) @ w
    diff = c - c.T
    if diff.nnz == 0 or abs(diff).max() <= _SYMMETRY_TOL * abs(c).max():
        return d
    return None


def symmetric_form(w: sp.csr_matrix, d: np.ndarray) -> sp.csr_matrix:
    """S = D^{1/2} W D^{-1/2} for ``d`` from `symmetrizer`, symmetrised against rounding: it has
    W's eigenvalues and ln|I − ρS| = ln|I − ρW|."""
    root = np.sqrt(d)
    s = sp.diags(root) @ w @ sp.diags(1.0 / root)
    return sp.csr_matrix((s + s.T) / 2)


def filter_factor(w: sp.csr_matrix, rho: float) -> spla.SuperLU:
    """Sparse LU factorisation of ``I − ρW`` (solve with ``.solve``)."""
    a = sp.identity(w.shape[0], format="csc") - rho * w.tocsc()
    return spla.splu(sp.csc_matrix(a), permc_spec="MMD_AT_PLUS_A")


class _SymmetricFactor:
    """ln|I − ρS| for a fixed symmetric S by LDL' (QDLDL), refactorising numerically per ρ.

    The matrices I − ρS share one sparsity pattern (that of I + S), so QDLDL's ordering and
    symbolic analysis from the first call are reused by ``update`` for every later ρ. Only the
    upper triangle is handed over (``upper=True``: QDLDL reads no more), so no triangle is cut
    out per ρ.
    """

    def __init__(self, s: sp.csr_matrix) -> None:
        n = s.shape[0]
        pattern = sp.triu(sp.identity(n, format="csc") + abs(s), format="csc")
        pattern.sort_indices()
        self._n, self._indices, self._indptr = n, pattern.indices, pattern.indptr
        rows = pattern.indices
        cols = np.repeat(np.arange(n), np.diff(pattern.indptr))
        self._identity = (rows == cols).astype(float)
        self._s = np.asarray(s[rows, cols]).ravel()
        self._solver = None

    def __call__(self, rho: float) -> float:
        import qdldl

        a = sp.csc_matrix(
            (self._identity - rho * self._s, self._indices, self._indptr), (self._n, self._n)
        )
        if self._solver is None:
            self._solver = qdldl.Solver(a, upper=True)
        else:
            self._solver.update(a, upper=True)
        return float(np.sum(np.log(np.abs(self._solver.factors()[1]))))


def _is_row_stochastic(w: sp.csr_matrix) -> bool:
    sums = np.asarray(w.sum(axis=1)).ravel()
    return bool(w.data.min() >= 0 and np.allclose(sums, 1.0, rtol=0, atol=1e-10))


def _dense_extremes(w: sp.csr_matrix) -> tuple[float, float]:
    """Smallest and largest real part of the eigenvalues of a small W (dense, all eigenvalues)."""
    vals = np.linalg.eigvals(w.toarray()).real
    return float(vals.min()), float(vals.max())


# ARPACK's Lanczos / Arnoldi steps are level-1/2 BLAS on N-vectors: BLAS threads only contend there
# (4x slower on a shared 2-core machine at N = 90,000)
@threadpool_limits.wrap(limits=1, user_api="blas")
def _arpack_extreme(w: sp.csr_matrix, d: np.ndarray | None, which: str) -> float:
    """The smallest (``which="S"``) or largest (``"L"``) real eigenvalue of a large sparse W.

    A W similar to a symmetric matrix (``d`` from `symmetrizer`) is solved as the symmetric
    S = D^{1/2} W D^{-1/2} (Lanczos, real spectrum); any other W by Arnoldi on W itself.
    """
    n = w.shape[0]
    # A loose ARPACK tolerance: the extreme Ritz value converges far faster than its eigenvector
    # (about 1e-6 accuracy here); the bounds only delimit the search for rho.
    # A fixed start vector keeps the result reproducible (ARPACK would draw a random one).
    start = np.random.default_rng(0).standard_normal(n)
    opts = {"k": 1, "tol": 1e-4, "ncv": min(40, n - 1), "v0": start, "return_eigenvectors": False}
    try:
        if d is not None:
            return float(spla.eigsh(symmetric_form(w, d), which=f"{which}A", **opts)[0])
        return float(spla.eigs(w, which=f"{which}R", **opts)[0].real)
    except (spla.ArpackNoConvergence, RuntimeError):
        warnings.warn(
            "ARPACK did not find the extreme eigenvalues of W; using the interval (-1, 1) for the "
            "spatial parameter (exact for a row-standardised W's upper end)",
            RuntimeWarning,
            stacklevel=3,
        )
        return -1.0 if which == "S" else 1.0


def _extreme_eigenvalues(w: sp.csr_matrix, d: np.ndarray | None) -> tuple[float, float]:
    """Smallest and largest real eigenvalue of a sparse W (dense for N ≤ ``EIGEN_MAX_N``, else
    ARPACK; the largest is 1 without computation when W is row-standardised)."""
    if w.shape[0] <= EIGEN_MAX_N:
        return _dense_extremes(w)
    high = 1.0 if _is_row_stochastic(w) else _arpack_extreme(w, d, "L")
    return _arpack_extreme(w, d, "S"), high


def _bounds_from(low: float, high: float) -> tuple[float, float]:
    if high <= 0:
        raise WeightsError(
            f"W has no positive real eigenvalue (largest {high:.3g}); a spatial weights matrix "
            "needs non-negative weights with at least one neighbour per entity"
        )
    lower = 1.0 / low if low < 0 else -1.0 / high
    return lower, 1.0 / high


class LogDet:
    """ln|I − ρW| for one weights matrix, with the quantities the estimators reuse.

    Parameters
    ----------
    w
        ``N × N`` sparse weights matrix (already aligned to the data).
    method
        One of ``"auto"``, ``"eigen"``, ``"lu"``, ``"chebyshev"``, ``"barry-pace"`` (module
        docstring).
    seed
        Seed of the Rademacher probes used by the stochastic trace estimates.
    probes
        Number of probe vectors for the stochastic trace estimates.
    order
        Polynomial order q of the ``"chebyshev"`` / ``"barry-pace"`` approximations.

    Attributes
    ----------
    method : str
        The resolved method.
    bounds : tuple[float, float]
        Open interval (1/ω_min, 1/ω_max) of ρ for which I − ρW is non-singular; computed on
        first use (`extremes`), so a fit that needs only `search_interval` or `radius` of a
        row-standardised W under ``"chebyshev"`` computes no eigenvalue.

    Examples
    --------
    >>> import libpysal
    >>> import numpy as np
    >>> from clusterdx.spatial import LogDet
    >>> w = libpysal.weights.lat2W(5, 5); w.transform = "r"
    >>> exact = LogDet(w.sparse)
    >>> exact.method, [round(b, 4) for b in exact.bounds]
    ('eigen', [-1.0, 1.0])
    >>> round(exact(0.5), 6)
    -1.087426
    >>> round(float(np.linalg.slogdet(np.eye(25) - 0.5 * w.full()[0])[1]), 6)
    -1.087426
    >>> approx = LogDet(w.sparse, "chebyshev", seed=0)
    >>> approx.method, abs(approx(0.5) - exact(0.5)) < 0.01
    ('chebyshev', True)
    """

    def __init__(
        self,
        w: sp.csr_matrix,
        method: LogdetMethod = "auto",
        *,
        seed: int = 0,
        probes: int = 100,
        order: int | None = None,
    ) -> None:
        if method not in LOGDET_METHODS:
            raise OptionError(f"logdet={method!r} is not one of {list(LOGDET_METHODS)}")
        self.w = sp.csr_matrix(w, dtype=float)
        self.n = self.w.shape[0]
        self._d = symmetrizer(self.w)
        self._row_stochastic = _is_row_stochastic(self.w)
        chebyshev_ok = self._d is not None and self._row_stochastic
        if method == "auto":
            if self.n <= EIGEN_MAX_N:
                method = "eigen"
            elif self.n <= LU_MAX_N:
                method = "lu"
            else:
                method = "chebyshev" if chebyshev_ok else "barry-pace"
        self.method: str = method
        self.seed = seed
        self.probes = probes
        self.order = order if order is not None else (30 if method == "chebyshev" else 100)
        if self.order < 3:
            raise OptionError(f"order={self.order} is too small; use 3 or more")
        self._probe_powers: np.ndarray | None = None
        self._cheb_traces: np.ndarray | None = None
        self.eigenvalues: np.ndarray | None = None
        self._extremes: tuple[float, float] | None = None
        self._recent: OrderedDict[float, spla.SuperLU] = OrderedDict()
        self._ldl: _SymmetricFactor | None = None
        if method == "eigen":
            self.eigenvalues = self._eigenvalues()
            vals = self.eigenvalues
            real = vals.real if not np.iscomplexobj(vals) else vals[np.abs(vals.imag) < 1e-10].real
            self._extremes = (float(real.min()), float(real.max()))
            _bounds_from(*self._extremes)  # a W without positive eigenvalue fails here
        elif method == "chebyshev" and not chebyshev_ok:
            raise WeightsError(
                "logdet='chebyshev' needs a row-standardised W similar to a symmetric matrix "
                "(eigenvalues real in [-1, 1]); use logdet='lu' or 'barry-pace'"
            )

    @property
    def extremes(self) -> tuple[float, float]:
        """Smallest and largest real eigenvalue of W, computed on first use.

        From the eigenvalues with ``"eigen"``; otherwise dense up to N = 1,000 and ARPACK above,
        where a row-standardised W's largest eigenvalue is 1 without computation
        (Perron-Frobenius: a non-negative matrix with unit row sums has spectral radius 1).
        """
        if self._extremes is None:
            self._extremes = _extreme_eigenvalues(self.w, self._d)
        return self._extremes

    @property
    def bounds(self) -> tuple[float, float]:
        """Open interval (1/ω_min, 1/ω_max) of ρ for which I − ρW is non-singular."""
        return _bounds_from(*self.extremes)

    @property
    def upper(self) -> float:
        """1/ω_max, the upper end of `bounds` (1 for a row-standardised W, without computation)."""
        if self._row_stochastic and self._extremes is None:
            return 1.0
        return self.bounds[1]

    @property
    def radius(self) -> float:
        """Spectral radius of W as the estimators use it: 1 for a row-standardised W (no
        computation), else max(ω_max, −ω_min) of the real extreme eigenvalues."""
        if self._row_stochastic and self.eigenvalues is None:
            return 1.0
        lower, upper = self.bounds
        return max(1.0 / upper, -1.0 / lower)

    @property
    def search_interval(self) -> tuple[float, float]:
        """The interval of ρ the likelihood is searched over: `bounds`, except for
        ``"chebyshev"``, whose expansion of ln(1 − ρω) on ω ∈ [−1, 1] holds for |ρ| < 1 only
        (Pace & LeSage 2004), and for a row-standardised W under ``"lu"`` until `bounds` is
        computed (`lower_is_provisional`): (−1, 1), inside `bounds` because a row-standardised W
        has ω_min ≥ −1, and known without computing any eigenvalue."""
        if self.method == "chebyshev" or self.lower_is_provisional:
            return -1.0, 1.0
        return self.bounds

    @property
    def lower_is_provisional(self) -> bool:
        """Whether `search_interval` starts at −1 only because ω_min is not computed yet.

        True for ``"lu"`` on a row-standardised W before `bounds` is asked for: (−1, 1) lies
        inside the exact (1/ω_min, 1) (ω_min ≥ −1), so a search for ρ starts there without
        ARPACK's smallest eigenvalue (0.07 s at N = 2,809, seconds at N = 90,000), and only a
        search that ends at −1 needs the exact lower end (the estimators then search again on
        `bounds`). spreg's ML estimators (``ML_Lag``, ``Panel_FE_Lag``: ``bounds=(-1.0, 1.0)``)
        search the same interval and stop there.
        """
        return self.method == "lu" and self._row_stochastic and self._extremes is None

    def stopped_at_provisional_lower(self, value: float) -> bool:
        """Whether a search on `search_interval` that ended at ``value`` stopped at the
        provisional −1 (`lower_is_provisional`, within 1e-3), so that it must go on over `bounds`."""
        return self.lower_is_provisional and value + 1.0 < _PROVISIONAL_EDGE

    def _eigenvalues(self) -> np.ndarray:
        if self._d is not None:
            return np.linalg.eigvalsh(symmetric_form(self.w, self._d).toarray())
        vals = np.linalg.eigvals(self.w.toarray())
        if np.max(np.abs(vals.imag)) < 1e-10:
            return np.sort(vals.real)
        return vals

    def __call__(self, rho: float) -> float:
        """ln|I − ρW|."""
        if self.method == "eigen":
            return float(np.sum(np.log(np.abs(1.0 - rho * self.eigenvalues))))
        if self.method == "lu":
            if rho == 0.0:
                return 0.0
            if self._d is not None:
                if self._ldl is None:
                    self._ldl = _SymmetricFactor(symmetric_form(self.w, self._d))
                return self._ldl(rho)
            return float(np.sum(np.log(np.abs(self.factor(rho).U.diagonal()))))
        if self.method == "chebyshev":
            return self._chebyshev(rho)
        powers = np.arange(1, self.order + 1)
        return float(-self.n * np.sum(rho**powers * self.moments(self.order)[1:] / powers))

    def factor(self, rho: float) -> spla.SuperLU:
        """Sparse LU factorisation of I − ρW (`filter_factor`), reused when one of the latest
        ``_RECENT_FACTORS`` evaluations was at this very ρ (the estimators' information matrix at
        ρ̂ then needs no factorisation of its own)."""
        lu = self._recent.get(rho)
        if lu is None:
            lu = filter_factor(self.w, rho)
            self._recent[rho] = lu
            if len(self._recent) > _RECENT_FACTORS:
                self._recent.popitem(last=False)
        return lu

    def _chebyshev(self, rho: float) -> float:
        q = self.order
        traces = self._chebyshev_traces()
        nodes = np.cos(np.pi * (np.arange(q + 1) + 0.5) / (q + 1))
        values = np.log(1.0 - rho * nodes)
        basis = np.cos(np.outer(np.arange(q + 1), np.pi * (np.arange(q + 1) + 0.5) / (q + 1)))
        coef = 2.0 / (q + 1) * basis @ values
        return float(coef @ traces - coef[0] * self.n / 2)

    def _probes(self) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        return rng.choice(np.array([-1.0, 1.0]), size=(self.n, self.probes))

    def _chebyshev_traces(self) -> np.ndarray:
        """tr T_j(W), j = 0..q: exact for j ≤ 2, Hutchinson estimates above."""
        if self._cheb_traces is None:
            q = self.order
            u = self._probes()
            exact = self._exact_traces()
            traces = np.empty(q + 1)
            traces[0] = self.n
            traces[1] = exact[0]
            traces[2] = 2 * exact[1] - self.n
            prev, cur = u, self.w @ u
            for j in range(2, q + 1):
                prev, cur = cur, 2.0 * (self.w @ cur) - prev
                if j > 2:
                    traces[j] = np.sum(u * cur) / self.probes
            self._cheb_traces = traces
        return self._cheb_traces

    def _exact_traces(self) -> tuple[float, float]:
        """tr(W) and tr(W²) exactly from the sparse matrix."""
        return float(self.w.diagonal().sum()), float(self.w.multiply(self.w.T).sum())

    def moments(self, order: int) -> np.ndarray:
        """m_j = tr(W^j)/N for j = 0..order (exact from eigenvalues, else j ≤ 2 exact, rest Hutchinson).

        LeSage & Pace (2009, §4.3) use these moments for the log-determinant series and the impacts.
        """
        if self.eigenvalues is not None:
            powers = self.eigenvalues[None, :] ** np.arange(order + 1)[:, None]
            return np.real(powers.mean(axis=1))
        have = 0 if self._probe_powers is None else len(self._probe_powers) - 1
        if order > have:
            u = self._probes()
            est = np.empty(order + 1)
            if self._probe_powers is not None:
                est[: have + 1] = self._probe_powers
            cur = u
            for _ in range(have):
                cur = self.w @ cur
            for j in range(have + 1, order + 1):
                cur = self.w @ cur
                est[j] = np.sum(u * cur) / (self.probes * self.n)
            est[0] = 1.0
            exact = self._exact_traces()
            est[1] = exact[0] / self.n
            if order >= 2:
                est[2] = exact[1] / self.n
            self._probe_powers = est
        return self._probe_powers[: order + 1]

    def mean_diagonals(self, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean diagonal of (I − ρW)^{-1} and of W(I − ρW)^{-1}, vectorised over ``rho``.

        From the eigenvalues when known (Σ 1/(1 − ρω)/N and Σ ω/(1 − ρω)/N), else from the power
        series Σ_j ρ^j tr(W^{j+1})/N truncated where (|ρ| r)^q < 1e-10, r the spectral radius of W
        (1 when W is row-standardised; LeSage & Pace 2009, §4.3).
        """
        rho = np.asarray(rho, dtype=float)
        if self.eigenvalues is not None:
            denom = 1.0 - rho[..., None] * self.eigenvalues
            a1 = np.real(np.mean(self.eigenvalues / denom, axis=-1))
            return 1.0 + rho * a1, a1
        top = float(np.max(np.abs(rho))) * self.radius if rho.size else 0.0
        if top >= 1.0:
            raise EstimationError(
                f"|rho| times the spectral radius of W is {top:.3f}, not below 1, where the power "
                "series of (I - rho W)^-1 diverges; use logdet='eigen'"
            )
        order = int(min(2_000, max(10, np.ceil(np.log(1e-10) / np.log(max(top, 1e-3))))))
        m = self.moments(order + 1)
        powers = rho[..., None] ** np.arange(order + 1)
        a1 = powers @ m[1:]
        return 1.0 + rho * a1, a1


def logdet(w: sp.spmatrix | np.ndarray, rho: float, method: LogdetMethod = "lu") -> float:
    """ln|I − ρW| of a sparse or dense ``N × N`` matrix by ``method`` (see the module docstring).

    Examples
    --------
    >>> import libpysal
    >>> w = libpysal.weights.lat2W(5, 5); w.transform = "r"
    >>> round(logdet(w.sparse, 0.5, method="lu"), 6) == round(logdet(w.sparse, 0.5, "eigen"), 6)
    True
    """
    return LogDet(sp.csr_matrix(w), method)(rho)


def rho_bounds(w: sp.spmatrix | np.ndarray) -> tuple[float, float]:
    """Interval (1/ω_min, 1/ω_max) of ρ where I − ρW is non-singular (real eigenvalues ω of W).

    Examples
    --------
    A row-standardised W has ω_max = 1, so ρ < 1; ω_min is −1 on a rook lattice (a bipartite
    graph) and above −1 on a queen lattice:

    >>> import libpysal
    >>> from clusterdx.spatial import rho_bounds
    >>> w = libpysal.weights.lat2W(4, 4); w.transform = "r"
    >>> [round(b, 4) for b in rho_bounds(w.sparse)]
    [-1.0, 1.0]
    >>> w = libpysal.weights.lat2W(4, 4, rook=False); w.transform = "r"
    >>> [round(b, 4) for b in rho_bounds(w.sparse)]
    [-2.1682, 1.0]
    """
    matrix = sp.csr_matrix(w, dtype=float)
    return _bounds_from(*_extreme_eigenvalues(matrix, symmetrizer(matrix)))
