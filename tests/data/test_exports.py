"""Statistical-bureau and database exports read through the ``[[sources]]`` keys, every line audited.

Fixtures (tests/data/fixtures, written by make_fixtures.py): a 国家数据 分省年度数据 CSV export (GBK,
metadata lines, a 全国 row, year columns latest first, 注：/数据来源： footer), a CSMAR-style file with
three header rows (field code / Chinese name / unit), a legacy .xls wide sheet and a wide CSV.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from clusterdx.data.panel import build_clean
from clusterdx.errors import DataError, StudySpecError
from clusterdx.study import Study

FIXTURES = Path(__file__).parent / "fixtures"

# 国家统计局, 分省年度数据, 地区生产总值 (亿元), as in the fixture files
GDP = {
    (110000, 2020): 35943.3,
    (110000, 2022): 41610.9,
    (120000, 2021): 15685.1,
    (130000, 2022): 42370.4,
}


def _study(tmp_path, source, variables=None, years=(2020, 2022), **spec):
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    shutil.copy(FIXTURES / source["file"], raw / source["file"])
    return Study.from_dict(
        {
            "study": {"name": "exports", "years": list(years)},
            "paths": {"root": ".", "raw": "raw"},
            "variables": variables or {"gdp": {"unit": "亿元"}},
            "sources": [{"name": "src", "region": "地区", **source}],
            **spec,
        },
        tmp_path / "study.toml",
    )


def _gdp(panel):
    return {key: panel.set_index(["region", "year"])["gdp"].loc[key] for key in GDP}


def _audit(clean, tmp_path, name):
    path = tmp_path / "audit.json"
    clean.audit.write(path)
    return json.loads(path.read_text(encoding="utf-8"))["files"][name]


NBS = {
    "file": "nbs_gdp_province.csv",
    "layout": "wide",
    "header_row": 4,
    "footer": "auto",
    "drop_regions": ["全国"],
    "variables": {"gdp": {}},
}


def test_nbs_export_read_with_every_skipped_line_audited(tmp_path):
    clean = build_clean(_study(tmp_path, NBS))
    assert _gdp(clean.panel) == GDP
    entry = _audit(clean, tmp_path, "nbs_gdp_province.csv")
    skipped = sorted((s["row"], s["reason"], s["text"][:4]) for s in entry["skipped"])
    assert skipped == [
        (1, "line above the header", "数据库："),
        (2, "line above the header", "指标：地"),
        (3, "line above the header", "时间：最"),
        (5, "region '全国' in drop_regions", "全国,1"),
        (9, "footer line", "注：1."),
        (10, "footer line", "数据来源"),
        (11, "blank line", ""),
    ]
    assert entry["encoding"] == "gb18030"
    # the unit comes from the 指标： line, since the source declares none
    assert entry["units"]["gdp"] == {"unit": "亿元", "from": "the '指标：' line above the header"}
    assert entry["reconciliation"][""] == {
        "lines": 11,
        "header_lines": 1,
        "record_lines": 3,
        "records_per_line": 3,
        "records_read": 9,
        "records_kept": 9,
        "lines_skipped": 7,
        "records_dropped": 0,
        "ok": True,
    }


def test_nbs_export_with_skip_rows_and_stored_in_wan_yuan(tmp_path):
    source = {**NBS, "skip_rows": 3}
    del source["header_row"]
    clean = build_clean(_study(tmp_path, source, {"gdp": {"unit": "万元"}}))
    assert clean.panel.set_index(["region", "year"])["gdp"].loc[(110000, 2022)] == pytest.approx(
        416109000.0, rel=1e-12
    )


def test_nbs_export_declared_unit_contradicting_the_indicator_line(tmp_path):
    source = {**NBS, "variables": {"gdp": {"unit": "万元"}}}
    with pytest.raises(
        DataError,
        match=r"^nbs_gdp_province\.csv: the '指标：' line above the header says the unit is '亿元', "
        r"but \[\[sources\]\] 'src' declares unit = '万元' for 'gdp'\. Fix the declaration",
    ):
        build_clean(_study(tmp_path, source))


def test_nbs_export_without_the_keys_names_the_fix(tmp_path):
    source = {**NBS, "footer": "none"}
    with pytest.raises(
        DataError,
        match=r"nbs_gdp_province\.csv, row 9, column '地区': region '注：1\..*set footer = 'auto'",
    ):
        build_clean(_study(tmp_path, source))
    source = {**NBS, "drop_regions": []}
    with pytest.raises(DataError, match=r"row 5, column '地区': region '全国' .*drop_regions"):
        build_clean(_study(tmp_path, source))


CSMAR = {
    "file": "csmar_province.csv",
    "region": "Prvcnm",
    "year": "统计年度",  # the Chinese name of the second header row works as well as the code
    "header_rows": 3,
    "variables": {"gdp": {"column": "Gdp"}, "pop": {"column": "年末常住人口"}},
}


def test_csmar_three_row_header_units_from_the_units_row(tmp_path):
    variables = {"gdp": {"unit": "万元"}, "pop": {"unit": "人"}}
    clean = build_clean(_study(tmp_path, CSMAR, variables))
    frame = clean.panel.set_index(["region", "year"])
    assert frame["gdp"].loc[(120000, 2021)] == pytest.approx(156851000.0, rel=1e-12)
    assert frame["pop"].loc[(130000, 2022)] == pytest.approx(74200000.0, rel=1e-12)
    entry = _audit(clean, tmp_path, "csmar_province.csv")
    assert entry["units"]["gdp"] == {"unit": "亿元", "from": "header 'Gdp'"}
    assert entry["reconciliation"][""]["header_lines"] == 3
    assert entry["reconciliation"][""]["ok"] is True


def test_csmar_units_row_contradicting_the_declaration(tmp_path):
    source = {**CSMAR, "variables": {"gdp": {"column": "Gdp", "unit": "万元"}}}
    with pytest.raises(
        DataError,
        match=r"^csmar_province\.csv: header 'Gdp' says the unit is '亿元', but \[\[sources\]\] "
        r"'src' declares unit = '万元' for 'gdp'",
    ):
        build_clean(_study(tmp_path, source, {"gdp": {"unit": "亿元"}}))


def test_explicit_units_row(tmp_path):
    source = {**CSMAR, "header_rows": 2, "units_row": 3, "header_row": 1}
    # with two header rows and the units in row 3, row 3 is above the records (which start at 4)
    source["header_rows"] = 3
    clean = build_clean(
        _study(tmp_path, source, {"gdp": {"unit": "亿元"}, "pop": {"unit": "万人"}})
    )
    assert len(clean.panel) == 9


def test_legacy_xls_wide_sheet(tmp_path):
    source = {
        "file": "yearbook_gdp.xls",
        "layout": "wide",
        "footer": "auto",
        "drop_regions": ["全国"],
        "variables": {"gdp": {"sheet": "地区生产总值(亿元)"}},
    }
    clean = build_clean(_study(tmp_path, source))
    assert _gdp(clean.panel) == GDP
    entry = _audit(clean, tmp_path, "yearbook_gdp.xls")
    assert sorted((s["row"], s["reason"], s["sheet"]) for s in entry["skipped"]) == [
        (2, "region '全国' in drop_regions", "地区生产总值(亿元)"),
        (6, "footer line", "地区生产总值(亿元)"),
    ]
    assert entry["units"]["gdp"]["from"] == "sheet name '地区生产总值(亿元)'"
    assert entry["reconciliation"]["地区生产总值(亿元)"]["ok"] is True


def test_wide_csv(tmp_path):
    source = {
        "file": "wide_population.csv",
        "layout": "wide",
        "variables": {"pop": {"unit": "万人"}},
    }
    clean = build_clean(_study(tmp_path, source, {"pop": {"unit": "万人"}}))
    assert clean.panel.set_index(["region", "year"])["pop"].loc[(120000, 2021)] == 1373.0
    assert len(clean.panel) == 9


def test_wide_csv_holds_one_variable():
    with pytest.raises(StudySpecError, match=r"a wide CSV file .* holds one variable"):
        Study.from_dict(
            {
                "study": {"name": "x", "years": [2020, 2022]},
                "variables": {"a": {}, "b": {}},
                "sources": [
                    {
                        "name": "s",
                        "file": "w.csv",
                        "region": "地区",
                        "layout": "wide",
                        "variables": {"a": {}, "b": {}},
                    }
                ],
            },
            Path("study.toml"),
        )


def test_header_row_and_skip_rows_exclusive():
    with pytest.raises(StudySpecError, match=r"give header_row \(4\) or skip_rows \(3\), not both"):
        Study.from_dict(
            {
                "study": {"name": "x", "years": [2020, 2022]},
                "sources": [
                    {**NBS, "name": "s", "region": "地区", "skip_rows": 3, "variables": {}}
                ],
            },
            Path("study.toml"),
        )
