"""Golden checks of every Word and LaTeX table the default study writes (demo data, Chinese).

Each table has a caption; each regression table a dependent-variable row (被解释变量); no Latin word
outside the whitelist in a Chinese table; σ² without stars; every non-zero coefficient and standard
error printed with at least two significant digits.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import docx
import pytest

from clusterdx.report._latin import latin_tokens

pytestmark = pytest.mark.slow

_NUMBER = re.compile(r"^\(?(-?\d+\.\d+)\)?(\**)$")


@pytest.fixture(scope="module")
def study(built_demo):
    return built_demo  # the session's build (tests/conftest.py)


@pytest.fixture(scope="module")
def tables(study):
    return study.reports_dir / "tables"


def test_bundle_holds_every_table_numbered(study, tables):
    bundle = docx.Document(str(study.reports_dir / "tables.docx"))
    captions = [p.text for p in bundle.paragraphs if re.match(r"表\d+\u3000", p.text)]
    assert len(captions) == len(bundle.tables) == len(list(tables.glob("*.docx")))
    assert captions[:3] == [
        "表1\u3000指标体系与权重",
        "表2\u3000描述性统计",
        "表3\u3000分集群类型的描述性统计",
    ]
    assert "基准回归结果" in " ".join(captions[:6])
    source = (study.reports_dir / "tables.tex").read_text(encoding="utf-8")
    assert source.count(r"\begin{table}") == len(list(tables.glob("*.tex")))


def _docx_rows(path) -> tuple[str, list[list[str]]]:
    document = docx.Document(str(path))
    caption = next((p.text for p in document.paragraphs if p.text.strip()), "")
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return caption, rows


def _significant(text: str) -> int:
    return len(text.replace("-", "").replace(".", "").lstrip("0"))


def _regression(rows: list[list[str]]) -> bool:
    return any(row[0] == "被解释变量" for row in rows)


def test_every_docx_table_has_a_caption_and_no_raw_names(tables):
    paths = sorted(tables.glob("*.docx"))
    assert len(paths) >= 10
    for path in paths:
        caption, rows = _docx_rows(path)
        assert caption.strip(), f"{path.name} has no caption"
        document = docx.Document(str(path))
        texts = [caption, *(c for row in rows for c in row), *(p.text for p in document.paragraphs)]
        if path.stem.endswith("_en"):  # the English companions the measurement analyses write
            continue
        for text in texts:
            assert latin_tokens(text) == [], (path.name, text)


def test_regression_tables_rows(tables):
    regression = [p for p in sorted(tables.glob("*.docx")) if _regression(_docx_rows(p)[1])]
    names = {p.stem for p in regression}
    assert {"models", "robustness", "did_designation", "threshold_demand"} <= names
    for path in regression:
        _, rows = _docx_rows(path)
        for label, *cells in rows:
            if label == "σ²":
                assert all("*" not in c for c in cells), (path.name, cells)
            if label in ("观测值", "被解释变量"):
                continue
            for cell in cells:
                number = _NUMBER.match(cell)
                if number and float(number.group(1)) != 0:
                    assert _significant(number.group(1)) >= 2, (path.name, label, cell)


def test_every_tex_table_has_a_caption(tables):
    paths = sorted(tables.glob("*.tex"))
    assert len(paths) >= 10
    for path in paths:
        source = path.read_text(encoding="utf-8")
        assert r"\caption{" in source, path.name
        if "被解释变量" in source:
            assert "σ²" not in source or not re.search(r"σ²[^\\]*?&[^\\]*\*", source), path.name


def test_indicator_system_table(study, tables):
    # the weights are the entropy weights of dt's components (entropy_weights on indicators.parquet)
    import pandas as pd

    from clusterdx.indicators import entropy_weights

    frame = pd.read_parquet(study.clean_dir / "indicators.parquet")
    recipe = study.spec.indicators["dt"]
    weights = entropy_weights(frame, recipe.positive, recipe.negative, recipe.shift)
    caption, rows = _docx_rows(tables / "indicator_weights.docx")
    assert caption == "指标体系与权重"
    assert rows[0] == ["一级指标", "一级指标权重", "二级指标", "单位", "指标属性", "熵值法权重"]
    body = rows[1:]
    assert [r[2] for r in body] == [study.label(c) for d in recipe.dimensions for c in d.indicators]
    order = [c for d in recipe.dimensions for c in d.indicators]
    assert [float(r[5]) for r in body] == pytest.approx(weights[order].tolist(), abs=5e-4)
    assert [r[0] for r in body if r[0]] == [d.label_zh for d in recipe.dimensions]
    assert {r[4] for r in body} == {"正向"} and body[0][3] == "万个/万人"
    en_caption, en_rows = _docx_rows(tables / "indicator_weights_en.docx")
    assert (
        en_caption == "Indicator system and entropy weights"
        and en_rows[1][2] == "Broadband ports per person"
    )


def test_descriptives_by_type_table(study, tables):
    import pandas as pd

    frame = pd.read_parquet(study.clean_dir / "indicators.parquet")
    caption, rows = _docx_rows(tables / "descriptives_by_type.docx")
    assert caption == "分集群类型的描述性统计"
    assert rows[0][1] == "共生型" and rows[0][4] == "附生型" and rows[0][7] == "寄生型"
    assert rows[1][:4] == ["变量", "均值", "标准差", "观测值"]
    dt = rows[2]
    assert dt[0] == "集群数字化转型水平"
    for k, level in enumerate(("symbiotic", "epiphytic", "parasitic")):
        values = frame.loc[frame["cluster_type"] == level, "dt"]
        assert float(dt[1 + 3 * k]) == pytest.approx(values.mean(), abs=5e-4)
        assert float(dt[2 + 3 * k]) == pytest.approx(values.std(), abs=5e-4)
        assert dt[3 + 3 * k] == str(len(values))
    assert _docx_rows(tables / "descriptives_by_type_en.docx")[1][0][1] == "Symbiotic"


def test_iv_table_layout_and_pseudo_r2_row(tables):
    _, rows = _docx_rows(tables / "iv_tech_historical.docx")
    labels = [r[0] for r in rows]
    assert rows[0][1:] == ["第一阶段", "第二阶段"]
    assert rows[labels.index("第一阶段F统计量")][2] == ""
    assert rows[labels.index("Cragg-Donald Wald F统计量")][1] == ""
    _, models = _docx_rows(tables / "models.docx")
    pseudo = next(r for r in models if r[0] == "伪R²")
    assert pseudo[1] == "" and all(float(c) > 0 for c in pseudo[2:])


@pytest.mark.skipif(shutil.which("xelatex") is None, reason="xelatex is not installed")
def test_bundle_compiles_with_xelatex_without_missing_glyphs_or_overflow(study, tmp_path):
    # every table of reports/tables.tex \input into one ctex document (TeX Live 2022 here)
    from clusterdx.report._latex import PACKAGES

    shutil.copy(study.reports_dir / "tables.tex", tmp_path / "tables.tex")
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\usepackage{" + ",".join(PACKAGES) + "}\n"
        "\\usepackage{ctex}\n\\begin{document}\n\\input{tables.tex}\n\\end{document}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        ["xelatex", "-interaction=nonstopmode", "-halt-on-error", "main.tex"],
        cwd=tmp_path, capture_output=True, timeout=300, check=False,
    )  # fmt: skip
    log = (tmp_path / "main.log").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, log[-2000:]
    assert "Missing character" not in log, re.findall(r"Missing character.*", log)[:5]
    assert "Overfull \\hbox" not in log, re.findall(r"Overfull.*", log)[:5]
