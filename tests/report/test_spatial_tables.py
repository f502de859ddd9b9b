"""Tests of clusterdx.report.spatial_tables: every cell equals its input at the shown precision.

Inputs are real: Moran's I from esda (via moran_by_year), impacts of clusterdx.spatial.fit on a
small simulated panel, LM tests, LR / Wald tests and a linearmodels-based Hausman test. Expected
cells are formatted here from those inputs, never taken from the table code.
"""

from __future__ import annotations

import shutil
import subprocess

import libpysal
import numpy as np
import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook

import clusterdx as cdx
from clusterdx import report
from clusterdx.errors import DataError, StudySpecError
from clusterdx.report import effects_table, moran_table
from clusterdx.spatial._simulate import simulate_panel

LEVELS = (0.1, 0.05, 0.01)


def stars(p: float) -> str:
    return "*" * sum(p < a for a in LEVELS)


def fixed(value: float, digits: int = 3) -> str:
    out = f"{value:.{digits}f}"
    return out[1:] if out.startswith("-") and float(out) == 0 else out


@pytest.fixture(scope="module")
def lattice():
    w = libpysal.weights.lat2W(6, 6)
    w.transform = "r"
    panel = simulate_panel(w.sparse, 6, [1.0, -0.5], theta=[0.3, 0.2], rho=0.4, seed=1)
    return w, panel


@pytest.fixture(scope="module")
def fits(lattice):
    w, panel = lattice
    kw = {"y": "y", "x": ["x1", "x2"], "w": w, "entity": "entity", "time": "time"}
    sdm = cdx.spatial.fit(panel, model="sdm", effects="twoways", **kw)
    sar = cdx.spatial.fit(panel, model="sar", effects="twoways", **kw)
    return sdm, sar


def test_moran_table_cells_equal_moran_by_year(lattice):
    w, panel = lattice
    moran = cdx.spatial.moran_by_year(panel, "y", w, "entity", "time", permutations=0)
    table = moran_table(moran, "en")
    assert table.grid.header_cells(0) == ["Year", "Moran's I", "E(I)", "z", "p-value"]
    assert len(table.grid.body) == len(moran)
    years = moran["year"].tolist()
    for row, year, (_, ref) in zip(table.grid.body, years, moran.iterrows(), strict=True):
        assert row == (
            str(year),
            fixed(ref["I"]) + stars(ref["p_norm"]),
            fixed(ref["EI"]),
            fixed(ref["z"]),
            fixed(ref["p_norm"]),
        )
    assert table.grid.notes[0].startswith("Notes: z and p-values use the variance under normality")


def test_moran_table_groups_variables(lattice, tmp_path):
    w, panel = lattice
    stacked = pd.concat(
        [
            cdx.spatial.moran_by_year(panel, v, w, "entity", "time", permutations=0).assign(
                variable=v
            )
            for v in ("y", "x1")
        ],
        ignore_index=True,
    )
    table = moran_table(stacked, "zh", labels={"y": "数字化转型"}, digits=2)
    assert table.grid.header_cells(0) == ["", "数字化转型", "", "", "x1", "", ""]
    block = ["Moran's I", "Z值", "P值"]
    assert table.grid.header_cells(1) == ["年份", *block, *block]
    assert table.grid.group_rule == ((1, 3), (4, 3))
    x1 = stacked[stacked["variable"] == "x1"].iloc[2]
    assert table.grid.body[2][4:] == (
        fixed(x1["I"], 2) + stars(x1["p_norm"]),
        fixed(x1["z"], 2),
        fixed(x1["p_norm"], 2),
    )
    n = w.n  # E(I) = -1/(N-1) (Cliff & Ord 1981) is the same in every column: it is in the note
    assert f"各年E(I) = −1/(N−1) = {fixed(-1 / (n - 1), 2)}" in table.grid.notes[0]
    paths = table.save(tmp_path / "moran")
    sheet = load_workbook(paths[-1]).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(fixed(x1["I"], 2) + stars(x1["p_norm"]) in row for row in values)
    with pytest.raises(DataError, match=r"lacks columns \['EI'\]"):
        moran_table(stacked.drop(columns="EI"))


def test_effects_table_cells_equal_impacts(fits, tmp_path):
    sdm, sar = fits
    imp_sdm = sdm.impacts(draws=200, seed=0)
    imp_sar = sar.impacts(draws=200, seed=0)
    table = effects_table({"SDM": imp_sdm, "SAR": imp_sar}, "zh", labels={"x1": "数字技术"})
    assert table.grid.header_cells(0) == ["变量", "直接效应", "间接效应", "总效应"]
    body = table.grid.body
    assert body[0] == ("SDM", "", "", "") and body[5] == ("SAR", "", "", "")
    for offset, imp in ((1, imp_sdm), (6, imp_sar)):
        for k, var in enumerate(["x1", "x2"]):
            coef, paren = body[offset + 2 * k], body[offset + 2 * k + 1]
            assert coef[0] == ("数字技术" if var == "x1" else "x2") and paren[0] == ""
            for j, impact in enumerate(("direct", "indirect", "total"), 1):
                est, se, p = (imp.loc[var, (impact, s)] for s in ("est", "se", "p"))
                assert coef[j] == fixed(est) + stars(p)
                assert paren[j] == f"({fixed(se)})"
    assert table.grid.notes[0].startswith("注：括号内为标准误；*、**、***分别表示")
    document = Document(str(table.to_docx(tmp_path / "effects.docx")))
    cells = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert cells[2][1] == body[1][1]


def test_effects_table_single_frame_with_z(fits):
    sdm, _ = fits
    imp = sdm.impacts(draws=200, seed=3)
    table = effects_table(imp, "en", stat="z", stars=())
    assert table.grid.body[0][0] == "x1"
    assert table.grid.body[1][3] == f"({fixed(imp.loc['x1', ('total', 'z')])})"
    assert table.grid.body[0][1] == fixed(imp.loc["x1", ("direct", "est")])
    assert "z statistics in parentheses" in table.grid.notes[0]
    with pytest.raises(StudySpecError, match=r"stat='t' is not one of the allowed values"):
        effects_table(imp, stat="t")
    with pytest.raises(DataError, match=r"must be the DataFrame of res.impacts\(\)"):
        effects_table({"SDM": imp.droplevel(0, axis=1)})


def test_tests_table_cells_equal_test_results(lattice, fits, grunfeld):
    w, panel = lattice
    sdm, sar = fits
    lm = cdx.spatial.lm_tests(panel, "y", ["x1", "x2"], w, "entity", "time", "twoways")
    lr = cdx.spatial.lr_test(sdm, sar)
    wald = cdx.spatial.wald_test(sdm, "sar")
    fe = cdx.panel.fit(
        grunfeld,
        "inv ~ value + capital",
        entity="firm",
        time="year",
        model="fe",
        effects="individual",
        cov="unadjusted",
    )
    re = cdx.panel.fit(
        grunfeld,
        "inv ~ value + capital",
        entity="firm",
        time="year",
        model="re",
        effects="individual",
        cov="unadjusted",
    )
    hausman = cdx.panel.hausman(fe, re)
    table = report.tests_table(
        lm, {"LR: SDM vs SAR": lr, "Wald: SDM vs SAR": wald, "Hausman": hausman}
    )
    assert table.grid.header_cells(0) == ["检验", "统计量", "自由度", "P值"]
    labels = [r[0] for r in table.grid.body]
    assert labels == [
        "LM-lag",
        "LM-error",
        "Robust LM-lag",
        "Robust LM-error",
        "LR: SDM vs SAR",
        "Wald: SDM vs SAR",
        "Hausman",
    ]
    for row, (_, ref) in zip(table.grid.body[:4], lm.iterrows(), strict=False):
        assert row[1:] == (
            fixed(ref["statistic"]) + stars(ref["pvalue"]),
            "1",
            fixed(ref["pvalue"]),
        )
    for row, res in zip(table.grid.body[4:], (lr, wald, hausman), strict=True):
        assert row[1:] == (fixed(res.statistic) + stars(res.pvalue), str(res.df), fixed(res.pvalue))
    by_name = report.tests_table(tests=[lr, hausman], lang="en")
    assert [r[0] for r in by_name.grid.body] == [lr.name, "Hausman"]
    assert by_name.grid.header_cells(0) == ["Test", "Statistic", "df", "p-value"]


def test_tests_table_errors():
    with pytest.raises(StudySpecError, match=r"needs LM tests \(lm=...\) or other tests"):
        report.tests_table()
    with pytest.raises(StudySpecError, match=r"has no attribute \['df'\]"):
        report.tests_table(tests={"odd": type("T", (), {"statistic": 1.0, "pvalue": 0.3})()})
    bad = pd.DataFrame({"statistic": [1.0]}, index=["LM_lag"])
    with pytest.raises(DataError, match=r"lacks columns \['df', 'pvalue'\]"):
        report.tests_table(bad)
    lm = pd.DataFrame(
        {"statistic": [np.float64(3.2)], "df": [1], "pvalue": [0.07]}, index=["LM_lag"]
    )
    with pytest.raises(StudySpecError, match=r"lang='de' is not one of the allowed values"):
        report.tests_table(lm, lang="de")


def _has_ctex() -> bool:
    kpsewhich = shutil.which("kpsewhich")
    if shutil.which("xelatex") is None or kpsewhich is None:
        return False
    found = subprocess.run([kpsewhich, "ctex.sty"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


@pytest.mark.slow
@pytest.mark.skipif(not _has_ctex(), reason="xelatex with ctex.sty is not installed")
def test_chinese_tables_compile_with_xelatex(tmp_path, lattice, fits):
    w, panel = lattice
    sdm, _ = fits
    moran = cdx.spatial.moran_by_year(panel, "y", w, "entity", "time", permutations=0)
    lm = cdx.spatial.lm_tests(panel, "y", ["x1", "x2"], w, "entity", "time", "twoways")
    tables = {
        "moran": moran_table(pd.concat([moran.assign(variable=v) for v in ("y", "x1")])),
        "effects": effects_table({"SDM": sdm.impacts(draws=100, seed=0)}, labels={"x1": "数字"}),
        "tests": report.tests_table(lm, [cdx.spatial.wald_test(sdm, "sar")], title="检验"),
    }
    for name, table in tables.items():
        (tmp_path / f"{name}.tex").write_text(table.to_latex(standalone=True), encoding="utf-8")
        done = subprocess.run(
            ["xelatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
            cwd=tmp_path,
            capture_output=True,
            timeout=120,
            check=False,
        )
        log = (tmp_path / f"{name}.log").read_text(errors="replace")
        assert done.returncode == 0, log[-3000:]
        assert "Missing character" not in log, name


def test_bsk_rows_in_both_languages(lattice):
    """The Baltagi-Song-Koh rows the pipeline adds: Chinese labels pass the Latin-token check."""
    from clusterdx.report._latin import check_chinese
    from clusterdx.report.spatial_tables import BSK_LABELS, BSK_NOTE

    w, panel = lattice
    results = {
        test: cdx.spatial.bsk_test(
            panel, "y", ["x1", "x2"], w, entity="entity", time="time", test=test
        )
        for test in BSK_LABELS["en"]
    }
    for lang in ("zh", "en"):
        table = report.tests_table(
            tests={BSK_LABELS[lang][k]: res for k, res in results.items()},
            lang=lang,
            notes=BSK_NOTE[lang],
        )
        assert table.grid.notes[-1] == BSK_NOTE[lang]
        if lang == "zh":
            check_chinese(table.grid, "spatial_tests")
        assert [r[0] for r in table.grid.body] == list(BSK_LABELS[lang].values())
        for row, res in zip(table.grid.body, results.values(), strict=True):
            assert row[1:] == (
                fixed(res.statistic) + stars(res.pvalue),
                str(res.df),
                fixed(res.pvalue),
            )
