"""Bad raw files: the catalogue of issue 18 (raw-file side) and issue 11 (exports, units).

Each case builds a small study from the committed demo files (four provinces, 2011-2014: the GBK
innovation CSV and two sheets of the wide yearbook workbook), breaks one thing and asserts either the
exact message (file, sheet, row, column and the fix) or the audit line. A property test then edits
random cells and checks that every edit either raises a clusterdx error or shows in the audit, and
that the audit reconciles.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterdx import regions
from clusterdx.data import panel as panel_module
from clusterdx.data.panel import build_clean
from clusterdx.errors import ClusterDXError, DataError, StudySpecError
from clusterdx.study import Study

from ..conftest import REPO

DEMO = REPO / "data_raw" / "demo"
REGIONS = ("北京市", "天津市", "河北省", "山西省")
SHORT = ("北京", "天津", "河北", "山西")
YEARS = ("2011", "2012", "2013", "2014")
SHEETS = ("地区生产总值(亿元)", "年末常住人口(万人)")
INNOVATION_HEADER = ["地区", "年份", "R&D经费内部支出(万元)", "发明专利授权数(件)"]


def innovation_rows() -> list[list[str]]:
    """Header + the demo rows of four provinces, 2011-2014 (R&D and patents columns)."""
    text = (DEMO / "innovation_gbk.csv").read_bytes().decode("gbk")
    rows = list(csv.reader(io.StringIO(text)))
    keep = [r[:4] for r in rows[1:] if r[0] in REGIONS and r[1] in YEARS]
    return [list(INNOVATION_HEADER), *keep]


def macro_sheets() -> dict[str, list[list]]:
    """The two demo sheets, four provinces x 2011-2014, values as numbers."""
    book = openpyxl.load_workbook(DEMO / "yearbook_macro.xlsx", read_only=True)
    out = {}
    for name in SHEETS:
        rows = list(book[name].iter_rows(values_only=True))
        header = list(rows[0][:5])
        out[name] = [header] + [list(r[:5]) for r in rows[1:] if r[0] in SHORT]
    return out


def write_csv(path: Path, rows, encoding="gbk") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)


def make_study(tmp_path, rows=None, sheets=None, *, innovation=None, variables=None, **spec):
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    write_csv(raw / "innovation.csv", innovation_rows() if rows is None else rows)
    write_xlsx(raw / "macro.xlsx", macro_sheets() if sheets is None else sheets)
    source = {
        "name": "innovation",
        "file": "innovation.csv",
        "region": "地区",
        "year": "年份",
        "variables": {
            "rd": {"column": "R&D经费内部支出(万元)", "unit": "万元"},
            "patents": {"column": "发明专利授权数(件)", "unit": "件"},
        },
        **(innovation or {}),
    }
    macro = {
        "name": "macro",
        "file": "macro.xlsx",
        "layout": "wide",
        "region": "地区",
        "variables": {"gdp": {"sheet": SHEETS[0]}, "population": {"sheet": SHEETS[1]}},
    }
    return Study.from_dict(
        {
            "study": {"name": "bad inputs", "years": [2011, 2014]},
            "paths": {"root": ".", "raw": "raw"},
            "variables": variables
            or {
                "rd": {"unit": "亿元"},
                "patents": {"unit": "件"},
                "gdp": {"unit": "亿元"},
                "population": {"unit": "万人"},
            },
            "sources": [source, macro],
            **spec,
        },
        tmp_path / "study.toml",
    )


def audit_of(clean, tmp_path, name):
    path = tmp_path / "audit.json"
    clean.audit.write(path)
    return json.loads(path.read_text(encoding="utf-8"))["files"][name]


def raises(exc, message):
    return pytest.raises(exc, match="^" + re.escape(message) + "$")


# ---------------------------------------------------------------- the good case


def test_good_files_reconcile(tmp_path):
    clean = build_clean(make_study(tmp_path))
    assert clean.panel.shape == (16, 6)
    entry = audit_of(clean, tmp_path, "macro.xlsx")
    assert sorted(entry["reconciliation"]) == sorted(SHEETS)
    assert all(t["ok"] and t["records_read"] == 16 for t in entry["reconciliation"].values())


# ---------------------------------------------------------------- units


def test_header_unit_contradicts_declared_unit(tmp_path):
    innovation = {"variables": {"rd": {"column": "R&D经费内部支出(万元)", "unit": "亿元"}}}
    with raises(
        DataError,
        "innovation.csv: header 'R&D经费内部支出(万元)' says the unit is '万元', but [[sources]] "
        "'innovation' declares unit = '亿元' for 'rd'. Fix the declaration (or the header): the "
        "values would be off by the ratio of the two units",
    ):
        build_clean(make_study(tmp_path, innovation=innovation))


def test_full_width_parentheses_in_header_carry_the_unit(tmp_path):
    rows = innovation_rows()
    rows[0][2] = "R&D经费内部支出（万元）"
    innovation = {"variables": {"rd": {"column": "R&D经费内部支出（万元）"}}}
    clean = build_clean(make_study(tmp_path, rows, innovation=innovation))
    assert audit_of(clean, tmp_path, "innovation.csv")["units"]["rd"] == {
        "unit": "万元",
        "from": "header 'R&D经费内部支出（万元）'",
    }
    # the raw 北京 2011 value in 万元, stored in 亿元
    assert clean.panel["rd"].iloc[0] == pytest.approx(float(rows[1][2]) / 1e4, rel=1e-12)


def test_sheet_name_unit_contradicts_declared_unit(tmp_path):
    study = make_study(tmp_path)
    spec = study.spec.model_dump()
    spec["sources"][1]["variables"]["gdp"]["unit"] = "万元"
    with raises(
        DataError,
        "macro.xlsx, sheet '地区生产总值(亿元)': sheet name '地区生产总值(亿元)' says the unit is "
        "'亿元', but [[sources]] 'macro' declares unit = '万元' for 'gdp'. Fix the declaration (or "
        "the header): the values would be off by the ratio of the two units",
    ):
        build_clean(Study.from_dict(spec, study.path))


def test_unknown_unit_points_at_unit_one(tmp_path):
    variables = {
        "rd": {"unit": "万卢布"},
        "patents": {"unit": "件"},
        "gdp": {"unit": "亿元"},
        "population": {"unit": "万人"},
    }
    with pytest.raises(DataError, match=r'for a unit not listed, unit = "1" in both stores the'):
        build_clean(make_study(tmp_path, variables=variables))


def test_unit_slip_factor_must_be_finite():
    with pytest.raises(
        StudySpecError,
        match=r"key 'cleaning\.unit_slip_factor': Input should be a finite number; got inf",
    ):
        Study.from_dict(
            {
                "study": {"name": "x", "years": [2011, 2014]},
                "sources": [],
                "cleaning": {"unit_slip_factor": float("inf")},
            },
            Path("study.toml"),
        )


# ---------------------------------------------------------------- cell contents


def test_decimal_comma_quoted(tmp_path):
    rows = innovation_rows()
    rows[1][2] = "4775060,6"
    with raises(
        DataError,
        "innovation.csv, row 2, column 'R&D经费内部支出(万元)': '4775060,6' has a comma that is not "
        "a thousands separator (a decimal comma?); write the decimal point as '.' (4775060.6)",
    ):
        build_clean(make_study(tmp_path, rows))


def test_unquoted_comma_names_the_line(tmp_path):
    raw = tmp_path / "raw"
    study = make_study(tmp_path)
    lines = (raw / "innovation.csv").read_bytes().decode("gbk").splitlines()
    lines[3] = lines[3].replace(".", ",", 1)
    (raw / "innovation.csv").write_bytes("\n".join(lines).encode("gbk"))
    with raises(
        DataError,
        "innovation.csv, line 4: 5 fields but the header has 4: an unquoted comma inside a value (a "
        "decimal comma such as 4775060,6, or a thousands separator)? Quote the value or write it "
        "without the comma (4775060.6)",
    ):
        build_clean(study)


def test_full_width_digits_are_read_and_audited(tmp_path):
    rows = innovation_rows()
    rows[1][3] = "９１９１"
    clean = build_clean(make_study(tmp_path, rows))
    assert clean.panel["patents"].iloc[0] == 9191.0
    (change,) = audit_of(clean, tmp_path, "innovation.csv")["changed"]
    assert change == {
        "row": 2,
        "column": "发明专利授权数(件)",
        "action": "full-width characters read as ASCII",
        "old": "９１９１",
        "new": "9191",
        "key": {},
    }


def test_text_in_a_second_sheet_names_sheet_and_row(tmp_path):
    sheets = macro_sheets()
    sheets[SHEETS[1]][3][2] = "7241万"
    with raises(
        DataError,
        "non-numeric cell(s) (1 in total): macro.xlsx, sheet '年末常住人口(万人)', row 4, column "
        "'population': '7241万'. Correct the cell(s) or blank them to mark a missing value",
    ):
        build_clean(make_study(tmp_path, sheets=sheets))


# ---------------------------------------------------------------- ranges


def test_negative_value_is_an_error_by_default(tmp_path):
    rows = innovation_rows()
    rows[5][2] = "-641372.3"
    with raises(
        DataError,
        "innovation.csv, row 6, column 'R&D经费内部支出(万元)': value -64.1372 is below the minimum "
        "0 of [variables.rd] (nonnegative by default for a variable in '亿元'; set nonnegative = "
        "false if negative values are possible); 1 such cell(s). Correct the cell(s), change min / "
        "max / nonnegative of the variable, or set [cleaning].out_of_range = 'drop' to drop the "
        "rows (audited)",
    ):
        build_clean(make_study(tmp_path, rows))


def test_out_of_range_dropped_and_audited(tmp_path):
    rows = innovation_rows()
    rows[5][2] = "-641372.3"
    study = make_study(tmp_path, rows, cleaning={"out_of_range": "drop", "missing": "error"})
    clean = build_clean(study)
    # the dropped row held rd and patents: the region-year is left out of the (now unbalanced) panel, with an audit line
    (missing,) = clean.audit.tables["panel"]["missing_region_years"]
    assert missing["variables"] == ["rd", "patents"] and len(clean.panel) == 4 * 4 - 1
    # the drop is in the audit of the source
    from clusterdx.data.audit import Audit

    audit = Audit()
    panel_module.read_source(study, study.spec.sources[0], audit)
    (drop,) = audit.file("innovation.csv").dropped
    assert drop["row"] == 6 and drop["reason"] == "rd out of range [0, ]"


def test_negative_firm_revenue_is_an_error(tmp_path):
    text = (DEMO / "listed_firms.csv").read_text(encoding="utf-8").splitlines()
    header, rows = text[0].split(","), [line.split(",") for line in text[1:9]]
    rows[3][4] = "-" + rows[3][4]
    (tmp_path / "raw").mkdir()
    write_csv(tmp_path / "raw" / "firms.csv", [header, *rows], encoding="utf-8")
    study = Study.from_dict(
        {
            "study": {"name": "firms", "years": [2011, 2014]},
            "paths": {"root": ".", "raw": "raw"},
            "variables": {"revenue": {"unit": "亿元"}},
            "sources": [
                {
                    "name": "firms",
                    "file": "firms.csv",
                    "kind": "firm_year",
                    "region": "region",
                    "year": "year",
                    "id": "firm_id",
                    "variables": {"revenue": {"column": "revenue_100m_yuan", "unit": "亿元"}},
                }
            ],
        },
        tmp_path / "study.toml",
    )
    from clusterdx.data.audit import Audit

    with pytest.raises(
        DataError,
        match=r"^firms\.csv, row 5, column 'revenue_100m_yuan': value -\d.* is below the minimum 0 "
        r"of \[variables\.revenue\] \(nonnegative by default",
    ):
        panel_module.read_source(study, study.spec.sources[0], Audit())


def test_region_missing_from_a_later_sheet_names_it_without_row_minus_one(tmp_path):
    sheets = macro_sheets()
    del sheets[SHEETS[1]][4]  # 山西 has no population row
    clean = build_clean(make_study(tmp_path, sheets=sheets))
    # the panel stays unbalanced (its region-years are audited); the steps needing balance refuse it
    missing = clean.audit.tables["panel"]["missing_region_years"]
    assert missing[0] == {
        "region": 140000,
        "year": 2011,
        "variables": ["population"],
        "from": ["macro"],
    }
    assert "row -1" not in str(clean.audit.tables)


def test_maximum_of_a_variable(tmp_path):
    # the cap sits below the four largest patent counts of the demo rows
    patents = [int(row[3]) for row in innovation_rows()[1:]]
    cap = sorted(patents)[-5]
    first = next(i for i, value in enumerate(patents) if value > cap)
    variables = {
        "rd": {"unit": "亿元"},
        "patents": {"unit": "件", "max": cap},
        "gdp": {"unit": "亿元"},
        "population": {"unit": "万人"},
    }
    with pytest.raises(
        DataError,
        match=rf"^innovation\.csv, row {first + 2}, column '发明专利授权数\(件\)': value "
        rf"{patents[first]} is above the maximum {cap} of \[variables\.patents\]; 4 such cell\(s\)",
    ):
        build_clean(make_study(tmp_path, variables=variables))


def test_signed_variable_may_be_negative(tmp_path):
    variables = {
        "rd": {"unit": "亿元", "nonnegative": False},
        "patents": {"unit": "件"},
        "gdp": {"unit": "亿元"},
        "population": {"unit": "万人"},
    }
    rows = innovation_rows()
    rows[5][2] = "-641372.3"
    assert len(build_clean(make_study(tmp_path, rows, variables=variables)).panel) == 16


def test_min_above_max_is_a_spec_error():
    with pytest.raises(
        StudySpecError, match=r"key 'variables\.x': Value error, min \(5\) is above max \(1\)"
    ):
        Study.from_dict(
            {
                "study": {"name": "x", "years": [2011, 2014]},
                "sources": [],
                "variables": {"x": {"min": 5, "max": 1}},
            },
            Path("study.toml"),
        )


# ---------------------------------------------------------------- unit slips


def _slipped_majority():
    """北京's R&D typed in 元 (x1e4) in 3 of its 4 years."""
    rows = innovation_rows()
    for i, row in enumerate(rows[1:], start=1):
        if row[0] == "北京市" and row[1] != "2012":
            rows[i][2] = f"{float(row[2]) * 1e4:.1f}"
    return rows


def test_unit_slip_of_the_majority_is_reported_as_such(tmp_path):
    with pytest.raises(
        DataError,
        match=r"^innovation\.csv, row 2, column 'R&D经费内部支出\(万元\)': a unit slip in region=110000: 3 of 4 values "
        r"\(rows 2, 10, 14\) are about 1e\+4 times the other values \(the majority of the series: "
        r"the other values agree with the other regions\)",
    ):
        build_clean(make_study(tmp_path, _slipped_majority()))


def test_unit_slip_of_the_majority_is_what_gets_rescaled(tmp_path):
    clean = build_clean(
        make_study(tmp_path, _slipped_majority(), cleaning={"unit_slip": "rescale"})
    )
    changed = audit_of(clean, tmp_path, "innovation.csv")["changed"]
    assert sorted(c["row"] for c in changed) == [2, 10, 14]
    assert {c["action"] for c in changed} == {"unit slip rescaled by 1e-4"}
    # back to the demo values (万元 -> 亿元)
    beijing = clean.panel[clean.panel["region"] == 110000]["rd"].to_numpy()
    assert beijing[0] == pytest.approx(float(innovation_rows()[1][2]) / 1e4, rel=1e-12)


# ---------------------------------------------------------------- XLSX specifics


def test_formula_without_cached_value_names_sheet_and_cell(tmp_path):
    sheets = macro_sheets()
    sheets[SHEETS[0]][2][3] = "=C3*1.1"
    with raises(
        DataError,
        "macro.xlsx, sheet '地区生产总值(亿元)', cell D3: the formula =C3*1.1 has no computed value "
        "in the file (the workbook was written by a program that does not calculate formulas). "
        "Open and save it in Excel or LibreOffice, or paste the values",
    ):
        build_clean(make_study(tmp_path, sheets=sheets))


def test_second_sheet_drops_are_in_the_one_audit(tmp_path):
    sheets = macro_sheets()
    sheets[SHEETS[1]].append(list(sheets[SHEETS[1]][2]))  # duplicate row 3 as row 6
    sheets[SHEETS[1]][0].append("2015年")  # a year outside the window
    for row in sheets[SHEETS[1]][1:]:
        row.append(1.0)
    clean = build_clean(make_study(tmp_path, sheets=sheets, cleaning={"out_of_window": "drop"}))
    entry = audit_of(clean, tmp_path, "macro.xlsx")
    reasons = sorted((d["reason"], d["sheet"]) for d in entry["dropped"])
    assert reasons.count(("year outside study window", SHEETS[1])) == 5
    assert reasons.count(("exact duplicate of an earlier row", SHEETS[1])) == 4
    table = entry["reconciliation"][SHEETS[1]]
    assert (table["records_read"], table["records_kept"], table["records_dropped"]) == (25, 16, 9)
    assert table["ok"] is True


def test_truncated_xlsx(tmp_path):
    study = make_study(tmp_path)
    path = tmp_path / "raw" / "macro.xlsx"
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(
        DataError,
        match=r"^macro\.xlsx: not a readable XLSX workbook, truncated or damaged \(BadZipFile: .*\); "
        r"open it in Excel or LibreOffice and save it again$",
    ):
        build_clean(study)


def test_real_xls_is_read(tmp_path):
    study = make_study(tmp_path)
    spec = study.spec.model_dump()
    spec["sources"][1] = {
        "name": "macro",
        "file": "yearbook_gdp.xls",
        "layout": "wide",
        "region": "地区",
        "footer": "auto",
        "drop_regions": ["全国"],
        "variables": {"gdp": {"sheet": "地区生产总值(亿元)"}},
    }
    spec["study"]["years"] = [2020, 2022]
    spec["sources"] = spec["sources"][1:]
    spec["variables"] = {"gdp": {"unit": "亿元"}}
    (tmp_path / "raw" / "yearbook_gdp.xls").write_bytes(
        (REPO / "tests" / "data" / "fixtures" / "yearbook_gdp.xls").read_bytes()
    )
    assert len(build_clean(Study.from_dict(spec, study.path)).panel) == 9


def test_workbook_named_csv(tmp_path):
    study = make_study(tmp_path)
    (tmp_path / "raw" / "innovation.csv").write_bytes(
        (tmp_path / "raw" / "macro.xlsx").read_bytes()
    )
    with raises(
        DataError,
        "innovation.csv: this is an Excel workbook, not a CSV file; rename it .xlsx (or .xls)",
    ):
        build_clean(study)


# ---------------------------------------------------------------- files that used to give tracebacks


def test_empty_file(tmp_path):
    with raises(DataError, "innovation.csv: the file is empty; export the table again"):
        build_clean(make_study(tmp_path, rows=[]))


def test_header_only_file(tmp_path):
    with raises(
        DataError,
        "innovation.csv: the header (line 1) has no data rows below it; export the table with its data",
    ):
        build_clean(make_study(tmp_path, rows=[list(INNOVATION_HEADER)]))


def test_big5_file(tmp_path):
    study = make_study(tmp_path)
    rows = [["地區", "年份", "研發經費(萬元)"], ["臺北市", "2011", "1"], ["新北市", "2011", "2"]]
    write_csv(tmp_path / "raw" / "innovation.csv", rows, encoding="big5")
    with raises(
        DataError,
        "innovation.csv: this file looks like Big5 (traditional Chinese), which clusterdx does not "
        "read; re-save it as UTF-8 (or GBK)",
    ):
        build_clean(study)


def test_stray_utf8_line_in_a_gbk_file(tmp_path):
    study = make_study(tmp_path)
    path = tmp_path / "raw" / "innovation.csv"
    lines = path.read_bytes().split(b"\n")
    lines[7] = lines[7].decode("gbk").encode("utf-8")
    path.write_bytes(b"\n".join(lines))
    with raises(
        DataError,
        "innovation.csv: mixed encodings at line 8: that line is UTF-8 but line 1 is not (GBK?). "
        "Re-save the whole file in one encoding (UTF-8)",
    ):
        build_clean(study)


def test_repeated_header_name(tmp_path):
    rows = innovation_rows()
    rows[0][3] = rows[0][2]
    with raises(
        DataError,
        "innovation.csv, line 1: the header repeats the column name(s) 'R&D经费内部支出(万元)'; give "
        "every column its own name",
    ):
        build_clean(make_study(tmp_path, rows))


# ---------------------------------------------------------------- the audit reconciles, or the run fails


def test_a_record_lost_without_audit_fails_the_run(tmp_path, monkeypatch):
    def lossy(frame, key, study, source, audit, sheet=None):
        return frame.iloc[1:]  # drops a record and says nothing

    monkeypatch.setattr(panel_module, "handle_duplicates", lossy)
    with raises(
        DataError,
        "innovation.csv: the audit does not reconcile: 17 lines = 1 header + 0 skipped + 16 record "
        "lines; 16 records read but 15 kept + 0 dropped. A record was lost or added without an audit "
        "line: please report this as a clusterdx bug",
    ):
        build_clean(make_study(tmp_path))


# ---------------------------------------------------------------- region names


@pytest.mark.parametrize(
    "short",
    [
        "北京",
        "天津",
        "河北",
        "山西",
        "内蒙古",
        "辽宁",
        "吉林",
        "黑龙江",
        "上海",
        "江苏",
        "浙江",
        "安徽",
        "福建",
        "江西",
        "山东",
        "河南",
        "湖北",
        "湖南",
        "广东",
        "广西",
        "海南",
        "重庆",
        "四川",
        "贵州",
        "云南",
        "西藏",
        "陕西",
        "甘肃",
        "青海",
        "宁夏",
        "新疆",
        "台湾",
        "香港",
        "澳门",
    ],
)
def test_every_short_province_name(short):
    code = regions.lookup(short)
    full = regions.provinces(include_sar_taiwan=True).set_index("code").loc[code, "name_zh"]
    assert full.startswith(short) and regions.lookup(full) == code


# ---------------------------------------------------------------- property: edits error or are audited

EDITS = ("blank", "text", "scale", "duplicate", "delete")


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    target=st.sampled_from(["csv", "xlsx"]),
    edit=st.sampled_from(EDITS),
    row=st.integers(1, 16),
    column=st.integers(2, 3),
    power=st.sampled_from([-5, 4, 6]),
    missing=st.sampled_from(["error", "interpolate"]),
    slip=st.sampled_from(["error", "rescale"]),
)
def test_random_edits_error_or_are_audited(
    tmp_path, target, edit, row, column, power, missing, slip
):
    rows, sheets = innovation_rows(), macro_sheets()
    table = rows if target == "csv" else sheets[SHEETS[0]]
    r = 1 + (row - 1) % (len(table) - 1)
    c = column if target == "csv" else 1 + column  # a value column
    if edit == "blank":
        table[r][c] = ""
    elif edit == "text":
        table[r][c] = "n.a."
    elif edit == "scale":
        table[r][c] = float(table[r][c]) * 10.0**power
        if target == "csv":
            table[r][c] = repr(table[r][c])
    elif edit == "duplicate":
        table.append(list(table[r]))
    else:
        del table[r]
    study_dir = tmp_path / f"{target}-{edit}-{r}-{c}-{power}-{missing}-{slip}"
    study_dir.mkdir()
    study = make_study(study_dir, rows, sheets, cleaning={"missing": missing, "unit_slip": slip})
    try:
        clean = build_clean(study)
    except ClusterDXError:
        return
    name = "innovation.csv" if target == "csv" else "macro.xlsx"
    entry = clean.audit.file(name)
    edited_row = len(table) if edit == "duplicate" else r + 1
    audited = [e["row"] for e in entry.dropped + entry.changed]
    assert edited_row in audited, (edit, target, edited_row, audited)
    assert all(t["ok"] for t in entry.reconcile().values())
