"""Golden checks of every Word and LaTeX table the default study writes (demo data, Chinese).

Each table has a caption; each regression table a dependent-variable row (被解释变量); no Latin word
outside the whitelist in a Chinese table; σ² without stars; every non-zero coefficient and standard
error printed with at least two significant digits.
"""

from __future__ import annotations

import re

import docx
import pytest

from clusterdx.report._latin import latin_tokens
from clusterdx.tasks.pipeline import run

from ..conftest import copy_of_demo_build

pytestmark = pytest.mark.slow

_NUMBER = re.compile(r"^\(?(-?\d+\.\d+)\)?(\**)$")


@pytest.fixture(scope="module")
def study(demo_build, tmp_path_factory):
    return copy_of_demo_build(demo_build, tmp_path_factory.mktemp("golden") / "study")


@pytest.fixture(scope="module")
def tables(study):
    return study.reports_dir / "tables"


def test_verbose_0_prints_nothing(study, capfd):
    run(study, verbose=0, force=True)
    assert capfd.readouterr() == ("", "")


def test_bundle_holds_every_table_numbered(study, tables):
    bundle = docx.Document(str(study.reports_dir / "tables.docx"))
    captions = [p.text for p in bundle.paragraphs if re.match(r"表\d+\u3000", p.text)]
    assert len(captions) == len(bundle.tables) == len(list(tables.glob("*.docx")))
    assert captions[0].startswith("表1\u3000") and "基准回归结果" in " ".join(captions[:5])
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
