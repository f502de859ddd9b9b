"""A study's own regions (``[regions]`` of study.toml): codes, names, points, groups, polygons.

China's built-in registry (`clusterdx.regions.registry`) knows GB/T 2260 codes and Chinese/English
name rules. A study of US states, EU NUTS regions or industrial parks brings its regions instead: a
table with one row per region (``code``, ``name``, optional ``name_en``, ``lon``, ``lat``,
``group``) and optionally a polygon file read by geopandas. Names are matched exactly as given
(after trimming spaces), codes as given or as text; no Chinese suffix rules apply. Points missing
from the table are the polygons' area centroids (computed in the equal-area EPSG:6933 projection).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from clusterdx.errors import DataError

if TYPE_CHECKING:
    import geopandas

    from clusterdx.study import Study

COLUMNS = ["code", "name", "name_en", "lon", "lat", "group"]
_EQUAL_AREA = "EPSG:6933"
_SHOWN = 5


@dataclass(frozen=True)
class OwnRegions:
    """The regions of a study: ``frame`` (columns `COLUMNS`) and optional ``shapes`` (code, geometry).

    Examples
    --------
    >>> import pandas as pd
    >>> regions = OwnRegions.from_frame(pd.DataFrame({"code": ["AL", "GA"],
    ...                                               "name": ["ALABAMA", "GEORGIA"]}))
    >>> regions.lookup("GEORGIA"), regions.lookup("AL"), regions.codes
    ('GA', 'AL', ['AL', 'GA'])
    >>> regions.lookup("Georgia")
    Traceback (most recent call last):
    ...
    clusterdx.errors.DataError: 'Georgia' is not a code or name of the study's regions; close matches: 'GEORGIA'
    """

    frame: pd.DataFrame
    shapes: geopandas.GeoDataFrame | None = None
    source: str = "the study's regions"

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        shapes: geopandas.GeoDataFrame | None = None,
        source: str = "the study's regions",
    ) -> OwnRegions:
        """Check a region table (``code`` and ``name`` columns) and complete its optional columns."""
        missing = [c for c in ("code", "name") if c not in frame.columns]
        if missing:
            raise DataError(
                f"{source}: column(s) {missing} are missing (columns: {list(frame.columns)}); "
                "give code_column / name_column in [regions] where the names differ"
            )
        frame = frame.copy()
        frame["code"] = _codes(frame["code"], source)
        frame["name"] = frame["name"].astype(str).str.strip()
        blank = np.flatnonzero((frame["name"] == "").to_numpy())
        if blank.size:
            raise DataError(f"{source}: row {int(blank[0]) + 2} has no name")
        for column, values in (("code", frame["code"]), ("name", frame["name"])):
            repeated = values[values.duplicated()].unique().tolist()
            if repeated:
                raise DataError(
                    f"{source}: {column}s repeat: {repeated[:_SHOWN]}; one row per region"
                )
        english = frame["name_en"].astype(str).str.strip() if "name_en" in frame else frame["name"]
        frame["name_en"] = english.where(english != "", frame["name"])
        frame["group"] = frame["group"].astype(str) if "group" in frame else "all"
        for column in ("lon", "lat"):
            frame[column] = (
                pd.to_numeric(frame[column], errors="coerce") if column in frame else np.nan
            )
        if shapes is not None and frame[["lon", "lat"]].isna().any().any():
            points = centroids(shapes).reindex(frame["code"])
            for column in ("lon", "lat"):
                frame[column] = frame[column].fillna(
                    pd.Series(points[column].to_numpy(), frame.index)
                )
        return cls(frame[COLUMNS].reset_index(drop=True), shapes, source)

    @property
    def codes(self) -> list[Hashable]:
        """The region codes in table order (Python ints or strings)."""
        return [_plain(c) for c in self.frame["code"]]

    def index(self) -> dict[str, Hashable]:
        """Look-up table: each name, English name and code (as text) -> code."""
        keys: dict[str, Hashable] = {}
        for code, name, name_en in self.frame[["code", "name", "name_en"]].itertuples(index=False):
            for key in (str(code), name, name_en):
                if str(key).strip():
                    keys.setdefault(str(key).strip(), _plain(code))
        return keys

    def lookup(self, value: object) -> Hashable:
        """Code of a region given its code or name exactly as in the region table."""
        keys = self.index()
        key = str(value).strip()
        if key in keys:
            return keys[key]
        lowered = {k.lower(): k for k in keys}
        close = [
            lowered[k] for k in difflib.get_close_matches(key.lower(), lowered, n=3, cutoff=0.6)
        ]
        hint = f"; close matches: {', '.join(repr(c) for c in close)}" if close else ""
        raise DataError(f"{value!r} is not a code or name of {self.source}{hint}")

    def table(self, codes=None) -> pd.DataFrame:
        """Region rows (all, or those of ``codes`` in table order), with polygons when known."""
        frame = self.frame if codes is None else self.frame[self.frame["code"].isin(list(codes))]
        if self.shapes is None:
            return frame.reset_index(drop=True)
        import geopandas

        shapes = self.shapes.set_index("code")["geometry"]
        return geopandas.GeoDataFrame(
            frame.reset_index(drop=True),
            geometry=shapes.reindex(frame["code"]).to_numpy(),
            crs=self.shapes.crs,
        )


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _codes(values: pd.Series, source: str) -> pd.Series:
    """Codes as integers when every code is an integer without leading zeros, else as text."""
    if pd.api.types.is_integer_dtype(values):
        return values.astype("int64")
    text = values.astype(str).str.strip()
    text = (
        text.str.replace(r"\.0$", "", regex=True) if pd.api.types.is_float_dtype(values) else text
    )
    empty = text.isin(["", "nan", "None"]) | values.isna()
    if empty.any():
        raise DataError(f"{source}: row {int(np.flatnonzero(empty)[0]) + 2} has no code")
    if text.map(lambda c: re.fullmatch(r"-?[1-9]\d*|0", c) is not None).all():
        return text.astype("int64")
    return text.astype(object)


def centroids(shapes: geopandas.GeoDataFrame) -> pd.DataFrame:
    """Area centroids (lon, lat in degrees) of polygons, by ``code``; computed in EPSG:6933."""
    projected = shapes.to_crs(_EQUAL_AREA).geometry.centroid
    points = projected.to_crs("EPSG:4326")
    return pd.DataFrame(
        {"lon": points.x.to_numpy(), "lat": points.y.to_numpy()}, index=shapes["code"]
    )


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV (UTF-8, or GBK/GB18030) or XLSX region table with every column as text."""
    if not path.exists():
        raise DataError(f"regions file {path} does not exist; check [regions].file")
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(f"regions file {path} is neither UTF-8 nor GBK/GB18030 text")


def read_shapes(path: Path, key: str, regions: OwnRegions) -> geopandas.GeoDataFrame:
    """Polygons of ``path`` keyed to region codes through its ``key`` column (codes or names).

    A file without a CRS whose bounds fit in degrees is taken as EPSG:4326 (lon/lat).
    """
    import geopandas

    if not path.exists():
        raise DataError(f"geometry file {path} does not exist; check [regions].geometry")
    shapes = geopandas.read_file(path)
    if key not in shapes.columns:
        columns = [c for c in shapes.columns if c != "geometry"]
        raise DataError(
            f"{path.name}: no column {key!r} to join the polygons to the regions (columns: "
            f"{columns}); set [regions].geometry_key to the column holding the codes or names"
        )
    if shapes.crs is None:
        xmin, ymin, xmax, ymax = shapes.total_bounds
        if not (-180 <= xmin <= xmax <= 360 and -90 <= ymin <= ymax <= 90):
            raise DataError(
                f"{path.name} has no coordinate reference system and its coordinates are not "
                "degrees; ship its .prj file (or save it as GeoPackage with its CRS)"
            )
        shapes = shapes.set_crs("EPSG:4326")
    keys = regions.index()
    values = shapes[key].astype(str).str.strip()
    unknown = sorted(set(values) - set(keys))
    if unknown:
        raise DataError(
            f"{path.name}, column {key!r}: {unknown[:_SHOWN]} are not codes or names in "
            f"{regions.source} ({len(unknown)} polygon(s)); add them to the region table or drop them"
        )
    codes = values.map(keys)
    repeated = codes[codes.duplicated()].unique().tolist()
    if repeated:
        raise DataError(f"{path.name}: several polygons for region(s) {repeated[:_SHOWN]}")
    absent = [c for c in regions.codes if c not in set(codes)]
    if absent:
        raise DataError(
            f"{path.name} has no polygon for region(s) {absent[:_SHOWN]} of {regions.source}"
        )
    return geopandas.GeoDataFrame(
        {"code": codes.to_numpy()}, geometry=shapes.geometry.values, crs=shapes.crs
    )


def read_regions(
    file: str | Path,
    geometry: str | Path | None = None,
    *,
    code_column: str = "code",
    name_column: str = "name",
    geometry_key: str | None = None,
) -> OwnRegions:
    """Read a region table and, optionally, its polygons (the Python form of ``[regions]``).

    Parameters
    ----------
    file : CSV or XLSX with ``code_column`` and ``name_column`` (plus optional ``name_en``,
        ``lon``, ``lat``, ``group``).
    geometry : polygon file geopandas reads (shp, gpkg, geojson), optional.
    code_column, name_column : columns of ``file`` holding the codes and the names.
    geometry_key : column of ``geometry`` holding codes or names (default ``code_column``).

    Raises
    ------
    DataError
        Missing file or column, repeated codes or names, polygons that match no region.
    """
    path = Path(file)
    raw = read_table(path)
    missing = [c for c in (code_column, name_column) if c not in raw.columns]
    if missing:
        raise DataError(
            f"{path.name}: column(s) {missing} are missing (columns: {list(raw.columns)}); set "
            "[regions].code_column / name_column to the columns with the codes and the names"
        )
    frame = raw.drop(
        columns=[
            c for c in ("code", "name") if c in raw.columns and c not in (code_column, name_column)
        ]
    )
    frame = frame.rename(columns={code_column: "code", name_column: "name"})
    regions = OwnRegions.from_frame(frame, source=f"the regions file {path.name}")
    if geometry is None:
        return regions
    shapes = read_shapes(Path(geometry), geometry_key or code_column, regions)
    return OwnRegions.from_frame(frame, shapes, source=regions.source)


def study_regions(study: Study, with_geometry: bool = False) -> OwnRegions | None:
    """The ``[regions]`` of a study (polygons only when asked), or None for China's registry."""
    spec = study.spec.regions
    if spec is None:
        return None
    return read_regions(
        study.root / spec.file,
        study.root / spec.geometry if with_geometry and spec.geometry else None,
        code_column=spec.code_column,
        name_column=spec.name_column,
        geometry_key=spec.geometry_key,
    )
