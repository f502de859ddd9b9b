"""Economic-distance and economic-geographic nested weights, as used in the Chinese regional literature."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from clusterdx.errors import PanelError, WeightsError
from clusterdx.weights.matrix import (
    SparseWeights,
    Transform,
    check_transform,
    dense,
    from_matrix,
    plain,
    sparse_weights,
)
from clusterdx.weights.validate import align, align_sparse

if TYPE_CHECKING:
    from libpysal.weights import W

Ties = Literal["raise", "smallest"]
TIES: tuple[Ties, ...] = ("raise", "smallest")


def economic_distance(
    panel: pd.DataFrame,
    var: str,
    entity: str = "region",
    time: str = "year",
    transform: Transform = "r",
    ties: Ties = "raise",
) -> W:
    """Economic-distance weights w_ij = 1 / |x̄_i - x̄_j| (i != j), x̄_i the sample-period mean of var.

    The construction of Li, Tan and Bai (2010, 管理世界 2010(7): 43-55, "中国区域创新生产的空间
    计量分析"), usually with x = real GDP per capita: regions at a similar level of development
    are taken to interact more. Ids are the sorted unique ``entity`` values.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel with columns ``entity``, ``time`` and ``var``.
    var : str
        Column whose entity means define the distance.
    entity, time : str
        Column names of the region id and the period.
    transform : {"r", "b", "none"}, default "r"
    ties : {"raise", "smallest"}, default "raise"
        Two regions with equal means have an infinite weight. "raise": ``WeightsError`` naming
        them; "smallest": give tied pairs the weight of the smallest positive gap in the sample
        (the strongest finite tie), a documented convention rather than a result.

    Raises
    ------
    PanelError
        Missing columns or missing values of ``var`` (named entity and period).
    WeightsError
        Tied means under ``ties="raise"``, or every mean equal.

    Examples
    --------
    Means 2, 5 and 11, so w_ab = 1/3, w_ac = 1/9 and w_bc = 1/6 before row standardisation:

    >>> import pandas as pd
    >>> from clusterdx import weights
    >>> panel = pd.DataFrame({
    ...     "region": ["a", "a", "b", "b", "c", "c"],
    ...     "year": [2020, 2021] * 3,
    ...     "gdp_pc": [1.0, 3.0, 4.0, 6.0, 10.0, 12.0],
    ... })
    >>> w = weights.economic_distance(panel, "gdp_pc", transform="none")
    >>> w.full()[0].round(4).tolist()
    [[0.0, 0.3333, 0.1111], [0.3333, 0.0, 0.1667], [0.1111, 0.1667, 0.0]]
    >>> weights.economic_distance(panel, "gdp_pc").full()[0][0].round(4).tolist()
    [0.0, 0.75, 0.25]
    """
    return economic_distance_weights(panel, var, entity, time, transform, ties).to_w()


def economic_distance_weights(
    panel: pd.DataFrame,
    var: str,
    entity: str = "region",
    time: str = "year",
    transform: Transform = "r",
    ties: Ties = "raise",
) -> SparseWeights:
    """``economic_distance`` (same checks and errors) as a ``SparseWeights``, without libpysal."""
    transform = check_transform(transform)
    if ties not in TIES:
        raise WeightsError(f"ties={ties!r} is not available; use one of {list(TIES)}")
    missing = [c for c in (entity, time, var) if c not in panel.columns]
    if missing:
        raise PanelError(f"panel lacks column(s) {missing}; columns are {list(panel.columns)}")
    values = pd.to_numeric(panel[var], errors="coerce")
    if values.isna().any():
        first = int(np.flatnonzero(values.isna().to_numpy())[0])
        where_entity = plain(panel[entity].to_numpy()[first])
        where_time = plain(panel[time].to_numpy()[first])
        raise PanelError(
            f"{var!r} is missing or not numeric for {entity}={where_entity!r}, {time}={where_time!r} "
            f"({int(values.isna().sum())} cell(s) in all); fill or drop them before building weights"
        )
    means = values.groupby(panel[entity]).mean().sort_index()
    gap = np.abs(means.to_numpy()[:, None] - means.to_numpy()[None, :])
    off_diagonal = ~np.eye(len(means), dtype=bool)
    tied = (gap == 0) & off_diagonal
    positive = gap[off_diagonal & ~tied]
    if positive.size == 0:
        raise WeightsError(
            f"every {entity} has the same mean of {var!r}; economic distance is undefined"
        )
    if tied.any():
        if ties == "raise":
            i, j = np.argwhere(tied)[0]
            raise WeightsError(
                f"{entity} {plain(means.index[i])!r} and {plain(means.index[j])!r} have the same mean of {var!r} "
                f"({means.iloc[i]:g}); 1/|x̄_i - x̄_j| is infinite. Pass ties='smallest' or use another variable"
            )
        gap[tied] = positive.min()
    weights = np.zeros_like(gap)
    weights[off_diagonal] = 1.0 / gap[off_diagonal]
    return sparse_weights(weights, means.index.tolist(), transform=transform)


def nested(geo: W, econ: W, share: float = 0.5, transform: Transform = "r") -> W:
    """Economic-geographic nested weights W = share · W_geo + (1 - share) · W_econ.

    The convex combination of Shao, Li, Cao and Yang (2016, 经济研究 51(9): 73-88, "中国雾霾污染
    治理的经济政策选择"), with share = φ the weight on geography (0.5 there). Both matrices enter
    with their current weights (row-standardised by default, so the combination is too) after
    aligning ``econ`` to ``geo``'s ids; ``transform`` is then applied to the result.

    Raises
    ------
    WeightsError
        share outside [0, 1] or the two matrices covering different ids (named).

    Examples
    --------
    Region a's row: geography links it to b only (1, 0), economics gives (0.75, 0.25); half of each:

    >>> import numpy as np
    >>> import pandas as pd
    >>> from clusterdx import weights
    >>> geo = weights.from_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]), ids=["a", "b", "c"])
    >>> panel = pd.DataFrame({"region": ["a", "b", "c"], "year": 2020, "gdp_pc": [2.0, 5.0, 11.0]})
    >>> econ = weights.economic_distance(panel, "gdp_pc")
    >>> w = weights.nested(geo, econ, share=0.5)
    >>> w.id_order, w.full()[0][0].round(4).tolist()
    (['a', 'b', 'c'], [0.0, 0.875, 0.125])
    """
    transform = _check_share(share, transform)
    econ = align(econ, geo.id_order)
    combined = share * dense(geo) + (1 - share) * dense(econ)
    return from_matrix(combined, list(geo.id_order), transform=transform)


def nested_weights(
    geo: SparseWeights, econ: SparseWeights, share: float = 0.5, transform: Transform = "r"
) -> SparseWeights:
    """``nested`` (same checks and errors) of two ``SparseWeights``, without libpysal."""
    transform = _check_share(share, transform)
    econ = align_sparse(econ, geo.ids)
    combined = share * geo.sparse.toarray() + (1 - share) * econ.sparse.toarray()
    return sparse_weights(combined, geo.ids, transform=transform)


def _check_share(share: float, transform: str) -> Transform:
    """``transform`` checked; ``WeightsError`` unless 0 <= ``share`` <= 1."""
    transform = check_transform(transform)
    if not 0 <= share <= 1:
        raise WeightsError(
            f"share (weight on the geographic matrix) must be in [0, 1]; got {share!r}"
        )
    return transform
