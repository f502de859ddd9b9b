"""The site builds with ``mkdocs build --strict``: no warning, no broken link, every snippet runs.

The build runs the default study into ``build/docs/en/`` (pytask: a later build only checks that it
is up to date), takes the session's build of the demo (``built_demo``, in Chinese) for the Chinese
pages, and executes every Python block of every page in both languages. Measured
on the 2-core development machine: about 2 minutes with the study up to date, plus about 2 minutes
per language on the first build.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytest.importorskip(
    "mkdocs", reason="the docs tools come with the dev extra (pip install -e .[dev])"
)
pytest.importorskip("mkdocstrings", reason="the docs tools come with the dev extra")
pytest.importorskip("mkdocs_static_i18n", reason="the docs tools come with the dev extra")


@pytest.fixture(scope="module")
def site(tmp_path_factory, built_demo):
    """The site, built with the session's demo build as the default study in Chinese."""
    assert built_demo.spec.study.language == "zh"
    out = tmp_path_factory.mktemp("site")
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "analysis"),
        "NO_MKDOCS_2_WARNING": "1",
        "CLUSTERDX_DOCS_STUDY_ZH": str(built_demo.path),
    }
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stderr[-6000:]
    return out


@pytest.mark.slow
def test_every_public_name_has_an_anchor_in_both_languages(site, generate):
    for module in generate.public_modules():
        page = f"reference/api/{module.split('.')[-1]}/index.html"
        for root in (site, site / "zh"):
            html = (root / page).read_text(encoding="utf-8")
            for name in generate.public_names(module):
                assert f'id="{module}.{name}"' in html or f"{module}.{name}" in html, (
                    root,
                    module,
                    name,
                )


@pytest.mark.slow
def test_tutorial_shows_the_pipelines_tables_and_snippet_output(site, built_demo):
    en = (site / "tutorial" / "index.html").read_text(encoding="utf-8")
    zh = (site / "zh" / "tutorial" / "index.html").read_text(encoding="utf-8")
    reports = {"en": REPO / "build" / "docs" / "en" / "reports", "zh": built_demo.reports_dir}
    assert "Baseline regression results" in en and "基准回归结果" in zh
    for lang, html in (("en", en), ("zh", zh)):
        caption = (reports[lang] / "tables" / "models.md").read_text(encoding="utf-8")
        assert caption.splitlines()[0].strip("*") in html
        assert html.count("<table") >= 15
    stata = (site / "stata-r" / "index.html").read_text(encoding="utf-8")
    assert "R splm" in stata and "1609.7200" in stata  # printed by the executed snippet
    spec = (site / "zh" / "reference" / "study-spec" / "index.html").read_text(encoding="utf-8")
    assert "study.seed" in spec and "随机种子" in spec
