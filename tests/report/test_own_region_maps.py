"""LISA maps of a study's own regions: polygons or points, no China projection or inset."""

from __future__ import annotations

import geopandas
import libpysal
import pandas as pd
import pytest
from shapely.geometry import Point

from clusterdx.errors import WeightsError
from clusterdx.report._spatial_figures import CLUSTER_COLOURS, plain_lisa_map


def _clusters(codes):
    classes = ["HH", "LL", "ns", "HL"]
    return pd.DataFrame(
        {"cluster": [classes[i % 4] for i in range(len(codes))]}, index=pd.Index(codes)
    )


def test_polygons_map_has_one_axis_and_the_cluster_colours(tmp_path):
    shapes = geopandas.read_file(libpysal.examples.get_path("us48.shp"))
    shapes = geopandas.GeoDataFrame({"code": shapes["STATE_ABBR"]}, geometry=shapes.geometry)
    path = tmp_path / "lisa.png"
    fig = plain_lisa_map(
        _clusters(shapes["code"].tolist()), shapes, year=1986, label="gsp", lang="en", target=path
    )
    assert len(fig.axes) == 1  # no South China Sea inset
    assert fig.axes[0].get_title() == "LISA cluster map of gsp, 1986"
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == [
        "High-High (HH)",
        "Low-High (LH)",
        "Low-Low (LL)",
        "High-Low (HL)",
        "Not significant",
    ]
    assert path.stat().st_size > 10_000
    assert CLUSTER_COLOURS["HH"] == "#d7191c"


def test_points_map_and_missing_shapes():
    shapes = geopandas.GeoDataFrame(
        {"code": ["A", "B", "C"]},
        geometry=[Point(120.1, 30.2), Point(121.5, 31.2), Point(118.8, 32.0)],
        crs="EPSG:4326",
    )
    fig = plain_lisa_map(
        _clusters(["A", "B", "C"]), shapes, year=2020, label="DT", lang="zh", target=None
    )
    assert fig.axes[0].get_title() == "DT LISA集聚图（2020年）"
    with pytest.raises(
        WeightsError, match=r"^ids \['D'\] of W have no shape in the regions' geometry"
    ):
        plain_lisa_map(_clusters(["A", "D"]), shapes, year=2020, label="DT", lang="zh", target=None)
