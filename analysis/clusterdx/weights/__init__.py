"""Spatial weights for regional panels, as ``libpysal.weights.W`` with region codes as ids.

Every builder row-standardises by default (``transform="r"``; also ``"b"`` binary and ``"none"``)::

    from clusterdx import regions, weights
    W = weights.contiguity(regions.provinces(), rule="queen")
    W = weights.inverse_distance(regions.provinces(), power=1)
    weights.check(W).row_sums
    W = weights.from_file("w.xlsx", ids=panel_codes)    # own matrix: CSV/XLSX, GAL/GWT, edge list
"""

from clusterdx.weights.contiguity import contiguity
from clusterdx.weights.distance import inverse_distance, knn
from clusterdx.weights.economic import economic_distance, nested
from clusterdx.weights.file import from_file
from clusterdx.weights.matrix import from_matrix
from clusterdx.weights.validate import WeightsReport, align, check

__all__ = [
    "WeightsReport",
    "align",
    "check",
    "contiguity",
    "economic_distance",
    "from_file",
    "from_matrix",
    "inverse_distance",
    "knn",
    "nested",
]
