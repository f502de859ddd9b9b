"""clusterdx.cli: validate, demo and the error path (exit code 1 with the message, no traceback)."""

from __future__ import annotations

import re

from .conftest import REPO, invoke


def test_validate_default_study():
    result = invoke(["validate", "--study", str(REPO / "analysis" / "study.toml")])
    assert result.exit_code == 0, result.output
    assert "digital_economy.csv: read 404, kept 403, dropped 1" in result.output
    assert "Valid: panel of 403 region-years." in result.output


def test_validate_reports_spec_errors_without_traceback(tmp_path):
    study = tmp_path / "study.toml"
    study.write_text(
        '[study]\nname = "x"\nyears = [2020, 2021]\nlevel = "village"\n', encoding="utf-8"
    )
    result = invoke(["validate", "--study", str(study)])
    assert result.exit_code == 1
    assert "StudySpecError" in result.output
    assert (
        "key 'study.level': Input should be 'province', 'city' or 'county'; got 'village'"
        in result.output
    )
    assert "Traceback" not in result.output


def test_demo_writes_the_files(tmp_path):
    result = invoke(["demo", "--out", str(tmp_path)])
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


def test_error_messages_keep_their_brackets(tmp_path):
    # rich would read "[variables.gdp]" / "[study]" as markup tags and drop them
    study = tmp_path / "study.toml"
    study.write_text(
        '[study]\nname = "x"\nyears = [2020, 2021]\n\n[[sources]]\nname = "macro"\n'
        'file = "macro.csv"\nregion = "r"\nyear = "y"\n'
        '[sources.variables]\ngdp = { column = "GDP" }\n',
        encoding="utf-8",
    )
    result = invoke(["validate", "--study", str(study)])
    assert result.exit_code == 1
    assert (
        "source 'macro' declares variable 'gdp' that has no [variables.gdp] entry "
        "(declare its unit and labels there)" in result.output
    )
    (tmp_path / "macro.csv").write_text("r,y,GDP\n北京,2019,1\n", encoding="utf-8")
    study.write_text(
        study.read_text(encoding="utf-8") + '\n[variables.gdp]\nunit = "1"\n', encoding="utf-8"
    )
    (tmp_path / "study.toml").write_text(
        study.read_text(encoding="utf-8").replace(
            "years = [2020, 2021]\n", 'years = [2020, 2021]\n\n[paths]\nroot = "."\nraw = "."\n'
        ),
        encoding="utf-8",
    )
    result = invoke(["validate", "--study", str(study)])
    assert result.exit_code == 1
    assert (
        "Widen [study].years, or set [cleaning].out_of_window = 'drop' to drop them"
        in result.output
    )


def test_validate_reports_an_unbalanced_panel(tmp_path):
    (tmp_path / "macro.csv").write_text(
        "r,y,GDP\n北京,2020,1\n北京,2021,2\n天津,2020,3\n", encoding="utf-8"
    )
    study = tmp_path / "study.toml"
    study.write_text(
        '[study]\nname = "x"\nyears = [2020, 2021]\n[paths]\nroot = "."\nraw = "."\n'
        '[variables.gdp]\nunit = "1"\n[[sources]]\nname = "macro"\nfile = "macro.csv"\n'
        'region = "r"\nyear = "y"\n[sources.variables]\ngdp = { column = "GDP" }\n',
        encoding="utf-8",
    )
    result = invoke(["validate", "--study", str(study)])
    assert result.exit_code == 0, result.output
    assert (
        "The panel is unbalanced: 1 region-year(s) missing (listed in the audit under "
        "tables.panel.missing_region_years); spatial models, Moran's I and the threshold model "
        "need [study].exclude_regions or [cleaning].balance." in result.output
    )
    assert "Valid: panel of 3 region-years." in result.output


def test_help_lists_the_commands_and_their_options():
    result = invoke(["--help"])
    assert result.exit_code == 0
    for command, summary in (
        ("run", "Build the whole study"),
        ("validate", "Check the study spec"),
        ("demo", "Generate the demo raw data"),
    ):
        assert re.search(rf"^\s+{command}\s+{summary}", result.output, re.MULTILINE), command
    assert invoke([]).output == result.output  # no command: the same help
    run_help = invoke(["run", "--help"]).output
    for option in ("--study", "--set KEY=VALUE", "--force"):
        assert option in run_help


def test_malformed_command_line_is_a_usage_error():
    result = invoke(["validate", "--no-such-option"])
    assert result.exit_code == 2
    assert "unrecognized arguments: --no-such-option" in result.output
    assert "Traceback" not in result.output


def test_set_is_repeatable_and_reaches_the_spec(monkeypatch):
    from clusterdx import cli

    seen = {}
    monkeypatch.setattr(cli, "validate", lambda **options: seen.update(options))
    args = ["validate", "-s", "x.toml", "--set", "a.b=1", "--set", "c.d='e'"]
    assert invoke(args).exit_code == 0
    assert seen == {"study": cli.Path("x.toml"), "set_": ["a.b=1", "c.d='e'"]}
