"""Coupling coordination degree (耦合协调度) of n subsystems (n ≥ 2).

For subsystem scores U_1..U_n ∈ [0, 1] of one observation (each usually an entropy index) and
contribution weights α_i ≥ 0 with Σ α_i = 1:

    C = n · [ Π_i U_i / (Σ_i U_i)^n ]^(1/n)        coupling degree, = geometric / arithmetic mean ∈ [0, 1]
    T = Σ_i α_i U_i                                 comprehensive development index
    D = √(C · T)                                    coupling coordination degree ∈ [0, 1]

For n = 2 this is C = 2 √(U_1 U_2) / (U_1 + U_2). This is the normative ("规范") form of the
traditional model in Wang Shujia, Kong Wei, Ren Liang, Zhi Dandan & Dai Binting (2021) 王淑佳等
《国内耦合协调度模型的误区及修正》, 自然资源学报 36(3): 793–810 (the issue cites it as 《经济地理》;
the paper appeared in 《自然资源学报》). They show that the frequently printed variants without the
factor n, or with the n-th root applied to the denominator only, leave [0, 1] and are wrong; we
implement the normative formula above. Their proposed *modified* coupling degree (meant to spread C
away from 1) is not implemented. C is set to 0 where all U_i are 0 (no development, no coupling) and clipped to [0, 1]
against rounding (GM ≤ AM holds exactly).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clusterdx.errors import DataError, StudySpecError


def coupling_coordination(
    frame: pd.DataFrame,
    subsystems: list[str],
    weights: list[float] | dict[str, float] | None = None,
) -> pd.DataFrame:
    """Coupling degree C, development index T and coordination degree D per row (module formula).

    Parameters
    ----------
    frame
        One row per observation with the subsystem scores.
    subsystems
        Columns holding U_1..U_n, each in [0, 1] (n ≥ 2).
    weights
        α_i in the order of ``subsystems`` (list) or by column (mapping), non-negative, summing to
        1; ``None`` gives equal weights 1/n.

    Returns
    -------
    pd.DataFrame
        Columns ``C``, ``T``, ``D``, indexed like ``frame``.

    Examples
    --------
    >>> t = pd.DataFrame({"u1": [0.2], "u2": [0.8]})
    >>> coupling_coordination(t, ["u1", "u2"]).round(4).to_dict("records")  # C = 2·0.4/1, T = 0.5
    [{'C': 0.8, 'T': 0.5, 'D': 0.6325}]
    """
    subsystems = list(subsystems)
    n = len(subsystems)
    if n < 2 or len(set(subsystems)) != n:
        raise DataError(f"coupling_coordination needs >= 2 distinct subsystems, got {subsystems}")
    absent = [c for c in subsystems if c not in frame.columns]
    if absent:
        raise DataError(
            f"coupling_coordination: subsystem column(s) {absent} absent; available "
            f"{list(frame.columns)}"
        )
    u = frame[subsystems].astype("float64")
    for column in subsystems:
        bad = ~np.isfinite(u[column]) | (u[column] < 0) | (u[column] > 1)
        if bad.any():
            rows = u.index[bad][:5].tolist()
            raise DataError(
                f"coupling_coordination: column '{column}' must lie in [0, 1] without missing "
                f"values; rows {rows} do not (standardise the subsystem scores first)"
            )
    if weights is None:
        alpha = np.full(n, 1.0 / n)
    else:
        if isinstance(weights, dict):
            unknown = sorted(set(weights) ^ set(subsystems))
            if unknown:
                raise DataError(
                    f"coupling_coordination: weights must name exactly {subsystems}; "
                    f"mismatch {unknown}"
                )
            weights = [weights[c] for c in subsystems]
        alpha = np.asarray(weights, dtype="float64")
        if alpha.shape != (n,) or (alpha < 0).any() or not np.isclose(alpha.sum(), 1.0):
            raise DataError(
                f"coupling_coordination: weights must be {n} non-negative numbers summing to 1, "
                f"got {list(weights)}"
            )
    values = u.to_numpy()
    total = values.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        geometric = np.exp(np.log(values).mean(axis=1))
        c = np.where(total > 0, np.clip(n * geometric / total, 0.0, 1.0), 0.0)
    t = values @ alpha
    return pd.DataFrame({"C": c, "T": t, "D": np.sqrt(c * t)}, index=frame.index)


#: The ten-level grading of the coupling coordination degree D in 0.1 steps (lower bound, zh, en),
#: after 廖重斌 (1999) 《环境与经济协调发展的定量评判及其分类体系——以珠江三角洲城市群为例》,
#: 热带地理 19(2): 171–177, in the ten-class form used throughout the later literature.
COORDINATION_GRADES: tuple[tuple[float, str, str], ...] = (
    (0.0, "极度失调", "Extreme imbalance"),
    (0.1, "严重失调", "Serious imbalance"),
    (0.2, "中度失调", "Moderate imbalance"),
    (0.3, "轻度失调", "Mild imbalance"),
    (0.4, "濒临失调", "On the verge of imbalance"),
    (0.5, "勉强协调", "Barely coordinated"),
    (0.6, "初级协调", "Primarily coordinated"),
    (0.7, "中级协调", "Intermediately coordinated"),
    (0.8, "良好协调", "Well coordinated"),
    (0.9, "优质协调", "Highly coordinated"),
)


def coordination_grade(d: pd.Series | np.ndarray | float, lang: str = "zh") -> pd.Series:
    """Grade of each coordination degree D on the ten-level scale `COORDINATION_GRADES`.

    Class k (1..10) holds D in [(k-1)/10, k/10), the last one [0.9, 1]. Returns an ordered
    categorical Series of the grade names (``lang="zh"`` or ``"en"``).

    Examples
    --------
    >>> coordination_grade([0.05, 0.1, 0.6325, 1.0]).tolist()
    ['极度失调', '严重失调', '初级协调', '优质协调']
    >>> coordination_grade([0.45], lang="en").tolist()
    ['On the verge of imbalance']
    """
    if lang not in ("zh", "en"):
        raise StudySpecError(f"lang={lang!r} is not one of the allowed values ['zh', 'en']")
    values = pd.Series(np.atleast_1d(d) if not isinstance(d, pd.Series) else d, dtype="float64")
    bad = ~np.isfinite(values) | (values < 0) | (values > 1)
    if bad.any():
        raise DataError(
            f"coordination_grade: D must lie in [0, 1]; rows {values.index[bad][:5].tolist()} do not"
        )
    names = [g[1] if lang == "zh" else g[2] for g in COORDINATION_GRADES]
    # integer class from the first decimal, rounding guarded (0.3 stored as 0.29999... stays 3)
    k = np.minimum(np.floor(np.round(values.to_numpy() * 10, 9)).astype(int), 9)
    return pd.Series(
        pd.Categorical.from_codes(k, categories=names, ordered=True), index=values.index
    )
