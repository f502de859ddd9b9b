"""Facts of China's geography that the committed registry must reproduce."""

from __future__ import annotations

import numpy as np
import pytest

from clusterdx import regions
from clusterdx.errors import DataError

# Facts from the NBS list of provincial units and the official province maps (天地图 / 国家基础
# 地理信息中心); areas from the NBS/government figures quoted in the comments.


def test_default_registry_has_the_31_mainland_provinces():
    frame = regions.provinces()
    assert len(frame) == 31
    assert list(frame.columns) == [
        "code",
        "name_zh",
        "name_en",
        "macro_region",
        "lon",
        "lat",
        "area_km2",
    ]
    assert frame["code"].is_monotonic_increasing
    assert frame["macro_region"].value_counts().to_dict() == {
        "west": 12,
        "east": 10,
        "central": 6,
        "northeast": 3,
    }


def test_sar_taiwan_only_with_flag():
    frame = regions.provinces(include_sar_taiwan=True)
    assert len(frame) == 34
    assert set(frame.loc[frame["macro_region"] == "sar_taiwan", "name_en"]) == {
        "Taiwan",
        "Hong Kong",
        "Macao",
    }


def test_english_names_are_the_standard_ones():
    names = regions.provinces().set_index("code")["name_en"]
    assert names[150000] == "Inner Mongolia"
    assert names[140000] == "Shanxi"
    assert names[610000] == "Shaanxi"
    assert names[650000] == "Xinjiang"


def neighbours(code: int, level: str = "province", rule: str = "queen") -> set[int]:
    pairs = regions.adjacency(level, rule)
    return set(pairs.loc[pairs["code_i"] == code, "code_j"])


def test_beijing_borders_only_tianjin_and_hebei():
    assert neighbours(110000) == {120000, 130000}


def test_inner_mongolia_borders_eight_provinces():
    # Gansu, Ningxia, Shaanxi, Shanxi, Hebei, Liaoning, Jilin, Heilongjiang.
    assert neighbours(150000) == {620000, 640000, 610000, 140000, 130000, 210000, 220000, 230000}


def test_hainan_is_linked_to_guangdong_by_the_nearest_rule():
    pairs = regions.adjacency("province", "queen")
    hainan = pairs[(pairs["code_i"] == 460000)]
    assert hainan["code_j"].tolist() == [440000]
    assert hainan["link"].tolist() == ["nearest"]
    # Qiongzhou Strait: about 20 km between Haikou and the Leizhou peninsula at its narrowest.
    assert 10 < hainan["distance_km"].iloc[0] < 30
    back = pairs[(pairs["code_i"] == 440000) & (pairs["code_j"] == 460000)]
    assert back["link"].tolist() == ["nearest"]


def test_adjacency_is_symmetric_and_rook_within_queen():
    queen = regions.adjacency("county", "queen")
    rook = regions.adjacency("county", "rook")
    as_set = {tuple(p) for p in queen[["code_i", "code_j"]].to_numpy()}
    assert as_set == {(j, i) for i, j in as_set}
    rook_border = rook[rook["link"] == "border"]
    assert {tuple(p) for p in rook_border[["code_i", "code_j"]].to_numpy()} < as_set


def test_hainan_point_lies_on_the_island():
    hainan = regions.provinces().set_index("code").loc[460000]
    assert 18.0 < hainan["lat"] < 20.2
    assert 108.5 < hainan["lon"] < 111.1


def test_areas_match_official_figures():
    area = regions.provinces().set_index("code")["area_km2"]
    # Beijing 16,410.54 km² (北京市人民政府, 北京概况); Xinjiang 1.6649 million km² (新疆概况).
    np.testing.assert_allclose(area[110000], 16410.54, rtol=0.01)
    np.testing.assert_allclose(area[650000], 1_664_900, rtol=0.03)


def test_municipalities_are_single_city_level_units():
    cities = regions.cities().set_index("code")
    for code in (110000, 120000, 310000, 500000):
        assert cities.loc[code, "province_code"] == code


@pytest.mark.parametrize("query", ["广东", "广东省", "Guangdong", " guangdong ", 440000, "440000"])
def test_lookup_accepts_names_with_or_without_suffix_english_and_codes(query):
    assert regions.lookup(query) == 440000


def test_lookup_aliases_and_county_level():
    assert regions.lookup("内蒙古") == 150000
    assert regions.lookup("Xizang") == 540000
    assert regions.lookup("香港") == 810000
    assert regions.lookup("海淀区", level="county") == 110108


def test_lookup_unknown_lists_close_matches():
    with pytest.raises(
        DataError, match=r"'广栋' is not a province-level code or name.*close matches: .*广东"
    ):
        regions.lookup("广栋")


def test_lookup_ambiguous_lists_candidates():
    with pytest.raises(
        DataError, match=r"matches several county-level units: .*320106 鼓楼区.*350102 鼓楼区"
    ):
        regions.lookup("鼓楼区", level="county")


def test_wrong_level_and_rule_list_the_allowed_values():
    with pytest.raises(DataError, match=r"level='town'.*\['province', 'city', 'county'\]"):
        regions.adjacency("town")
    with pytest.raises(DataError, match=r"rule='bishop'.*\['queen', 'rook'\]"):
        regions.adjacency("province", "bishop")


def test_geometry_is_in_cgcs2000_and_matches_registry_codes():
    frame = regions.geometry("province")
    assert frame.crs.to_epsg() == 4490
    assert frame["code"].tolist() == regions.provinces()["code"].tolist()


@pytest.mark.parametrize("level", ["province", "city", "county"])
@pytest.mark.parametrize("include_sar_taiwan", [False, True])
def test_every_level_forms_one_connected_graph(level, include_sar_taiwan):
    sparse = pytest.importorskip("scipy.sparse")
    csgraph = pytest.importorskip("scipy.sparse.csgraph")
    codes = regions.registry.table(level, include_sar_taiwan)["code"]
    position = dict(zip(codes, range(len(codes)), strict=True))
    pairs = regions.adjacency(level, "rook", include_sar_taiwan)
    graph = sparse.csr_matrix(
        (np.ones(len(pairs)), (pairs["code_i"].map(position), pairs["code_j"].map(position))),
        shape=(len(codes), len(codes)),
    )
    assert csgraph.connected_components(graph, directed=False)[0] == 1


def test_hainan_city_group_joins_the_mainland_across_the_qiongzhou_strait():
    pairs = regions.adjacency("city", "queen")
    link = pairs[(pairs["code_i"] == 440800) & (pairs["code_j"] == 460100)]  # 湛江市 - 海口市
    assert link["link"].tolist() == ["nearest"]
