"""Boundary changes in the data layer: recoded, merged and split units (city level)."""

from __future__ import annotations

import pytest

from clusterdx.data.panel import build_panel
from clusterdx.errors import DataError
from clusterdx.regions.crosswalk import crosswalk, find_change

CITY = {"study": {"name": "cities", "years": [2018, 2019], "level": "city"}}
ROWS = [
    ("济南市", 2018, "74000000", "746"),
    ("济南市", 2019, "94433000", "890"),
    (
        "莱芜市",
        2018,
        "10050000",
        "138",
    ),  # merged into 济南 in 2019: its 2018 row is summed into 济南's
    ("毕节地区", 2018, "19210000", "668"),  # recoded to 毕节市 520500
    ("毕节市", 2019, "19020000", "671"),
]


def test_shipped_city_crosswalk_entries():
    table = crosswalk("city")
    laiwu = find_change("莱芜", table)
    assert (laiwu.old_code, laiwu.new_code, laiwu.year, laiwu.kind) == (
        371200,
        370100,
        2019,
        "merge",
    )
    assert find_change(522400, table).new_code == 520500
    assert find_change("济南市", table) is None
    assert crosswalk("province").empty


def test_merged_unit_is_an_error_by_default(make_study):
    with pytest.raises(
        DataError,
        match=r"macro\.csv, row \d: a merged unit was recoded to region 370100, "
        r"which has its own row for the same key \(region=370100, year=2018\)",
    ):
        build_panel(make_study(ROWS, **CITY))


def test_merged_unit_summed_and_recoded_unit_mapped_with_audit(make_study):
    panel, audit = build_panel(make_study(ROWS, **CITY, cleaning={"merged_units": "sum"}))
    jinan = panel[(panel["region"] == 370100) & (panel["year"] == 2018)]
    # 济南 7,400 亿元 + 莱芜 1,005 亿元 (万元 → 亿元: × 1e-4); population 746 + 138 万人
    assert jinan["gdp"].item() == pytest.approx(7400.0 + 1005.0, rel=1e-12)
    assert jinan["pop"].item() == pytest.approx(884.0, rel=1e-12)
    assert sorted(panel["region"].unique()) == [370100, 520500]
    entry = audit.to_dict()["files"]["macro.csv"]
    assert entry["rows_read"] == 5
    assert entry["rows_kept"] == 4
    assert entry["dropped_by_reason"] == {"merged unit summed into its absorbing unit": 1}
    actions = sorted(c["action"] for c in entry["changed"])
    assert actions == [
        "region merge: 莱芜市 -> 济南市 (2019)",
        "region recode: 毕节地区 -> 毕节市 (2011)",
    ]


def test_split_unit_is_an_error_naming_successors(make_study):
    rows = [*ROWS[:2], ("巢湖市", 2018, "1", "1")]
    with pytest.raises(
        DataError,
        match=r"row 4, column '地区': 巢湖市 \(341400\) was split in 2011 into "
        r"合肥市/芜湖市/马鞍山市 .* allocate its rows to the successor units",
    ):
        build_panel(make_study(rows, **CITY))


def test_study_crosswalk_file_adds_rows(make_study, tmp_path):
    own = tmp_path / "my_crosswalk.csv"
    own.write_text(
        "old_code,old_name,new_code,new_name,year,kind,note\n"
        "370199,旧济南新区,370100,济南市,2018,recode,test\n",
        encoding="utf-8",
    )
    rows = [("旧济南新区", 2018, "74000000", "746"), ("济南市", 2019, "94433000", "890")]
    panel, _ = build_panel(make_study(rows, **CITY, cleaning={"crosswalk": "my_crosswalk.csv"}))
    assert panel["region"].unique().tolist() == [370100]
