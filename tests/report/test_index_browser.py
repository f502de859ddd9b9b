"""reports/index.html in a real headless browser (Chromium) at desktop and phone widths.

The page is shown in an iframe ``width`` px wide (a headless window is at least 500 px wide), with
a probe script appended; Chromium's ``--dump-dom`` returns the outer DOM after the probe has
written the page's measurements into it. Skipped (with the reason) where no
Chromium is installed; ``.ci/run`` installs Debian's ``chromium``.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import pytest

from clusterdx.report import RegressionTable, descriptive_table, write_index

_BROWSER = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)),
    None,
)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(_BROWSER is None, reason="no Chromium on PATH (apt-get install chromium)"),
]

_PROBE = """<script>
window.addEventListener("load", () => {
  const d = document.documentElement;
  parent.document.documentElement.setAttribute("data-probe", [d.scrollWidth, window.innerWidth,
    document.querySelectorAll("table.cdx-table").length,
    [...document.images].filter(i => i.complete && i.naturalWidth > 0).length].join(","));
});
</script></body>"""


def _measure(page, width: int) -> tuple[int, int, int, int]:
    probe = page.with_name("probe.html")
    inner = html.escape(page.read_text(encoding="utf-8").replace("</body>", _PROBE))
    probe.write_text(
        f'<html><body style="margin:0"><iframe srcdoc="{inner}" '
        f'style="width:{width}px;height:900px;border:0"></iframe></body></html>',
        encoding="utf-8",
    )
    out = subprocess.run(
        [
            _BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--allow-file-access-from-files",
            "--virtual-time-budget=3000",
            f"--window-size={max(width, 500) + 50},1000",
            "--dump-dom",
            probe.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    values = re.search(r'data-probe="(\d+),(\d+),(\d+),(\d+)"', out)
    assert values, out[:500]
    return tuple(int(v) for v in values.groups())


@pytest.fixture(scope="module")
def page(tmp_path_factory, grunfeld):
    import matplotlib

    matplotlib.use("Agg")
    import statsmodels.formula.api as smf
    from matplotlib import pyplot as plt

    root = tmp_path_factory.mktemp("reports")
    fits = [
        smf.ols(f"inv ~ value + capital + I(firm * {k})", data=grunfeld).fit() for k in range(1, 8)
    ]
    labels = {"value": "公司价值（亿元，按年末市值计算）", "capital": "资本存量"}
    RegressionTable(fits, labels=labels).captioned("基准回归").save(
        root / "tables" / "models", ["html"]
    )
    descriptive_table(grunfeld, ["inv", "value"]).captioned("描述性统计").save(
        root / "tables" / "descriptives", ["html"]
    )
    fig, ax = plt.subplots(figsize=(12, 4))
    ax.plot([0, 1], [0, 1])
    (root / "figures").mkdir()
    fig.savefig(root / "figures" / "trend.png", dpi=100)
    plt.close(fig)
    return write_index(root)


@pytest.mark.parametrize("width", [1280, 390])
def test_no_horizontal_overflow_and_everything_present(page, width):
    scroll, inner, tables, images = _measure(page, width)
    assert inner == width
    assert scroll <= inner, f"page is {scroll} px wide in a {inner} px window"
    assert (tables, images) == (2, 1)
