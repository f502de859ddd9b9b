"""The notebooks in notebooks/ run top to bottom (nbclient) and are stored without outputs; results
and their summaries render as HTML tables in a kernel (cells tagged ``html-table``)."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from ..conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_"][: len(NOTEBOOKS)]
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    stored = [i for i, cell in enumerate(notebook.cells)
              if cell.cell_type == "code" and (cell.outputs or cell.execution_count)]
    assert not stored, f"{path.name}: cells {stored} carry outputs; clear them before committing"


def _html_tables(cell) -> list[str]:
    return [o["data"]["text/html"] for o in cell.outputs
            if o.get("output_type") == "execute_result" and "text/html" in o.get("data", {})]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for cell in notebook.cells:
        if "html-table" in cell.get("metadata", {}).get("tags", []):
            html = _html_tables(cell)
            assert html and '<table class="cdx-table">' in html[0], cell.source


def test_notebook_03_shows_a_result_and_its_summary():
    notebook = nbformat.read(REPO / "notebooks" / "03_mechanisms_and_tables.ipynb", as_version=4)
    tagged = [c.source for c in notebook.cells if "html-table" in c.metadata.get("tags", [])]
    assert tagged == ["res = steps[-1]\nres", "res.summary()"]


@pytest.mark.slow  # starts a kernel and imports the package: ~5 s alone, more on a busy machine
def test_results_render_as_html_tables_in_a_kernel():
    # a real IPython kernel: the execute_result of `res` and `res.summary()` carries text/html
    # (the one-column paper table), and the plain text is the one-line repr / the text summary
    source = (
        "import numpy as np, pandas as pd\n"
        "from clusterdx.panel import fit\n"
        "rng = np.random.default_rng(0)\n"
        "panel = pd.DataFrame({'region': np.repeat(np.arange(6), 5),\n"
        "                      'year': np.tile(np.arange(2018, 2023), 6), 'x': rng.normal(size=30)})\n"
        "panel['y'] = 0.5 * panel['x'] + rng.normal(size=30)\n"
        "res = fit(panel, 'y ~ x', entity='region', time='year', model='fe', effects='twoways')"
    )
    cells = [nbformat.v4.new_code_cell(c) for c in (source, "res", "res.summary()")]
    notebook = nbformat.v4.new_notebook(cells=cells)
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    for cell, text in zip(cells[1:], ("<PanelResult FE y: 1 parameters, N=30>", "Panel regression"),
                          strict=True):
        assert '<table class="cdx-table">' in _html_tables(cell)[0]
        plain = cell.outputs[0]["data"]["text/plain"]
        assert plain.startswith(text) and "\\n" not in plain


_ONE_SOURCE_STUDY = '''
import tempfile
from pathlib import Path
import pandas as pd
import clusterdx as cdx
root = Path(tempfile.mkdtemp())
pd.DataFrame({"省份": ["北京", "天津", "北京", "天津"], "年份": [2020, 2020, 2021, 2021],
              "GDP": [36102.6, 14083.7, 40269.6, 15695.0]}).to_csv(root / "gdp.csv", index=False)
(root / "study.toml").write_text("""
[study]
name = "demo"
years = [2020, 2021]
[paths]
root = "."
raw = "."
[variables.gdp]
unit = "亿元"
[[sources]]
name = "gdp"
file = "gdp.csv"
region = "省份"
year = "年份"
variables.gdp = { column = "GDP", unit = "亿元" }
""", encoding="utf-8")
study = cdx.Study.load(root / "study.toml")
'''


@pytest.mark.slow  # starts a kernel and builds a study twice
def test_run_verbose_0_writes_nothing_into_a_notebook_cell():
    # rich displays through IPython in a kernel (ANSI text and widgets, past redirected stdout):
    # cdx.tasks.run(study, verbose=0) must leave the cell without any output, first build or not
    cells = [nbformat.v4.new_code_cell(c) for c in (
        _ONE_SOURCE_STUDY,
        "session = cdx.tasks.run(study, verbose=0)",
        "session = cdx.tasks.run(study, verbose=0, force=True)",
        "print(sorted(r.outcome.name for r in session.execution_reports)[0])",
    )]  # fmt: skip
    notebook = nbformat.v4.new_notebook(cells=cells)
    NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    assert cells[1].outputs == [] and cells[2].outputs == []
    assert cells[3].outputs[0]["text"] == "SUCCESS\n"
