r"""Traditional and spatial Markov chains of a panel variable's quantile classes, on PySAL ``giddy``.

A region's value :math:`y_{it}` is put in one of ``k`` classes (pooled quantiles of all
region-years by default, so moving up means absolute progress; ``relative=True`` divides each year
by its cross-sectional mean first). The traditional chain estimates
:math:`\hat p_{ab} = n_{ab}/n_a` from the counts :math:`n_{ab}` of moves from class ``a`` in ``t``
to class ``b`` in ``t+1``, its steady state :math:`\pi = \pi P` and the mean first passage times
(Kemeny & Snell 1976, *Finite Markov Chains*). The spatial Markov chain (Rey 2001, "Spatial
empirics for economic growth and convergence", *Geographical Analysis* 33(3): 195–214) conditions the
transition on the class of the spatial lag :math:`\sum_j w_{ij}y_{jt}` at ``t``: one ``k × k``
matrix per lag class.

Everything is computed by ``giddy.markov.Markov`` and ``giddy.markov.Spatial_Markov``; this
module only turns the long panel into giddy's ``n × T`` array (rows in the order of the weights'
ids) and giddy's arrays into labelled tables. The one exception is the steady state, which giddy
gets from quantecon's numba-compiled GTH solver (seconds of compilation per process): `_steady`
runs quantecon's NumPy version of the same solver.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import libpysal
import numpy as np
import pandas as pd

from clusterdx.disparity import _checks
from clusterdx.errors import DataError, WeightsError


@dataclass(frozen=True)
class MarkovResult:
    """A traditional Markov chain of classes.

    Attributes
    ----------
    counts : k × k transition counts (rows: class at t, columns: class at t+1).
    p : k × k transition probabilities.
    steady_state : k ergodic probabilities (zero on transient classes; NaN when the chain has
        several recurrent classes and so no unique steady state).
    mfpt : k × k mean first passage times (giddy: diagonal = mean recurrence times).
    cutoffs : upper bounds of the classes (the last one is the maximum).
    raw : the giddy object.
    """

    counts: pd.DataFrame
    p: pd.DataFrame
    steady_state: pd.Series
    mfpt: pd.DataFrame
    cutoffs: np.ndarray
    raw: object


@dataclass(frozen=True)
class SpatialMarkovResult:
    """A spatial Markov chain (Rey 2001): one transition matrix per class of the spatial lag.

    Attributes
    ----------
    counts, p : long tables indexed by (lag class, class at t), columns the class at t+1.
    traditional : the unconditional chain (`MarkovResult`).
    steady_states : m × k steady states, one row per lag class (NaN for a lag class in which some
        class was never observed).
    homogeneity : ``Q`` and ``LR`` statistics of the test that all conditional matrices equal the
        unconditional one, with degrees of freedom and p-values (Bickenbach & Bode 2003).
    raw : the ``giddy.markov.Spatial_Markov`` object.
    """

    counts: pd.DataFrame
    p: pd.DataFrame
    traditional: MarkovResult
    steady_states: pd.DataFrame
    homogeneity: pd.Series
    raw: object


def wide(
    frame: pd.DataFrame, var: str, entity: str, time: str, order: list | None = None
) -> pd.DataFrame:
    """``var`` as an entity × period array (rows in ``order``); a gap is a DataError."""
    _checks.columns(frame, [var, entity, time], "markov")
    _checks.finite(frame, var, "markov")
    table = frame.pivot(index=entity, columns=time, values=var)
    if order is not None:
        missing = [i for i in order if i not in table.index]
        if missing:
            raise WeightsError(
                f"markov: weights ids {missing[:5]} have no rows in column '{entity}'"
            )
        table = table.loc[order]
    if table.isna().any().any():
        rows, cols = np.nonzero(table.isna().to_numpy())
        first = [
            (table.index.tolist()[r], table.columns.tolist()[c])
            for r, c in zip(rows[:5], cols[:5], strict=True)
        ]
        raise DataError(
            f"markov: the panel of '{var}' is unbalanced; missing ({entity}, {time}) {first}"
        )
    return table


def _import_mapclassify() -> None:
    """Import ``mapclassify`` (giddy imports it too) without its import-time numba compile.

    ``mapclassify.classifiers`` compiles ``_fisher_jenks_means`` with an eager signature and no
    cache at import, seconds of every run; only ``FisherJenks`` uses it (neither giddy's chains nor
    ``Quantiles`` do). Hiding numba during that one import makes mapclassify take its own
    pure-Python fallback for that function (``FisherJenks`` then warns that it is slow); every other
    module keeps the real numba.
    """
    if "mapclassify" in sys.modules:
        return
    numba = sys.modules.get("numba")
    sys.modules["numba"] = None  # type: ignore[assignment]  # makes "from numba import" fail
    try:
        import mapclassify  # noqa: F401
    finally:
        if numba is None:
            del sys.modules["numba"]
        else:
            sys.modules["numba"] = numba


def _labels(k: int) -> list[str]:
    return [f"Q{i + 1}" for i in range(k)]


def classify(values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Pooled quantile classes 0..k-1 of an array (``mapclassify.Quantiles``, as giddy does)."""
    _import_mapclassify()
    import mapclassify  # giddy and mapclassify cost seconds of start-up: imported on use

    q = mapclassify.Quantiles(values.ravel(), k=k)
    return q.yb.reshape(values.shape), np.asarray(q.bins)


def _steady(p: np.ndarray, *, fill_empty: bool = False) -> np.ndarray:
    """The ergodic distribution of ``p`` as ``giddy.ergodic.steady_state`` computes it.

    giddy hands the matrix to ``quantecon.MarkovChain``, whose GTH elimination (Grassmann, Taksar
    & Heyman 1985, *Operations Research* 33(5): 1107–1116) numba compiles on first use: 0.8–1.6 s in
    every process, for a k × k matrix. This runs the same steps with quantecon's NumPy version of
    ``gth_solve`` (``use_jit=False``, microseconds): the recurrent classes from
    ``quantecon.MarkovChain`` and GTH on the one recurrent class, zero elsewhere. A row of zeros (a
    class never observed) gives NaN, or with ``fill_empty`` becomes an absorbing state (giddy's
    ``fill_empty_classes``); several recurrent classes (no unique steady state) give NaN.
    """
    import quantecon

    p = np.array(p, dtype=float)
    k = p.shape[0]
    empty = p.sum(axis=1) == 0
    if empty.any():
        if not fill_empty:
            return np.full(k, np.nan)
        p[empty, empty] = 1.0
    recurrent = quantecon.MarkovChain(p).recurrent_classes_indices
    if len(recurrent) != 1:
        return np.full(k, np.nan)
    states = recurrent[0]
    steady = np.zeros(k)
    steady[states] = quantecon.gth_solve(p[np.ix_(states, states)], use_jit=False)
    return steady


def _prepare(y: np.ndarray, relative: bool) -> np.ndarray:
    return y / y.mean(axis=0) if relative else y


def _traditional(ids: np.ndarray, cutoffs: np.ndarray, k: int) -> MarkovResult:
    _import_mapclassify()
    from giddy.markov import Markov

    chain = Markov(ids, classes=np.arange(k), summary=False)
    names = _labels(k)
    steady = _steady(chain.p, fill_empty=True)  # giddy's chain.steady_state, without numba
    return MarkovResult(
        counts=pd.DataFrame(chain.transitions, index=names, columns=names),
        p=pd.DataFrame(chain.p, index=names, columns=names),
        steady_state=pd.Series(steady, index=names),
        mfpt=pd.DataFrame(np.asarray(chain.mfpt, dtype=float), index=names, columns=names),
        cutoffs=cutoffs,
        raw=chain,
    )


def markov(
    frame: pd.DataFrame,
    var: str,
    entity: str = "region",
    time: str = "year",
    classes: int = 4,
    relative: bool = False,
) -> MarkovResult:
    """Traditional Markov chain of ``var``'s pooled quantile classes (``giddy.markov.Markov``).

    Examples
    --------
    >>> t = pd.DataFrame({"region": [1, 1, 2, 2], "year": [1, 2, 1, 2], "y": [1.0, 4.0, 2.0, 3.0]})
    >>> res = markov(t, "y", classes=2)
    >>> res.counts.to_numpy().tolist()   # classes {1, 2} low, {3, 4} high: both move up
    [[0.0, 2.0], [0.0, 0.0]]
    """
    y = _prepare(wide(frame, var, entity, time).to_numpy(dtype=float), relative)
    ids, cutoffs = classify(y, classes)
    return _traditional(ids, cutoffs, classes)


def spatial_markov(
    frame: pd.DataFrame,
    var: str,
    w: libpysal.weights.W,
    entity: str = "region",
    time: str = "year",
    classes: int = 4,
    lag_classes: int | None = None,
    relative: bool = False,
) -> SpatialMarkovResult:
    """Spatial Markov chain of ``var`` given its spatial lag's class (``giddy.markov.Spatial_Markov``).

    The classes of the values and of the lags are pooled quantiles (``fixed=True``) of ``classes``
    and ``lag_classes`` (default ``classes``) groups; ``w`` is row-standardised by giddy.
    """
    _import_mapclassify()
    from giddy.markov import Spatial_Markov

    order = list(w.id_order)
    # giddy row-standardises the W it is given: hand it a copy, not the caller's matrix
    w = libpysal.weights.W(w.neighbors, w.weights, id_order=order, silence_warnings=True)
    y = _prepare(wide(frame, var, entity, time, order).to_numpy(dtype=float), relative)
    m = lag_classes or classes
    sm = Spatial_Markov(y, w, k=classes, m=m, fixed=True, fill_empty_classes=False)
    names, lag_names = _labels(classes), [f"L{i + 1}" for i in range(m)]
    index = pd.MultiIndex.from_product([lag_names, names], names=["lag", "class"])
    counts = pd.DataFrame(
        np.asarray(sm.T).reshape(m * classes, classes), index=index, columns=names
    )
    p = pd.DataFrame(np.asarray(sm.P).reshape(m * classes, classes), index=index, columns=names)
    homogeneity = pd.Series(
        {
            "Q": float(sm.Q),
            "Q_p": float(sm.Q_p_value),
            "LR": float(sm.LR),
            "LR_p": float(sm.LR_p_value),
            "df": float(sm.dof_hom),
        }
    )
    return SpatialMarkovResult(
        counts=counts,
        p=p,
        traditional=_traditional(np.asarray(sm.class_ids), np.asarray(sm.cutoffs), classes),
        steady_states=pd.DataFrame(
            [_steady(np.asarray(p_l, dtype=float)) for p_l in sm.P], index=lag_names, columns=names
        ),
        homogeneity=homogeneity,
        raw=sm,
    )
