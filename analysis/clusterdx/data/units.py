"""Yearbook units (亿元, 万人, 万户, ...) and conversion between units of the same dimension.

Chinese statistical yearbooks mix 元 / 万元 / 亿元 and 人 / 万人 across tables. Every raw column is
declared with its unit in the study spec and converted to the variable's stored unit; converting
between dimensions (money into persons, say) is refused with a `DataError`.
"""

from __future__ import annotations

from clusterdx.errors import DataError

#: unit -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "元": ("money", 1.0),
    "千元": ("money", 1e3),
    "万元": ("money", 1e4),
    "百万元": ("money", 1e6),
    "亿元": ("money", 1e8),
    "人": ("persons", 1.0),
    "万人": ("persons", 1e4),
    "件": ("items", 1.0),
    "个": ("items", 1.0),
    "项": ("items", 1.0),
    "万件": ("items", 1e4),
    "万个": ("items", 1e4),
    "户": ("accounts", 1.0),
    "万户": ("accounts", 1e4),
    "1": ("ratio", 1.0),
    "%": ("ratio", 1e-2),
    "‰": ("ratio", 1e-3),
    "index": ("index", 1.0),
    "count": ("count", 1.0),
}

#: Dimensions whose units come in multiples (元/万元/亿元, 人/万人), so a value can slip by a power of ten.
SCALED_DIMENSIONS = frozenset({"money", "persons", "items", "accounts"})


def conversion_factor(from_unit: str, to_unit: str, *, where: str = "") -> float:
    """Factor that converts values in ``from_unit`` into ``to_unit``.

    Parameters
    ----------
    from_unit, to_unit
        Units from `UNITS` (e.g. ``"万元"`` and ``"亿元"``).
    where
        Text naming the file and column, used in error messages.

    Returns
    -------
    float
        ``value_in_to_unit = value_in_from_unit * factor``; e.g. 万元 → 亿元 gives 1e-4.

    Raises
    ------
    DataError
        Unknown unit, or units of different dimensions (a unit mismatch).

    Examples
    --------
    >>> conversion_factor("万元", "亿元")
    0.0001
    """
    for unit in (from_unit, to_unit):
        if unit not in UNITS:
            raise DataError(
                f"{where}unknown unit {unit!r}; known units: {', '.join(UNITS)} "
                "(declare the unit of the raw column in [[sources]] and of the variable in [variables])"
            )
    from_dim, from_factor = UNITS[from_unit]
    to_dim, to_factor = UNITS[to_unit]
    if from_dim != to_dim:
        raise DataError(
            f"{where}unit mismatch: the raw column is in {from_unit!r} ({from_dim}) but the variable is "
            f"stored in {to_unit!r} ({to_dim}); fix the unit in the [[sources]] entry or the variable"
        )
    return from_factor / to_factor
