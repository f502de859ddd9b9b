"""Distance-based weights from region points: inverse great-circle distance and k nearest neighbours.

Written on a dense great-circle distance matrix rather than ``libpysal.weights.KNN`` /
``DistanceBand``: those work in planar coordinates unless given a sphere radius, break ties at the
k-th distance by KD-tree order, and China's at most a few thousand regions fit a dense matrix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterdx.errors import WeightsError
from clusterdx.regions.geodesy import great_circle_km
from clusterdx.weights.contiguity import region_codes
from clusterdx.weights.matrix import SparseWeights, Transform, check_transform, sparse_weights

if TYPE_CHECKING:
    from libpysal.weights import W


def distance_matrix_km(regions: pd.DataFrame) -> np.ndarray:
    """Great-circle distances (km) between the ``lon``/``lat`` points of ``regions``.

    A GeoDataFrame of polygons without ``lon``/``lat`` uses the polygons' area centroids.
    """
    if "geometry" in regions.columns and not {"lon", "lat"} <= set(regions.columns):
        from clusterdx.regions.own import centroids

        points = centroids(regions)
        regions = regions.assign(lon=points["lon"].to_numpy(), lat=points["lat"].to_numpy())
    missing = [c for c in ("lon", "lat") if c not in regions.columns]
    if missing:
        raise WeightsError(
            f"regions lacks column(s) {missing}; distance weights need lon/lat in degrees, as in "
            "clusterdx.regions.provinces()"
        )
    lon = regions["lon"].to_numpy(dtype=float)
    lat = regions["lat"].to_numpy(dtype=float)
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))):
        bad = regions.loc[~(np.isfinite(lon) & np.isfinite(lat)), "code"].tolist()
        raise WeightsError(f"lon/lat missing or not finite for codes {bad[:10]}")
    return great_circle_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])


def inverse_distance(
    regions: pd.DataFrame,
    power: float = 1,
    cutoff: float | None = None,
    transform: Transform = "r",
) -> W:
    """Inverse-distance weights w_ij = d_ij^(-power) for i != j and d_ij <= cutoff, else 0.

    d_ij is the great-circle distance in km between the regions' ``lon``/``lat`` points (haversine
    on the mean Earth sphere); ``power = 2`` gives the gravity form. See Anselin (1988, Spatial
    Econometrics, Kluwer, ch. 3) for distance-decay weights.

    Parameters
    ----------
    regions : pandas.DataFrame
        With ``code``, ``lon`` and ``lat`` columns (e.g. ``clusterdx.regions.provinces()``).
    power : float, default 1
        Distance-decay exponent, > 0.
    cutoff : float, optional
        Distance band in km; pairs farther apart get weight 0.
    transform : {"r", "b", "none"}, default "r"

    Raises
    ------
    WeightsError
        Non-positive power or cutoff, two regions at the same point, or (through ``check`` by the
        caller) regions left without neighbours inside the cutoff.

    Examples
    --------
    Beijing, Tianjin and Hebei: Beijing is 126.7 km from Tianjin and 78.9 km from Hebei's point, so
    its row is (1/126.7, 1/78.9) / (1/126.7 + 1/78.9):

    >>> from clusterdx import regions, weights
    >>> provinces = regions.provinces()
    >>> jjj = provinces[provinces["code"].isin([110000, 120000, 130000])]
    >>> w = weights.inverse_distance(jjj)
    >>> w.id_order, w.full()[0][0].round(4).tolist()
    ([110000, 120000, 130000], [0.0, 0.3837, 0.6163])
    >>> sorted(weights.inverse_distance(provinces, cutoff=500).neighbors[110000])
    [120000, 130000, 140000, 370000]
    """
    return inverse_distance_weights(regions, power, cutoff, transform).to_w()


def inverse_distance_weights(
    regions: pd.DataFrame,
    power: float = 1,
    cutoff: float | None = None,
    transform: Transform = "r",
) -> SparseWeights:
    """``inverse_distance`` (same checks and errors) as a ``SparseWeights``, without libpysal."""
    transform = check_transform(transform)
    if not power > 0:
        raise WeightsError(f"power must be > 0; got {power!r}")
    if cutoff is not None and not cutoff > 0:
        raise WeightsError(f"cutoff must be a positive distance in km or None; got {cutoff!r}")
    codes = region_codes(regions)
    distance = distance_matrix_km(regions)
    off_diagonal = ~np.eye(len(codes), dtype=bool)
    same_point = np.argwhere((distance == 0) & off_diagonal)
    if len(same_point):
        i, j = same_point[0]
        raise WeightsError(
            f"regions {codes[i]} and {codes[j]} have the same lon/lat; inverse distance is infinite"
        )
    weights = np.zeros_like(distance)
    weights[off_diagonal] = distance[off_diagonal] ** (-float(power))
    if cutoff is not None:
        weights[distance > cutoff] = 0.0
    return sparse_weights(weights, codes, transform=transform)


def knn(regions: pd.DataFrame, k: int, transform: Transform = "r") -> W:
    """k-nearest-neighbour weights by great-circle distance (w_ij = 1 for the k nearest j).

    Ties at the k-th distance are broken by row order of ``regions``, so the result is
    deterministic. The neighbour structure is in general not symmetric.

    Raises
    ------
    WeightsError
        ``k`` not an integer in [1, number of regions - 1], or lon/lat missing.

    Examples
    --------
    >>> from clusterdx import regions, weights
    >>> w = weights.knn(regions.provinces(), k=3)
    >>> sorted(w.neighbors[110000]), [round(x, 4) for x in w.weights[110000]]
    ([120000, 130000, 370000], [0.3333, 0.3333, 0.3333])
    """
    return knn_weights(regions, k, transform).to_w()


def knn_weights(regions: pd.DataFrame, k: int, transform: Transform = "r") -> SparseWeights:
    """``knn`` (same checks and errors) as a ``SparseWeights``, without libpysal."""
    transform = check_transform(transform)
    codes = region_codes(regions)
    if not isinstance(k, int | np.integer) or not 1 <= k < len(codes):
        raise WeightsError(
            f"k must be an integer between 1 and {len(codes) - 1} (number of regions - 1); got {k!r}"
        )
    distance = distance_matrix_km(regions)
    np.fill_diagonal(distance, np.inf)
    nearest = np.argsort(distance, axis=1, kind="stable")[:, :k]
    rows = np.repeat(np.arange(len(codes)), k)
    binary = sp.csr_matrix((np.ones(rows.size), (rows, nearest.ravel())), shape=(len(codes),) * 2)
    return sparse_weights(binary, codes, transform=transform)
