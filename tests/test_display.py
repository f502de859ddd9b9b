"""clusterdx._display: one-line repr, HTML in notebooks, summary() as str with HTML and LaTeX."""

from __future__ import annotations

from clusterdx.panel import fit


def test_panel_result_displays_in_a_notebook(grunfeld):
    res = fit(
        grunfeld, "inv ~ value + capital", entity="firm", time="year", model="fe", effects="twoways"
    )
    line = repr(res)
    assert "\n" not in line and len(line) < 120 and line.startswith("<PanelResult FE inv")
    assert '<table class="cdx-table">' in res._repr_html_()
    summary = res.summary()
    assert isinstance(summary, str) and repr(summary) == str(summary)
    assert str(summary).startswith("Panel regression: fe")
    assert '<table class="cdx-table">' in summary._repr_html_()
    assert r"\begin{tabular}" in summary.as_latex() and "value" in summary.as_latex()
