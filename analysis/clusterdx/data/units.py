"""Units of raw and stored variables (亿元, 万人, 万美元, 元/人, 千公顷, ...) and conversion between them.

Chinese statistical yearbooks mix 元 / 万元 / 亿元 and 人 / 万人 across tables. Every raw column is
declared with its unit in the study spec (or carries it in its header) and is converted to the
variable's stored unit; converting between dimensions (money into persons, say) is refused with a
`DataError`. Renminbi and US dollars are different dimensions: no exchange rate is applied.

`UNITS` is the single source of truth: the README's list of units is generated from it by
`units_listing` (and a test checks that the README shows that text). A compound unit ``A/B`` of two
known units (元/人, 万元/人, 吨/万元, 千瓦时/元) has dimension ``dimA/dimB`` and factor ``fA/fB``.
Unknown units are an error that points at ``unit = "1"`` (store the value as given).
"""

from __future__ import annotations

import re

from clusterdx.errors import DataError

#: unit -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "元": ("money", 1.0),
    "千元": ("money", 1e3),
    "万元": ("money", 1e4),
    "百万元": ("money", 1e6),
    "亿元": ("money", 1e8),
    "美元": ("money (USD)", 1.0),
    "千美元": ("money (USD)", 1e3),
    "万美元": ("money (USD)", 1e4),
    "百万美元": ("money (USD)", 1e6),
    "亿美元": ("money (USD)", 1e8),
    "人": ("persons", 1.0),
    "千人": ("persons", 1e3),
    "万人": ("persons", 1e4),
    "人次": ("visits", 1.0),
    "万人次": ("visits", 1e4),
    "件": ("items", 1.0),
    "个": ("items", 1.0),
    "项": ("items", 1.0),
    "家": ("items", 1.0),
    "万件": ("items", 1e4),
    "万个": ("items", 1e4),
    "户": ("accounts", 1.0),
    "万户": ("accounts", 1e4),
    "千克": ("mass", 1e-3),
    "公斤": ("mass", 1e-3),
    "吨": ("mass", 1.0),
    "万吨": ("mass", 1e4),
    "亿吨": ("mass", 1e8),
    "米": ("length", 1.0),
    "公里": ("length", 1e3),
    "千米": ("length", 1e3),
    "km": ("length", 1e3),
    "万公里": ("length", 1e7),
    "平方米": ("area", 1.0),
    "m²": ("area", 1.0),
    "万平方米": ("area", 1e4),
    "公顷": ("area", 1e4),
    "千公顷": ("area", 1e7),
    "平方公里": ("area", 1e6),
    "平方千米": ("area", 1e6),
    "km²": ("area", 1e6),
    "万平方公里": ("area", 1e10),
    "小时": ("time", 1.0),
    "万小时": ("time", 1e4),
    "天": ("time", 24.0),
    "年": ("time", 8760.0),
    "千瓦时": ("energy", 1.0),
    "万千瓦时": ("energy", 1e4),
    "亿千瓦时": ("energy", 1e8),
    "1": ("ratio", 1.0),
    "%": ("ratio", 1e-2),
    "‰": ("ratio", 1e-3),
    "index": ("index", 1.0),
    "count": ("count", 1.0),
}

#: Dimensions whose values may be negative (a growth rate, a standardised index). Every other
#: dimension (money, persons, counts, mass, area, ...) is nonnegative by default.
SIGNED_DIMENSIONS = frozenset({"ratio", "index"})

#: Dimensions checked for unit slips: those with several multiples in `UNITS` (元/万元/亿元,
#: 人/万人, 吨/万吨, ...), so that a value can be typed in the wrong one. Ratios (where a spread
#: over three orders of magnitude is ordinary, e.g. growth rates near zero) are not checked.
SCALED_DIMENSIONS = frozenset(
    dim
    for dim in {d for d, _ in UNITS.values()}
    if len({f for d, f in UNITS.values() if d == dim}) > 1 and dim not in SIGNED_DIMENSIONS
)


def unit_info(unit: str, *, where: str = "") -> tuple[str, float]:
    """Dimension and factor of a unit, compound units ``A/B`` included.

    Raises
    ------
    DataError
        For an unknown unit; the message lists the known units and says that ``unit = "1"`` stores
        the values as they are in the file.

    Examples
    --------
    >>> unit_info("万元/人")
    ('money/persons', 10000.0)
    >>> unit_info("万美元")
    ('money (USD)', 10000.0)
    """
    text = unit.strip()
    if text in UNITS:
        return UNITS[text]
    parts = text.split("/")
    if len(parts) == 2 and all(p.strip() in UNITS for p in parts):
        (dim_a, f_a), (dim_b, f_b) = (UNITS[p.strip()] for p in parts)
        return f"{dim_a}/{dim_b}", f_a / f_b
    raise DataError(
        f"{where}unknown unit {unit!r}; known units: {', '.join(UNITS)}, and A/B of two of them "
        "(e.g. 元/人). Declare the unit of the raw column in [[sources]] and of the variable in "
        '[variables]; for a unit not listed, unit = "1" in both stores the values as given'
    )


def is_unit(text: str) -> bool:
    """Whether ``text`` is a known unit (simple or compound), e.g. the ``万元`` of ``GDP(万元)``."""
    try:
        unit_info(text)
    except DataError:
        return False
    return True


def dimension(unit: str) -> str:
    """The dimension of a known unit (``"亿元"`` -> ``"money"``)."""
    return unit_info(unit)[0]


def is_nonnegative(unit: str) -> bool:
    """Whether a variable stored in ``unit`` is nonnegative by default (all but ratios and indices)."""
    return not any(part in SIGNED_DIMENSIONS for part in dimension(unit).split("/"))


def is_scaled(unit: str) -> bool:
    """Whether values in ``unit`` can slip by a power of ten (see `SCALED_DIMENSIONS`)."""
    return any(part in SCALED_DIMENSIONS for part in dimension(unit).split("/"))


_HEADER_UNIT = re.compile(r"^(?P<name>.*?)\s*[（(]\s*(?P<unit>[^()（）]+?)\s*[)）]\s*$")


def header_unit(header: str) -> str | None:
    """The unit written in a header as ``名称(单位)`` or ``名称（单位）``, if it is a known unit.

    Parenthesised text that is not a unit (``指数(2011=100)``) gives None.

    Examples
    --------
    >>> header_unit("R&D经费内部支出(万元)"), header_unit("人均GDP（元/人）"), header_unit("指数(2011=100)")
    ('万元', '元/人', None)
    """
    match = _HEADER_UNIT.match(str(header).strip())
    if match is None or not is_unit(match["unit"]):
        return None
    return match["unit"]


def conversion_factor(from_unit: str, to_unit: str, *, where: str = "") -> float:
    """Factor that converts values in ``from_unit`` into ``to_unit``.

    Parameters
    ----------
    from_unit, to_unit
        Units from `UNITS` or compound ``A/B`` units (e.g. ``"万元"`` and ``"亿元"``).
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
    >>> conversion_factor("元/人", "万元/人")
    0.0001
    >>> conversion_factor("千公顷", "平方公里")
    10.0
    """
    from_dim, from_factor = unit_info(from_unit, where=where)
    to_dim, to_factor = unit_info(to_unit, where=where)
    if from_dim != to_dim:
        raise DataError(
            f"{where}unit mismatch: the raw column is in {from_unit!r} ({from_dim}) but the variable is "
            f"stored in {to_unit!r} ({to_dim}); fix the unit in the [[sources]] entry or the variable"
        )
    return from_factor / to_factor


def units_listing() -> str:
    """The list of units by dimension, as shown in README's spec reference (generated from `UNITS`).

    Examples
    --------
    >>> units_listing().split("; ")[0]
    'money: 元 千元 万元 百万元 亿元'
    """
    dims: dict[str, list[str]] = {}
    for unit, (dim, _) in UNITS.items():
        dims.setdefault(dim, []).append(unit)
    return "; ".join(f"{dim}: {' '.join(units)}" for dim, units in dims.items()) + (
        "; and A/B of any two (元/人, 万元/人)"
    )
