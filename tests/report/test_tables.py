"""Tests of clusterdx.report.tables: cells equal the fitted models' numbers in every format.

Fits are real (statsmodels OLS, linearmodels PanelOLS on plm::Grunfeld, spreg ML_Lag/ML_Error on
Columbus) and wrapped in a tiny object with the common result interface; every expected cell is
formatted here from those fits, never taken from clusterdx output.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from clusterdx.errors import StudySpecError
from clusterdx.report import RegressionTable
from clusterdx.report._grid import format_number

LEVELS = (0.1, 0.05, 0.01)
LABELS = {"value": "市值", "capital": "资本存量", "inv": "投资", "INC": "收入", "HOVAL": "房价"}


def stars(p: float, levels=LEVELS) -> str:
    return "*" * sum(p < a for a in levels)


def fixed(value: float, digits: int) -> str:
    """``value`` to ``digits`` decimals as a paper prints it: no negative zero."""
    out = f"{value:.{digits}f}"
    return out[1:] if out.startswith("-") and not out.strip("-0.") else out


def coef_cell(value: float, p: float, digits: int = 3, levels=LEVELS) -> str:
    return f"{value:.{digits}f}" + stars(p, levels)


def wrap(params, bse, pvalues, *, nobs, model, fixed, cov_type, rsquared, llf, **extra):
    """The common result interface around numbers from another package's fit."""
    params, bse, pvalues = (pd.Series(s, dtype=float) for s in (params, bse, pvalues))
    return SimpleNamespace(
        params=params,
        bse=bse,
        tvalues=params / bse,
        pvalues=pvalues,
        nobs=nobs,
        model=model,
        effects=extra.pop("effects", "individual"),
        depvar=extra.pop("depvar", "inv"),
        fixed_effects=fixed,
        cov_type=cov_type,
        rsquared=rsquared,
        llf=llf,
        **extra,
    )


@pytest.fixture(scope="module")
def ols(grunfeld):
    """Pooled OLS of inv on value and capital (statsmodels, formula API: term 'Intercept')."""
    smf = pytest.importorskip("statsmodels.formula.api")
    res = smf.ols("inv ~ value + capital", data=grunfeld).fit()
    return wrap(
        res.params,
        res.bse,
        res.pvalues,
        nobs=int(res.nobs),
        model="pooled",
        fixed={"entity": False, "time": False},
        cov_type="nonrobust",
        rsquared=res.rsquared,
        llf=res.llf,
    )


@pytest.fixture(scope="module")
def fe(grunfeld):
    """Within estimator with firm effects and firm-clustered SEs (linearmodels PanelOLS).

    ``rsquared`` is linearmodels' ``rsquared_inclusive`` (the R² that counts the dummies, like
    pyfixest's full R²) while ``rsquared_within`` is the within R²: the table must show the latter.
    """
    from linearmodels import PanelOLS

    frame = grunfeld.set_index(["firm", "year"])
    res = PanelOLS.from_formula("inv ~ value + capital + EntityEffects", data=frame).fit(
        cov_type="clustered", cluster_entity=True
    )
    return wrap(
        res.params,
        res.std_errors,
        res.pvalues,
        nobs=int(res.nobs),
        model="fe",
        fixed={"entity": True, "time": False},
        cov_type="cluster",
        rsquared=res.rsquared_inclusive,
        rsquared_within=res.rsquared_within,
        llf=res.loglik,
    )


@pytest.fixture(scope="module")
def columbus():
    libpysal = pytest.importorskip("libpysal")
    gpd = pytest.importorskip("geopandas")
    frame = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    w = libpysal.weights.Queen.from_dataframe(frame, use_index=False)
    w.transform = "r"
    return frame, w


def _spreg_wrap(fit, names, model):
    coefs = fit.betas.ravel()
    se = np.sqrt(np.diag(fit.vm))
    p = np.array([z[1] for z in fit.z_stat])
    return wrap(
        dict(zip(names, coefs, strict=True)),
        dict(zip(names, se, strict=True)),
        dict(zip(names, p, strict=True)),
        nobs=int(fit.n),
        model=model,
        fixed={"entity": False, "time": False},
        cov_type="ml",
        rsquared=None,
        llf=float(fit.logll),
        depvar="CRIME",
        effects="none",
    )


@pytest.fixture(scope="module")
def sdm(columbus):
    """Cross-sectional spatial Durbin model (spreg 1.9 ML_Lag with slx_lags=1) on Columbus."""
    spreg = pytest.importorskip("spreg")
    frame, w = columbus
    fit = spreg.ML_Lag(
        frame[["CRIME"]].to_numpy(), frame[["INC", "HOVAL"]].to_numpy(), w=w, slx_lags=1
    )
    return _spreg_wrap(fit, ["const", "INC", "HOVAL", "W_INC", "W_HOVAL", "rho"], "sdm")


@pytest.fixture(scope="module")
def sem(columbus):
    """Spatial error model (spreg 1.9 ML_Error) on Columbus."""
    spreg = pytest.importorskip("spreg")
    frame, w = columbus
    fit = spreg.ML_Error(frame[["CRIME"]].to_numpy(), frame[["INC", "HOVAL"]].to_numpy(), w=w)
    return _spreg_wrap(fit, ["const", "INC", "HOVAL", "lambda"], "sem")


def docx_rows(path) -> tuple[list[list[str]], object]:
    document = Document(str(path))
    assert len(document.tables) == 1
    table = document.tables[0]
    return [[cell.text for cell in row.cells] for row in table.rows], document


def row_of(rows: list[list[str]], label: str) -> int:
    matches = [i for i, row in enumerate(rows) if row[0] == label]
    assert len(matches) == 1, f"{label!r} labels rows {matches}"
    return matches[0]


# --- Word ---------------------------------------------------------------------------------------


def test_docx_cells_equal_model_values(tmp_path, ols, fe):
    path = RegressionTable([ols, fe], lang="zh", labels=LABELS).to_docx(tmp_path / "t.docx")
    rows, _ = docx_rows(path)
    for term, label in (("value", "市值"), ("capital", "资本存量")):
        i = row_of(rows, label)
        for column, res in enumerate((ols, fe), start=1):
            assert rows[i][column] == coef_cell(res.params[term], res.pvalues[term])
            assert rows[i + 1][column] == f"({res.bse[term]:.3f})"
    i = row_of(rows, "常数项")
    assert rows[i][1:] == [coef_cell(ols.params["Intercept"], ols.pvalues["Intercept"]), ""]
    assert rows[row_of(rows, "观测值")][1:] == ["200", "200"]
    assert rows[row_of(rows, "个体固定效应")][1:] == ["否", "是"]
    assert rows[row_of(rows, "R²")][1:] == [f"{ols.rsquared:.3f}", ""]
    assert rows[row_of(rows, "组内R²")][1:] == ["", f"{fe.rsquared_within:.3f}"]
    assert rows[row_of(rows, "对数似然值")][1:] == [f"{ols.llf:.3f}", f"{fe.llf:.3f}"]


def _drawn(element) -> bool:
    return element is not None and element.get(qn("w:val")) not in ("nil", "none")


def horizontal_rules(table) -> set[int]:
    """Row boundaries (0 = top edge) that carry a horizontal rule; asserts no vertical rule."""
    tbl = table._tbl
    assert tbl.tblPr.find(qn("w:tblStyle")) is None, "a table style could add borders"
    borders = tbl.tblPr.find(qn("w:tblBorders"))
    nrows = len(tbl.tr_lst)
    rules = set()
    if _drawn(borders.find(qn("w:top"))):
        rules.add(0)
    if _drawn(borders.find(qn("w:bottom"))):
        rules.add(nrows)
    if _drawn(borders.find(qn("w:insideH"))):
        rules.update(range(1, nrows))
    for edge in ("left", "right", "insideV", "start", "end"):
        assert not _drawn(borders.find(qn(f"w:{edge}"))), edge
    for i, tr in enumerate(tbl.tr_lst):
        for tc in tr.tc_lst:
            cell_borders = None if tc.tcPr is None else tc.tcPr.find(qn("w:tcBorders"))
            if cell_borders is None:
                continue
            if _drawn(cell_borders.find(qn("w:top"))):
                rules.add(i)
            if _drawn(cell_borders.find(qn("w:bottom"))):
                rules.add(i + 1)
            for edge in ("left", "right", "start", "end"):
                assert not _drawn(cell_borders.find(qn(f"w:{edge}"))), edge
    return rules


def test_docx_is_a_three_line_table(tmp_path, ols, fe):
    table = RegressionTable(
        [ols, fe], lang="zh", labels=LABELS, groups=[("混合", 1), ("固定效应", 1)], title="表1"
    )
    rows, document = docx_rows(table.to_docx(tmp_path / "t.docx"))
    nheader = len(table.grid.header)
    assert nheader == 3
    word_table = document.tables[0]
    assert horizontal_rules(word_table) == {0, nheader, len(rows)}
    # the rule under the header runs across every column
    last_header = word_table._tbl.tr_lst[nheader - 1]
    assert all(
        _drawn(tc.tcPr.find(qn("w:tcBorders")).find(qn("w:bottom"))) for tc in last_header.tc_lst
    )
    # the group headings span their columns and the title sits above the table
    assert rows[0] == ["", "混合", "固定效应"]
    assert document.paragraphs[0].text == "表1"
    assert document.paragraphs[-1].text.startswith("注：括号内为标准误")


def test_docx_fonts_set_east_asia(tmp_path, ols):
    path = RegressionTable([ols], labels=LABELS).to_docx(
        tmp_path / "t.docx", font_east_asia="黑体", font_latin="Arial", size_pt=12
    )
    _, document = docx_rows(path)
    runs = [r for p in document.tables[0].rows[2].cells[0].paragraphs for r in p.runs]
    assert runs, "label cell has a run"
    fonts = runs[0]._element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "黑体"
    assert fonts.get(qn("w:ascii")) == "Arial"
    assert runs[0].font.size.pt == 12


def test_docx_and_xlsx_are_byte_identical(tmp_path, ols, fe):
    table = RegressionTable([ols, fe], labels=LABELS, title="基准回归")
    for ext, write in (("docx", table.to_docx), ("xlsx", table.to_excel)):
        first = write(tmp_path / f"a.{ext}").read_bytes()
        second = RegressionTable([ols, fe], labels=LABELS, title="基准回归")
        second = getattr(second, write.__name__)(tmp_path / f"b.{ext}").read_bytes()
        assert first == second, ext
        with zipfile.ZipFile(io.BytesIO(first)) as archive:
            assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            core = archive.read("docProps/core.xml").decode()
        assert re.findall(r"<dcterms:\w+[^>]*>([^<]*)<", core) == ["2000-01-01T00:00:00Z"] * 2


# --- LaTeX --------------------------------------------------------------------------------------


def latex_rows(source: str) -> list[list[str]]:
    body = source.split("\\midrule\n", 1)[1].split("\\bottomrule", 1)[0]
    rows = [line.removesuffix(r" \\").split(" & ") for line in body.strip().splitlines()]
    return rows


def test_latex_cells_rules_and_escaping(ols, fe):
    source = RegressionTable(
        [ols, fe], lang="en", labels={"value": "firm_value", "capital": "capital"}
    ).to_latex()
    assert source.count(r"\toprule") == source.count(r"\midrule") == 1
    assert source.count(r"\bottomrule") == 1
    assert r"\begin{threeparttable}" in source and r"\begin{tablenotes}" in source
    assert r"{l*{2}{D{.}{.}{-1}}}" in source
    rows = latex_rows(source)
    labels = [r[0] for r in rows]
    i = labels.index(r"firm\_value")
    value = fe.params["value"]
    assert rows[i][2] == f"{value:.3f}^{{{stars(fe.pvalues['value'])}}}"
    assert rows[i + 1][2] == f"({fe.bse['value']:.3f})"
    assert rows[labels.index("Observations")][1:] == [r"\multicolumn{1}{c}{200}"] * 2
    assert rows[labels.index("Entity FE")][1:] == [
        r"\multicolumn{1}{c}{No}",
        r"\multicolumn{1}{c}{Yes}",
    ]
    assert "Within R\\textsuperscript{2}" in labels
    assert "ctex" not in source


def test_latex_zh_header_names_ctex(ols):
    source = RegressionTable([ols], lang="zh").to_latex(standalone=True)
    assert source.splitlines()[1].startswith("% Chinese text: compile with XeLaTeX and load ctex")
    assert r"\usepackage{ctex}" in source


def _compile(engine: str, source: str, tmp_path) -> None:
    (tmp_path / "t.tex").write_text(source, encoding="utf-8")
    done = subprocess.run(
        [engine, "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=False,
    )
    log = (tmp_path / "t.log").read_text(errors="replace")
    assert done.returncode == 0, log[-3000:]
    assert (tmp_path / "t.pdf").stat().st_size > 0
    assert "Missing character" not in log


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not on PATH")
def test_latex_compiles_with_pdflatex(tmp_path, ols, fe, sdm):
    table = RegressionTable(
        [ols, fe, sdm],
        lang="en",
        groups=[("Panel_A & 50%", 2), ("Spatial", 1)],
        notes="Source: Grunfeld (1958); Columbus, Anselin (1988). x < y.",
        title="Baseline #1",
    )
    _compile("pdflatex", table.to_latex(standalone=True, label="tab:base"), tmp_path)


def _has_ctex() -> bool:
    kpsewhich = shutil.which("kpsewhich")
    if shutil.which("xelatex") is None or kpsewhich is None:
        return False
    found = subprocess.run([kpsewhich, "ctex.sty"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


@pytest.mark.slow
@pytest.mark.skipif(not _has_ctex(), reason="xelatex with ctex.sty is not installed")
def test_latex_zh_compiles_with_xelatex(tmp_path, ols, fe):
    table = RegressionTable([ols, fe], lang="zh", labels=LABELS, title="基准回归")
    _compile("xelatex", table.to_latex(standalone=True), tmp_path)


# --- HTML, Markdown, Excel agree with the grid --------------------------------------------------


def test_html_markdown_excel_show_the_grid(tmp_path, ols, fe, sdm):
    table = RegressionTable([ols, fe, sdm], lang="zh", labels=LABELS, title="表2")
    grid = table.grid
    html = table.to_html()
    assert html.startswith('<table class="cdx-table">\n<caption>表2</caption>')
    for row in grid.body:
        cells = f'<th scope="row">{row[0]}</th>' + "".join(f"<td>{c}</td>" for c in row[1:])
        assert f"<tr>{cells}</tr>" in html

    markdown = table.to_markdown().splitlines()
    assert markdown[0] == "**表2**"
    assert markdown[2] == "| 变量 | (1) | (2) | (3) |"
    assert markdown[3] == "|:---|:---:|:---:|:---:|"
    table_lines = [line for line in markdown if line.startswith("| ")]
    parsed = [
        [c.strip().replace("\\*", "*") for c in line.strip("|").split(" | ")]
        for line in table_lines
    ]
    assert parsed[len(grid.header) :] == [list(r) for r in grid.body]

    sheet = load_workbook(table.to_excel(tmp_path / "t.xlsx")).active
    values = [
        [c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert values[0][0] == "表2"
    start = 1 + len(grid.header)
    assert values[start : start + len(grid.body)] == [list(r) for r in grid.body]
    assert values[start + len(grid.body)][0] == grid.notes[0]


def test_excel_has_three_line_borders(tmp_path, ols):
    table = RegressionTable([ols], lang="en")
    sheet = load_workbook(table.to_excel(tmp_path / "t.xlsx")).active
    first, last_header = 1, len(table.grid.header)
    last = last_header + len(table.grid.body)
    for row in sheet.iter_rows(min_row=1, max_row=last + 1, max_col=2):
        for cell in row:
            r = cell.row
            border = {
                edge: getattr(getattr(cell.border, edge), "style", None)
                for edge in ("top", "bottom", "left", "right")
            }
            assert border == {
                "top": "medium" if r == first else None,
                "bottom": {last_header: "thin", last: "medium"}.get(r),
                "left": None,
                "right": None,
            }, (r, cell.column)


# --- spatial rows -------------------------------------------------------------------------------


def test_spatial_rows_w_lags_rho_lambda(sdm, sem):
    table = RegressionTable([sdm, sem], lang="zh", labels=LABELS)
    rows = [list(r) for r in table.grid.body]
    labels = [r[0] for r in rows]
    order = ["收入", "房价", "W×收入", "W×房价", "常数项", "ρ", "λ"]
    assert [lab for lab in labels if lab][: len(order)] == order
    for term, label in (("W_INC", "W×收入"), ("rho", "ρ")):
        i = labels.index(label)
        assert rows[i][1:] == [coef_cell(sdm.params[term], sdm.pvalues[term]), ""]
        assert rows[i + 1][1:] == [f"({sdm.bse[term]:.3f})", ""]
    i = labels.index("λ")
    assert rows[i][1:] == ["", coef_cell(sem.params["lambda"], sem.pvalues["lambda"])]
    assert rows[labels.index("模型")][1:] == ["SDM", "SEM"]
    assert rows[labels.index("对数似然值")][1:] == [f"{sdm.llf:.3f}", f"{sem.llf:.3f}"]
    assert "R²" not in labels and "组内R²" not in labels
    note = table.grid.notes[0]
    assert note.endswith("标准误为基于信息矩阵的极大似然标准误。")


# --- options ------------------------------------------------------------------------------------


def test_t_statistics_and_digits(ols):
    table = RegressionTable([ols], lang="en", stat="t", digits=2)
    rows = [list(r) for r in table.grid.body]
    i = [r[0] for r in rows].index("value")
    assert rows[i][1] == coef_cell(ols.params["value"], ols.pvalues["value"], digits=2)
    assert rows[i + 1][1] == f"({ols.params['value'] / ols.bse['value']:.2f})"
    assert table.grid.notes[0].startswith("Notes: t statistics in parentheses.")


def test_custom_stars_and_aer_style(ols, fe):
    table = RegressionTable([ols, fe], lang="zh", stars=(0.05, 0.001))
    capital = next(r for r in table.grid.body if r[0] == "capital")
    assert capital[2] == coef_cell(
        fe.params["capital"], fe.pvalues["capital"], levels=(0.05, 0.001)
    )
    assert "*、**分别表示在5%、0.1%的水平上显著" in table.grid.notes[0]

    aer = RegressionTable([ols, fe], lang="en", style="aer")
    assert next(r for r in aer.grid.body if r[0] == "value")[1] == f"{ols.params['value']:.3f}"
    assert "significance" not in aer.grid.notes[0]
    with pytest.raises(StudySpecError, match="style='aer' prints no significance stars"):
        RegressionTable([ols], style="aer", stars=(0.1,))


def test_keep_drop_order(ols, fe):
    kept = RegressionTable([ols, fe], lang="en", keep=["capital", "const"])
    assert [r[0] for r in kept.grid.body if r[0]][:2] == ["capital", "Constant"]
    ordered = RegressionTable([ols, fe], lang="en", order=["Intercept", "capital"], drop=["value"])
    assert [r[0] for r in ordered.grid.body if r[0]][:2] == ["Constant", "capital"]
    with pytest.raises(StudySpecError, match=r"keep=\['captial'\] names terms that no result has"):
        RegressionTable([ols], keep=["captial"])


def test_column_titles_and_error_messages(ols, fe):
    table = RegressionTable([ols, fe], lang="en", column_titles=["OLS", "FE"])
    assert table.grid.header_cells(0) == ["Variables", "(1)", "(2)"]
    assert table.grid.header_cells(1) == ["Dependent variable", "inv", "inv"]
    assert table.grid.header_cells(2) == ["", "OLS", "FE"]
    with pytest.raises(
        StudySpecError, match=r"lang='fr' is not one of the allowed values \['zh', 'en'\]"
    ):
        RegressionTable([ols], lang="fr")
    with pytest.raises(StudySpecError, match=r"stat='p' is not one of the allowed values"):
        RegressionTable([ols], stat="p")
    with pytest.raises(StudySpecError, match=r"sum to the number of results \(2\)"):
        RegressionTable([ols, fe], groups=[("A", 1)])
    with pytest.raises(StudySpecError, match="column_titles has 1 entries for 2 results"):
        RegressionTable([ols, fe], column_titles=["x"])
    with pytest.raises(
        TypeError, match=r"result 1 \(SimpleNamespace\) has no attribute 'bse' or 'std_errors'"
    ):
        RegressionTable([SimpleNamespace(params=ols.params, nobs=3)])


def test_negative_zero_is_printed_as_zero():
    assert format_number(-0.0004, 3) == "0.000"
    assert format_number(-0.0006, 3) == "-0.001"


def test_mixed_se_conventions_in_notes(ols, fe):
    note = RegressionTable([ols, fe], lang="zh").grid.notes[0]
    assert note.endswith("标准误：第(1)列为常规标准误，第(2)列为聚类稳健标准误。")
    note = RegressionTable([ols, fe], lang="en", notes=["Data: plm::Grunfeld."]).grid.notes
    assert note[0].endswith("Standard errors: (1) conventional; (2) clustered.")
    assert note[1] == "Data: plm::Grunfeld."


# --- a real clusterdx.panel.fit result ----------------------------------------------------------


def test_renders_clusterdx_panel_fit(grunfeld, tmp_path):
    panel = pytest.importorskip("clusterdx.panel")
    if not hasattr(panel, "fit"):
        pytest.skip(reason="clusterdx.panel.fit is not available in this checkout")
    fe = panel.fit(
        grunfeld,
        "inv ~ value + capital",
        entity="firm",
        time="year",
        model="fe",
        effects="individual",
        cov="cluster",
    )
    pooled = panel.fit(
        grunfeld, "inv ~ value + capital", entity="firm", time="year", model="pooled", cov="robust"
    )
    table = RegressionTable([pooled, fe], lang="zh", labels=LABELS)
    rows, _ = docx_rows(table.to_docx(tmp_path / "t.docx"))
    i = row_of(rows, "市值")
    assert rows[i][1:] == [coef_cell(r.params["value"], r.pvalues["value"]) for r in (pooled, fe)]
    assert rows[i + 1][1:] == [f"({r.bse['value']:.3f})" for r in (pooled, fe)]
    assert rows[row_of(rows, "组内R²")][1:] == ["", f"{fe.rsquared_within:.3f}"]
    assert rows[row_of(rows, "R²")][1:] == [f"{pooled.rsquared:.3f}", ""]
    assert table.grid.notes[0].endswith(
        "标准误：第(1)列为异方差稳健标准误，第(2)列为在个体层面聚类的稳健标准误。"
    )


def test_save_writes_each_format_from_the_same_grid(tmp_path, ols):
    table = RegressionTable([ols], lang="en")
    paths = table.save(tmp_path / "out" / "baseline", ["md", "tex", "xlsx"])
    assert [p.name for p in paths] == ["baseline.md", "baseline.tex", "baseline.xlsx"]
    assert paths[0].read_text(encoding="utf-8") == table.to_markdown()
    assert paths[1].read_text(encoding="utf-8") == table.to_latex()
    with pytest.raises(StudySpecError, match=r"format='pdf' is not one of the allowed values"):
        table.save(tmp_path / "x", ["pdf"])


def _one_term(p: float) -> SimpleNamespace:
    return wrap(
        {"x": 1.0},
        {"x": 0.5},
        {"x": p},
        nobs=10,
        model="pooled",
        fixed=None,
        cov_type="",
        rsquared=None,
        llf=None,
    )


@pytest.mark.parametrize(
    ("p", "marks"), [(0.1, ""), (0.0999, "*"), (0.05, "*"), (0.01, "**"), (0.0099, "***")]
)
def test_star_thresholds_are_strict(p, marks):
    assert RegressionTable([_one_term(p)]).grid.body[0][1] == "1.000" + marks


def _latex_cell(cell: str) -> str:
    cell = re.sub(r"^\\multicolumn\{1\}\{c\}\{(.*)\}$", r"\1", cell)
    return re.sub(r"\^\{(\*+)\}$", r"\1", cell)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(-1e4, 1e4),
            st.floats(1e-6, 1e3),
            st.floats(0, 1),
        ),
        min_size=1,
        max_size=4,
    ),
    st.integers(0, 5),
)
def test_latex_and_markdown_show_the_same_cells(terms, digits):
    names = [f"x_{i}" for i in range(len(terms))]
    result = wrap(
        dict(zip(names, [t[0] for t in terms], strict=True)),
        dict(zip(names, [t[1] for t in terms], strict=True)),
        dict(zip(names, [t[2] for t in terms], strict=True)),
        nobs=50,
        model="fe",
        fixed={"entity": True, "time": True},
        cov_type="cluster",
        rsquared=0.5,
        llf=-10.0,
    )
    table = RegressionTable([result, result], lang="en", digits=digits)
    latex = [[_latex_cell(c) for c in row] for row in latex_rows(table.to_latex())]
    markdown = [
        [c.strip().replace("\\*", "*").replace("\\_", "_") for c in line.strip("|").split(" | ")]
        for line in table.to_markdown().splitlines()
        if line.startswith("| ")
    ][len(table.grid.header) :]
    assert [row[1:] for row in latex] == [row[1:] for row in markdown]
    for i, (value, se, p) in enumerate(terms):
        assert markdown[2 * i][1] == fixed(value, digits) + stars(p)
        assert markdown[2 * i + 1][1] == f"({fixed(se, digits)})"


def test_spatial_standard_errors_are_named_in_both_languages():
    from clusterdx.report.labels import cov_name

    # clusterdx.spatial results report cov_type "analytic information matrix"
    assert cov_name("zh", "analytic information matrix") == "基于解析信息矩阵的极大似然标准误"
    assert cov_name("en", "analytic information matrix") == (
        "maximum-likelihood (analytic information matrix)"
    )


def _fake(model, llf, sigma2_p=0.001):
    from types import SimpleNamespace

    params = pd.Series({"x": 0.007123, "sigma2": 0.00089})
    return SimpleNamespace(
        params=params,
        bse=pd.Series({"x": 0.0000671, "sigma2": 0.0000671}),
        pvalues=pd.Series({"x": 0.001, "sigma2": sigma2_p}),
        nobs=403,
        model=model,
        depvar="dt",
        llf=llf,
    )


def test_auto_digits_sigma2_without_stars_and_llf_footnote():
    table = RegressionTable([_fake("fe", 846.5), _fake("sdm", 751.7)], digits="auto")
    body = {row[0]: row[1:] for row in table.grid.body if row[0]}
    assert body["x"] == ("0.0071***", "0.0071***")
    assert body["σ²"] == ("0.00089", "0.00089")
    assert table.grid.body[1][1:] == ("(6.7e-05)", "(6.7e-05)")
    assert table.grid.header_cells(1) == ["被解释变量", "dt", "dt"]
    assert "不可跨列比较" in table.grid.notes[0]
    alike = RegressionTable([_fake("sar", 1.0), _fake("sdm", 2.0)], lang="en")
    assert "not comparable" not in alike.grid.notes[0]


def test_pseudo_r2_row_of_spatial_columns(columbus, fe):
    # spreg 1.9 ML_Lag on Columbus: pr2 = corr(y, ρWy + Xβ)², shown in its own 伪R² row beside
    # the within R² of the non-spatial column, and defined in the note.
    spreg = pytest.importorskip("spreg")
    frame, w = columbus
    fit = spreg.ML_Lag(frame[["CRIME"]].to_numpy(), frame[["INC", "HOVAL"]].to_numpy(), w=w)
    sar = _spreg_wrap(fit, ["const", "INC", "HOVAL", "rho"], "sar")
    sar.pseudo_r2 = float(fit.pr2)
    for lang, label, words in (("zh", "伪R²", "伪R²为"), ("en", "Pseudo R²", "Pseudo R² is")):
        table = RegressionTable([fe, sar], lang=lang, labels=LABELS)
        rows = {r[0]: list(r[1:]) for r in table.grid.body}
        assert rows[label] == ["", f"{fit.pr2:.3f}"]
        assert words in table.grid.notes[0]
