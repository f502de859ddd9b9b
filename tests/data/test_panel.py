"""clusterdx.data.panel: one test per kind of bad input, asserting the specific message."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx.data.panel import build_clean, build_panel
from clusterdx.errors import DataError

from .conftest import BASE_SPEC, GOOD_ROWS


def test_good_file_gives_balanced_panel_in_stored_units(make_study):
    panel, audit = build_panel(make_study())
    assert panel.shape == (9, 4)
    assert panel["region"].tolist()[:3] == [110000, 110000, 110000]
    # GDP of Beijing 2020: 36,102,000 万元 = 3,610.2 亿元 (万元 → 亿元 is × 1e-4)
    np.testing.assert_allclose(panel["gdp"].iloc[0], 3610.2, rtol=1e-12)
    assert audit.to_dict()["rows_read"] == 9
    assert audit.rows_dropped == 0


def test_conflicting_duplicate_region_year_is_an_error_naming_rows(make_study):
    rows = [*GOOD_ROWS, ("北京市", 2021, "40000000", "2189")]
    with pytest.raises(
        DataError,
        match=r"macro\.csv: duplicate region-year key\(s\) with conflicting values"
        r" \(2 rows\): row 3: region=110000, year=2021; row 11",
    ):
        build_panel(make_study(rows))


def test_exact_duplicate_is_dropped_and_audited(make_study):
    rows = [*GOOD_ROWS, GOOD_ROWS[4]]
    panel, audit = build_panel(make_study(rows))
    assert len(panel) == 9
    entry = audit.to_dict()["files"]["macro.csv"]
    assert entry["rows_read"] == 10
    assert entry["rows_kept"] == 9
    assert entry["dropped"] == [
        {
            "row": 11,
            "reason": "exact duplicate of an earlier row",
            "key": {"region": 120000, "year": 2021},
        }
    ]


def test_exact_duplicate_is_an_error_when_policy_says_so(make_study):
    rows = [*GOOD_ROWS, GOOD_ROWS[4]]
    study = make_study(rows, cleaning={"duplicates": "error"})
    with pytest.raises(
        DataError, match=r"identical rows .* or set \[cleaning\].duplicates = 'drop_exact'"
    ):
        build_panel(study)


def test_region_not_in_registry(make_study):
    rows = [*GOOD_ROWS[:8], ("火星省", 2022, "1", "1")]
    with pytest.raises(
        DataError,
        match=r"macro\.csv, row 10, column '地区': region '火星省' is not in the "
        r"province registry",
    ):
        build_panel(make_study(rows))


def test_unknown_numeric_region_code(make_study):
    rows = [*GOOD_ROWS[:8], ("990000", 2022, "1", "1")]
    with pytest.raises(DataError, match=r"row 10, column '地区': region '990000' is not in"):
        build_panel(make_study(rows))


def test_non_numeric_cell_names_row_column_and_value(make_study):
    rows = [*GOOD_ROWS[:4], ("天津市", 2021, "1569.5亿", "1373"), *GOOD_ROWS[5:]]
    with pytest.raises(
        DataError,
        match=r"non-numeric cell\(s\) \(1 in total\): macro\.csv, row 6, column "
        r"'GDP\(万元\)': '1569\.5亿'",
    ):
        build_panel(make_study(rows))


def test_missing_required_column(make_study):
    study = make_study(header=("地区", "年份", "GDP", "人口(万人)"))
    with pytest.raises(
        DataError,
        match=r"macro\.csv: missing required column\(s\) 'GDP\(万元\)'; the file "
        r"has '地区', '年份', 'GDP', '人口\(万人\)'",
    ):
        build_panel(study)


def test_year_outside_study_window(make_study):
    rows = [*GOOD_ROWS, ("河北省", 2023, "43000000", "7400")]
    with pytest.raises(
        DataError,
        match=r"macro\.csv, row 11, column '年份': year 2023 is outside the study "
        r"window 2020-2022 \(1 such rows\)",
    ):
        build_panel(make_study(rows))


def test_year_outside_window_dropped_and_counted_when_asked(make_study):
    rows = [*GOOD_ROWS, ("河北省", 2023, "43000000", "7400")]
    panel, audit = build_panel(make_study(rows, cleaning={"out_of_window": "drop"}))
    assert len(panel) == 9
    entry = audit.to_dict()["files"]["macro.csv"]
    assert (entry["rows_read"], entry["rows_kept"]) == (10, 9)
    assert entry["dropped_by_reason"] == {"year outside study window": 1}


def test_gbk_file_declared_utf8_is_refused_with_the_fix(make_study):
    spec_sources = [{**BASE_SPEC["sources"][0], "encoding": "utf-8"}]
    study = make_study(encoding="gbk", sources=spec_sources)
    with pytest.raises(
        DataError,
        match=r"macro\.csv: not UTF-8 \(byte 0x.. at offset \d+\); it looks like "
        r"GB.*Set encoding = 'gbk' \(or 'auto'\)",
    ):
        build_panel(study)


def test_gbk_file_is_detected_automatically(make_study):
    panel, audit = build_panel(make_study(encoding="gbk"))
    assert len(panel) == 9
    assert audit.to_dict()["files"]["macro.csv"]["encoding"] == "gb18030"


def test_missing_cell_is_an_error_by_default(make_study):
    rows = [*GOOD_ROWS[:4], ("天津市", 2021, "", "1373"), *GOOD_ROWS[5:]]
    with pytest.raises(DataError, match=r"macro\.csv: 1 missing cell\(s\): row 6, column 'gdp'"):
        build_panel(make_study(rows))


def test_missing_interior_cell_interpolated_and_audited(make_study):
    rows = [*GOOD_ROWS[:4], ("天津市", 2021, "", "1373"), *GOOD_ROWS[5:]]
    panel, audit = build_panel(make_study(rows, cleaning={"missing": "interpolate"}))
    # linear between 2020 (1408.37 亿元) and 2022 (1631.13 亿元)
    value = panel.loc[(panel["region"] == 120000) & (panel["year"] == 2021), "gdp"].item()
    assert value == pytest.approx((1408.37 + 1631.13) / 2, rel=1e-12)
    (change,) = audit.to_dict()["files"]["macro.csv"]["changed"]
    assert change["row"] == 6 and change["action"] == "interpolated"


def test_missing_cell_dropped_leaves_an_unbalanced_panel_audited(make_study):
    rows = [*GOOD_ROWS[:4], ("天津市", 2021, "", "1373"), *GOOD_ROWS[5:]]
    panel, audit = build_panel(make_study(rows, cleaning={"missing": "drop"}))
    assert len(panel) == 8
    entry = audit.to_dict()["tables"]["panel"]
    assert entry["balanced"] is False
    assert entry["missing_region_years"] == [
        {"region": 120000, "year": 2021, "variables": ["gdp", "pop"], "from": ["macro"]}
    ]


def test_unit_slip_is_an_error_naming_the_cell(make_study):
    rows = list(GOOD_ROWS)
    rows[7] = ("河北省", 2021, "403913000000", "7448")  # typed in 元, not 万元
    # 河北's series splits into (3620.69, 4237.04) and (40391300) 亿元; the first is close to the other
    # regions' values in the same years, so the single 40391300 is the slip, 1e4 too large
    with pytest.raises(
        DataError,
        match=r"macro\.csv, row 9, column 'GDP\(万元\)': a unit slip in region=130000: 1 of 3 values "
        r"\(rows 9\) are about 1e\+4 times the other values; value 4\.03913e\+07",
    ):
        build_panel(make_study(rows))


def test_unit_slip_rescaled_and_audited_when_asked(make_study):
    rows = list(GOOD_ROWS)
    rows[7] = ("河北省", 2021, "403913000000", "7448")
    panel, audit = build_panel(make_study(rows, cleaning={"unit_slip": "rescale"}))
    value = panel.loc[(panel["region"] == 130000) & (panel["year"] == 2021), "gdp"].item()
    assert value == pytest.approx(4039.13, rel=1e-12)
    (change,) = audit.to_dict()["files"]["macro.csv"]["changed"]
    assert change["action"] == "unit slip rescaled by 1e-4"
    assert change["old"] == pytest.approx(40391300.0)


def test_unit_mismatch_between_source_and_variable(make_study):
    sources = [
        {
            **BASE_SPEC["sources"][0],
            "variables": {
                "gdp": {"column": "GDP", "unit": "万人"},
                "pop": {"column": "人口(万人)", "unit": "万人"},
            },
        }
    ]
    with pytest.raises(
        DataError,
        match=r"column 'GDP': unit mismatch: the raw column is in '万人' "
        r"\(persons\) but the variable is stored in '亿元' \(money\)",
    ):
        build_panel(make_study(sources=sources, header=("地区", "年份", "GDP", "人口(万人)")))


def test_missing_raw_file(make_study, tmp_path):
    study = make_study()
    (tmp_path / "raw" / "macro.csv").unlink()
    with pytest.raises(DataError, match=r"raw file .*macro\.csv does not exist"):
        build_clean(study)


def test_schema_guards_the_assembled_panel(make_study):
    from clusterdx.data.schemas import validate_panel
    from clusterdx.errors import PanelError

    study = make_study()
    panel, _ = build_panel(study)
    bad = panel.assign(gdp=panel["gdp"].where(panel.index != 2, np.inf))
    with pytest.raises(PanelError, match=r"column 'gdp': finite \(no NaN or inf\) failed for inf"):
        validate_panel(study, bad)
    with pytest.raises(PanelError, match=r"column 'year': in_range\(2020, 2022\) failed for 2019"):
        validate_panel(study, panel.assign(year=panel["year"] - 1))


def test_a_conforming_panel_skips_pandera_with_the_schemas_result(make_study):
    """The numpy pre-check passes only panels that the pandera schema returns unchanged."""
    from clusterdx.data.schemas import _conforms, panel_schema

    study = make_study()
    panel, _ = build_panel(study)
    variables = [c for c in panel.columns if c not in ("region", "year")]
    assert _conforms(study, panel, variables)
    pd.testing.assert_frame_equal(panel_schema(study, variables).validate(panel), panel)
    assert not _conforms(study, panel.assign(year=panel["year"] - 1), variables)
    assert not _conforms(study, pd.concat([panel, panel.head(1)]), variables)
