"""Contiguity weights: China's regions from the registry's adjacency lists, own regions from polygons.

For a study's own regions (a GeoDataFrame with ``code`` and ``geometry``) the neighbours come from
libpysal's ``Queen`` / ``Rook`` on the polygons; China's registry codes use the committed adjacency
lists (built with a snapping tolerance, see ``regions/data/PROVENANCE.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterdx.errors import WeightsError
from clusterdx.regions import registry
from clusterdx.regions.registry import Rule
from clusterdx.regions.source import LEVELS, Level, check_level
from clusterdx.weights.matrix import (
    SparseWeights,
    Transform,
    check_transform,
    plain,
    sparse_weights,
)
from clusterdx.weights.validate import check_sparse

if TYPE_CHECKING:
    from libpysal.weights import W


def region_codes(regions: pd.DataFrame) -> list:
    """The ``code`` column of a region frame as a list of unique codes (ints or text), in frame order."""
    if "code" not in regions.columns:
        raise WeightsError(
            f"regions has no 'code' column (columns: {list(regions.columns)}); pass a frame from "
            "clusterdx.regions.provinces(), cities() or counties(), or a subset of one"
        )
    values = regions["code"]
    codes = pd.Index(values.astype("int64") if pd.api.types.is_integer_dtype(values) else values)
    if codes.has_duplicates:
        raise WeightsError(
            f"region codes are duplicated: {codes[codes.duplicated()].unique().tolist()[:10]}"
        )
    return [plain(c) for c in codes]


def _infer_level(codes: list) -> Level:
    text = [c for c in codes if not isinstance(c, int)]
    if text:
        raise WeightsError(
            f"codes {text[:10]} are not China registry codes (6-digit integers); contiguity of "
            "your own regions needs their polygons: pass a GeoDataFrame with 'code' and "
            "'geometry' columns (e.g. clusterdx.regions.read_regions(file, geometry).table())"
        )
    for level in LEVELS:
        known = set(registry.table(level, include_sar_taiwan=True)["code"])
        if known.issuperset(codes):
            return level
    known = set().union(
        *(registry.table(level, include_sar_taiwan=True)["code"] for level in LEVELS)
    )
    unknown = [code for code in codes if code not in known]
    raise WeightsError(
        f"codes {unknown[:10]} are not in the province, city or county registry; "
        "use clusterdx.regions.lookup() to find the right codes"
    )


def contiguity(
    regions: pd.DataFrame,
    rule: Rule = "queen",
    transform: Transform = "r",
    level: Level | None = None,
) -> W:
    """Contiguity weights among the regions of a registry frame (ids = region codes).

    w_ij = 1 if regions i and j are neighbours under ``rule`` (or linked as nearest neighbours
    because one of them has no border neighbour, e.g. Hainan-Guangdong), 0 otherwise; then
    ``transform``. The codes passed define the matrix and its order: a subset of the registry gives
    the sub-matrix.

    Parameters
    ----------
    regions : pandas.DataFrame
        Has a ``code`` column, e.g. ``clusterdx.regions.provinces()`` or a subset of it; or a
        GeoDataFrame of one's own regions with ``code`` and ``geometry`` (libpysal Queen / Rook
        on the polygons: queen = a shared point, rook = a shared edge).
    rule : {"queen", "rook"}
        queen: at least one shared boundary point; rook: a shared boundary segment.
    transform : {"r", "b", "none"}, default "r"
        Row-standardised, binary, or raw (binary for contiguity).
    level : {"province", "city", "county"}, optional
        Registry level of the codes; inferred (first level holding all codes) when omitted.

    Raises
    ------
    WeightsError
        Unknown codes, or regions left without any neighbour inside the subset (named).

    Examples
    --------
    >>> from clusterdx import regions, weights
    >>> w = weights.contiguity(regions.provinces())
    >>> sorted(w.neighbors[110000])
    [120000, 130000]
    """
    return contiguity_weights(regions, rule, transform, level).to_w()


def contiguity_weights(
    regions: pd.DataFrame,
    rule: Rule = "queen",
    transform: Transform = "r",
    level: Level | None = None,
) -> SparseWeights:
    """``contiguity`` (same checks and errors) as a ``SparseWeights``: libpysal is imported only
    for one's own polygons."""
    rule = registry.check_rule(rule)
    transform = check_transform(transform)
    codes = region_codes(regions)
    if "geometry" in regions.columns:
        return _from_polygons(regions, codes, rule, transform)
    codes = [int(c) if isinstance(c, str) and c.isdigit() else c for c in codes]  # "110000"
    level = _infer_level(codes) if level is None else check_level(level)
    pairs = registry.adjacency(level, rule, include_sar_taiwan=True)
    position = pd.Series(np.arange(len(codes)), index=codes)
    inside = pairs["code_i"].isin(codes) & pairs["code_j"].isin(codes)
    pairs = pairs[inside]
    rows = position[pairs["code_i"]].to_numpy()
    cols = position[pairs["code_j"]].to_numpy()
    binary = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(codes), len(codes)))
    return _checked(sparse_weights(binary, codes, transform=transform))


def _checked(light: SparseWeights) -> SparseWeights:
    """``light`` after ``check`` (islands are an error)."""
    check_sparse(light.sparse, light.ids, stacklevel=4)
    return light


def _from_polygons(
    regions: pd.DataFrame, codes: list, rule: Rule, transform: Transform
) -> SparseWeights:
    """Queen / rook contiguity of polygons (libpysal), ids = ``codes``; islands are an error."""
    import libpysal

    builder = libpysal.weights.Queen if rule == "queen" else libpysal.weights.Rook
    shapes = regions.reset_index(drop=True)
    if shapes["geometry"].isna().any():
        lacking = [codes[i] for i in np.flatnonzero(shapes["geometry"].isna().to_numpy())]
        raise WeightsError(f"regions {lacking[:10]} have no polygon; contiguity needs one each")
    found = builder.from_dataframe(shapes, use_index=False, silence_warnings=True)
    return _checked(sparse_weights(found.sparse.tocsr(), codes, transform=transform))
