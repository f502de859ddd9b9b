r"""Cluster typology from data: symbiotic / epiphytic / parasitic clusters from their driver shares.

Zhao & Zhou's typology of industrial clusters (the seed documents' 共生型 / 附生型 / 寄生型) names the
forces that carry a cluster: **symbiotic** clusters grow from market demand together with
government support, **epiphytic** clusters from technology together with government support,
**parasitic** clusters around a core (chain-leader) firm. This module measures those forces and
applies the criteria as a documented rule.

1. **Driver contributions** (`driver_contributions`). For each region (or cluster) ``i`` the
   outcome's response to each driver ``k`` (market demand, government support, technology,
   core-firm strength, in that order) is estimated from its own time series: with spatial weights,
   the outcome is first filtered of the spatial Durbin terms of a two-way SDM
   (:func:`clusterdx.spatial.fit`), :math:`y^*_{it} = y_{it} - \hat\rho\sum_j w_{ij}y_{jt} -
   \sum_k\hat\theta_k\sum_j w_{ij}d_{kjt}`; :math:`y^*` and the drivers are demeaned by year and
   :math:`y^*_{it} = a_i + \sum_k b_{ik}d_{kit} + e_{it}` is fitted by OLS per region. The
   contribution is :math:`c_{ik} = b_{ik}\,\mathrm{sd}_i(d_k)` and the driver share
   :math:`s_{ik} = c_{ik}^+/\sum_l c_{il}^+` (negative responses count as no contribution).
2. **The rule** (`classify`). Scores :math:`S^{sym}_i = s_{i,demand} + s_{i,gov}`,
   :math:`S^{epi}_i = s_{i,tech} + s_{i,gov}`, :math:`S^{par}_i = 2\,s_{i,core}` (a single-driver
   type on the two-driver scale); the type is the largest score (ties: symbiotic, epiphytic,
   parasitic in that order).
3. **Data-driven alternative** (`cluster_types`): k-means or a Gaussian mixture
   (scikit-learn) with three groups on the standardised shares; each group is named by the rule
   applied to its mean shares.
4. **Agreement** with declared types (`agreement`): confusion matrix, share agreeing and
   Cohen's (1960) κ (``sklearn.metrics``).

`type_shares` lets a region carry several types: the share of its registered clusters of each
type, instead of one dominant type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterdx.errors import DataError, StudySpecError

TYPES: tuple[str, ...] = ("symbiotic", "epiphytic", "parasitic")
ROLES: tuple[str, ...] = ("demand", "gov", "tech", "core")
ClusterMethod = Literal["kmeans", "gmm"]


def _check(frame: pd.DataFrame, names: Sequence[str], where: str) -> None:
    absent = [c for c in names if c not in frame.columns]
    if absent:
        raise DataError(f"{where}: column(s) {absent} absent; available {list(frame.columns)}")


def _lag(frame: pd.DataFrame, col: str, w: Any, entity: str, time: str) -> pd.Series:
    """The row-standardised spatial lag of ``col`` per period (NaN for a region without
    neighbours), by the sparse W: a dense N × N copy would take 65 MB at county level."""
    ids = list(w.id_order)
    wide = frame.pivot(index=entity, columns=time, values=col).loc[ids]
    matrix = sp.csr_matrix(w.sparse, dtype=float)
    sums = np.asarray(matrix.sum(axis=1)).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        values = (matrix @ wide.to_numpy()) / sums[:, None]
    lagged = pd.DataFrame(values, index=wide.index, columns=wide.columns)
    long = lagged.reset_index().melt(id_vars=entity, var_name=time, value_name=col)
    return frame[[entity, time]].merge(long, on=[entity, time], how="left")[col]


def driver_contributions(
    frame: pd.DataFrame,
    y: str,
    drivers: Sequence[str],
    w: Any = None,
    entity: str = "region",
    time: str = "year",
) -> pd.DataFrame:
    """Driver shares s_ik per region (module formula, step 1); columns named by `ROLES`.

    ``drivers`` are the columns of market demand, government support, technology and core-firm
    strength, in that order. With ``w`` (libpysal W over the regions) the outcome is filtered of
    the two-way SDM's spatial terms first.
    """
    drivers = list(drivers)
    if len(drivers) != 4:
        raise StudySpecError(
            f"drivers must name 4 columns (market demand, government, technology, core firm), "
            f"got {drivers}"
        )
    _check(frame, [y, entity, time, *drivers], "driver_contributions")
    data = frame[[entity, time, y, *drivers]].astype({y: float}).reset_index(drop=True)
    target = data[y].to_numpy(dtype=float)
    if w is not None:
        from clusterdx import spatial

        fit = spatial.fit(
            data, y=y, x=drivers, w=w, entity=entity, time=time, model="sdm", effects="twoways"
        )
        target = target - fit.rho * _lag(data, y, w, entity, time).to_numpy()
        for k in drivers:
            target = target - fit.params[f"W_{k}"] * _lag(data, k, w, entity, time).to_numpy()
    work = data[[entity, time, *drivers]].copy()
    work["_y"] = target
    for col in ["_y", *drivers]:
        work[col] = work[col] - work.groupby(time)[col].transform("mean")
    # one region's rows at a time as slices of NumPy arrays (rows in the order of groupby)
    codes, units = pd.factorize(work[entity], sort=True)
    order = np.argsort(codes, kind="stable")
    xs = work[drivers].to_numpy(dtype=float)[order]
    ys = work["_y"].to_numpy(dtype=float)[order]
    ends = np.cumsum(np.bincount(codes, minlength=len(units)))
    rows = []
    for unit, start, stop in zip(units, ends - np.bincount(codes), ends, strict=True):
        # column-major like the DataFrame's block, so x.std sums in the same order
        x, size = np.asfortranarray(xs[start:stop]), stop - start
        if size <= len(drivers) + 1:
            raise DataError(
                f"driver_contributions: {entity} {unit!r} has {size} periods; the per-region "
                f"regression needs more than {len(drivers) + 1}"
            )
        design = np.column_stack([np.ones(size), x])
        b = np.linalg.lstsq(design, ys[start:stop], rcond=None)[0][1:]
        c = np.clip(b * x.std(axis=0, ddof=1), 0, None)
        total = c.sum()
        rows.append((unit, *(c / total if total > 0 else np.full(4, 0.25))))
    return pd.DataFrame(rows, columns=[entity, *ROLES]).set_index(entity)


def scores(shares: pd.DataFrame) -> pd.DataFrame:
    """The rule's scores (module formula, step 2): columns symbiotic, epiphytic, parasitic."""
    _check(shares, ROLES, "typology scores")
    return pd.DataFrame(
        {
            "symbiotic": shares["demand"] + shares["gov"],
            "epiphytic": shares["tech"] + shares["gov"],
            "parasitic": 2 * shares["core"],
        },
        index=shares.index,
    )


def classify(shares: pd.DataFrame) -> pd.Series:
    """Type of each row by the rule: the largest score of `scores`.

    Examples
    --------
    >>> s = pd.DataFrame({"demand": [0.5, 0.1, 0.1], "gov": [0.3, 0.3, 0.1],
    ...                   "tech": [0.1, 0.5, 0.1], "core": [0.1, 0.1, 0.7]})
    >>> classify(s).tolist()
    ['symbiotic', 'epiphytic', 'parasitic']
    """
    sc = scores(shares)
    return pd.Series(
        np.array(TYPES)[np.argmax(sc.to_numpy(), axis=1)], index=shares.index, name="type"
    )


def cluster_types(
    shares: pd.DataFrame, method: ClusterMethod = "kmeans", seed: int = 0
) -> pd.Series:
    """Three groups of the standardised shares (k-means or Gaussian mixture), named by the rule.

    Each group takes the type the rule gives its mean shares; two groups may get the same name.
    """
    from sklearn.cluster import KMeans
    from sklearn.mixture import GaussianMixture
    from sklearn.preprocessing import StandardScaler

    if method not in ("kmeans", "gmm"):
        raise StudySpecError(
            f"method={method!r} is not one of the allowed values ['kmeans', 'gmm']"
        )
    x = StandardScaler().fit_transform(shares[list(ROLES)].to_numpy())
    if method == "kmeans":
        groups = KMeans(n_clusters=3, n_init=10, random_state=seed).fit_predict(x)
    else:
        groups = GaussianMixture(n_components=3, random_state=seed).fit(x).predict(x)
    means = shares[list(ROLES)].groupby(groups).mean()
    names = classify(means)
    return pd.Series(names.loc[groups].to_numpy(), index=shares.index, name="type")


@dataclass(frozen=True)
class Agreement:
    """Confusion matrix (rows declared, columns classified, `TYPES` order), accuracy, Cohen's κ."""

    matrix: pd.DataFrame
    accuracy: float
    kappa: float


def agreement(declared: pd.Series, predicted: pd.Series) -> Agreement:
    """Agreement of classified with declared types on their common index (sklearn metrics).

    Examples
    --------
    >>> d = pd.Series(["symbiotic", "epiphytic", "parasitic", "parasitic"])
    >>> p = pd.Series(["symbiotic", "epiphytic", "parasitic", "symbiotic"])
    >>> a = agreement(d, p)
    >>> a.accuracy, int(a.matrix.loc["parasitic", "symbiotic"])
    (0.75, 1)
    """
    from sklearn.metrics import cohen_kappa_score, confusion_matrix

    common = declared.index.intersection(predicted.index)
    if common.empty:
        raise DataError("agreement: declared and classified types share no index values")
    d, p = declared.loc[common].astype(str), predicted.loc[common].astype(str)
    unknown = sorted(set(d) - set(TYPES))
    if unknown:
        raise DataError(f"agreement: declared types {unknown} are not among {list(TYPES)}")
    matrix = confusion_matrix(d, p, labels=list(TYPES))
    return Agreement(
        pd.DataFrame(matrix, index=list(TYPES), columns=list(TYPES)),
        float((d == p).mean()),
        float(cohen_kappa_score(d, p, labels=list(TYPES))),
    )


def type_shares(
    registry: pd.DataFrame, region: str = "region", kind: str = "cluster_type"
) -> pd.DataFrame:
    """Share of each region's registered clusters of each type (rows sum to 1): several types per region.

    Columns: `TYPES`, then any other type found in ``kind`` (sorted).

    Examples
    --------
    >>> r = pd.DataFrame({"region": [1, 1, 1, 2], "cluster_type": ["symbiotic", "parasitic", "parasitic", "epiphytic"]})
    >>> type_shares(r).round(3).to_dict("index")[1]
    {'symbiotic': 0.333, 'epiphytic': 0.0, 'parasitic': 0.667}
    """
    _check(registry, [region, kind], "type_shares")
    counts = pd.crosstab(registry[region], registry[kind])
    others = sorted(c for c in counts.columns if c not in TYPES)  # kept, never dropped
    counts = counts.reindex(columns=[*TYPES, *others], fill_value=0)
    out = counts.div(counts.sum(axis=1), axis=0)
    out.columns.name = None
    return out
