"""clusterdx.cli: validate, demo and the error path (exit code 1 with the message, no traceback)."""

from __future__ import annotations

from typer.testing import CliRunner

from clusterdx.cli import app

from .conftest import REPO

runner = CliRunner()


def test_validate_default_study():
    result = runner.invoke(app, ["validate", "--study", str(REPO / "analysis" / "study.toml")])
    assert result.exit_code == 0, result.output
    assert "digital_economy.csv: read 404, kept 403, dropped 1" in result.output
    assert "Valid: panel of 403 region-years." in result.output


def test_validate_reports_spec_errors_without_traceback(tmp_path):
    study = tmp_path / "study.toml"
    study.write_text(
        '[study]\nname = "x"\nyears = [2020, 2021]\nlevel = "village"\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["validate", "--study", str(study)])
    assert result.exit_code == 1
    assert "StudySpecError" in result.output
    assert (
        "key 'study.level': Input should be 'province', 'city' or 'county'; got 'village'"
        in result.output
    )
    assert "Traceback" not in result.output


def test_demo_writes_the_files(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cluster_registry.csv",
        "digital_economy.csv",
        "innovation_gbk.csv",
        "listed_firms.csv",
        "manufacturing_employment.csv",
        "truth.json",
        "yearbook_macro.xlsx",
    ]
