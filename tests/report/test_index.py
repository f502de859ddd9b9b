"""Tests of clusterdx.report.write_index: every table and figure appears, in path order, same bytes."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
import pytest

from clusterdx.errors import StudySpecError
from clusterdx.report import descriptive_table, figures, write_index


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.headings, self.tables, self.links = [], [], 0, []
        self._in_h3 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        elif tag == "table":
            self.tables += 1
        elif tag == "a":
            self.links.append(attrs["href"])
        self._in_h3 = tag == "h3"

    def handle_data(self, data):
        if self._in_h3:
            self.headings.append(data)
            self._in_h3 = False


@pytest.fixture
def reports(tmp_path):
    frame = pd.DataFrame({"year": [1, 1, 1, 2, 2, 2], "dt": [0.1, 0.3, 0.2, 0.4, 0.6, 0.5]})
    table = descriptive_table(frame, ["dt"], {"dt": "数字化转型"})
    table.save(tmp_path / "tables" / "b_descriptive", ["html", "tex", "docx"])
    table.save(tmp_path / "tables" / "a_summary", ["html", "md"])
    (tmp_path / "tables" / "moran_by_year.csv").write_text("year,I\n1,0.2\n", encoding="utf-8")
    figures.index_density(frame, "dt", lang="en", path=tmp_path / "figures" / "kde.png")
    figures.index_density(frame, "dt", lang="en", path=tmp_path / "figures" / "kde.pdf")
    figures.index_density(frame, "dt", kind="overlay", path=tmp_path / "figures" / "a.png")
    return tmp_path, table


def test_index_shows_every_table_and_figure_in_order(reports):
    root, table = reports
    path = write_index(root)
    assert path == root / "index.html"
    page = path.read_text(encoding="utf-8")
    parsed = _Collect()
    parsed.feed(page)
    assert parsed.headings == [
        "tables/a_summary.html",
        "tables/b_descriptive.html",
        "figures/a.png",
        "figures/kde.png",
    ]
    assert parsed.tables == 2 and table.to_html().strip() in page
    assert parsed.images == ["figures/a.png", "figures/kde.png"]
    for link in ("tables/b_descriptive.docx", "tables/b_descriptive.tex", "figures/kde.pdf"):
        assert link in parsed.links
    assert "tables/moran_by_year.csv" in parsed.links
    assert page.index("<h2>表格</h2>") < page.index("<h2>图</h2>") < page.index("其他文件")
    first = path.read_bytes()
    assert write_index(root).read_bytes() == first  # the index is not indexed, no date


def test_index_english_and_errors(tmp_path):
    page = write_index(tmp_path, lang="en", title="Study").read_text(encoding="utf-8")
    assert "<h1>Study</h1>" in page and "No results yet" in page
    with pytest.raises(StudySpecError, match=r"reports folder .* does not exist"):
        write_index(tmp_path / "missing")
    with pytest.raises(StudySpecError, match=r"lang='fr' is not one of the allowed values"):
        write_index(tmp_path, lang="fr")


@pytest.mark.slow
def test_figures_is_an_attribute_of_report():
    import subprocess
    import sys

    code = "import clusterdx.report as r; print(r.figures.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "clusterdx.report.figures"


def test_index_is_in_paper_order_under_captions(tmp_path):
    frame = pd.DataFrame({"dt": [1.0, 2.0, 3.0]})
    for stem, title in [("robustness", "稳健性检验"), ("a_other", "其他"), ("models", "基准回归")]:
        descriptive_table(frame, ["dt"]).captioned(title).save(tmp_path / "tables" / stem, ["html"])
    text = write_index(tmp_path).read_text(encoding="utf-8")
    headings = [part.split("</h3>")[0] for part in text.split("<h3>")[1:]]
    assert headings == ["基准回归", "稳健性检验", "其他"]
    assert text.count('<div class="table-wrap"><table class="cdx-table">') == 3
    assert ".table-wrap { overflow-x: auto;" in text and "white-space: nowrap" in text
