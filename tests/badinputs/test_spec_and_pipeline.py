"""Bad-input catalogue, spec and pipeline side: each attack or fault of issue 18 on its own copy of
the demo study (or of a one-file study, where the whole pipeline has to run), asserting the exact
message and that nothing happened outside the project."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from clusterdx.errors import ClusterDXError, StudySpecError
from clusterdx.study import Study
from clusterdx.tasks import pipeline

from ..conftest import REPO, invoke

HINT = (
    "formulas use column names, numbers, + - * / **, comparisons and the functions log, log1p, "
    "exp, sqrt, abs, min, max, where, lag, lead, diff"
)
DEFAULT_PATHS = 'root = ".."\nraw = "data_raw/demo"\nclean = "data_clean"\nreports = "reports"'
NAME_RULE = (
    "is not allowed: names start with a letter or '_' and hold only letters, digits and '_' "
    "(at most 64; no '/', '.', '-' or spaces)"
)


def demo_study(folder: Path, *edits: tuple[str, str]) -> Path:
    """Copy the default study and the demo data into ``folder``, apply text ``edits``; return the TOML."""
    shutil.copytree(REPO / "data_raw" / "demo", folder / "raw")
    text = (REPO / "analysis" / "study.toml").read_text(encoding="utf-8")
    text = text.replace(
        DEFAULT_PATHS, 'root = "."\nraw = "raw"\nclean = "clean"\nreports = "reports"'
    )
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = folder / "study.toml"
    path.write_text(text, encoding="utf-8")
    return path


TINY = """
[study]
name = "tiny"
years = [2020, 2021]
[paths]
root = "."
raw = "raw"
{paths}
[variables.gdp]
unit = "亿元"
[[sources]]
name = "gdp"
file = "{file}"
region = "省份"
year = "年份"
variables.gdp = {{ column = "GDP", unit = "亿元" }}
"""


def tiny_study(folder: Path, paths: str = "", file: str = "gdp.csv") -> Path:
    """A one-source study whose whole pipeline runs in a second or two."""
    (folder / "raw").mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            "省份": ["北京", "天津", "北京", "天津"],
            "年份": [2020, 2020, 2021, 2021],
            "GDP": [36102.6, 14083.7, 40269.6, 15695.0],
        }
    ).to_csv(folder / "raw" / "gdp.csv", index=False)
    path = folder / "study.toml"
    path.write_text(TINY.format(paths=paths, file=file), encoding="utf-8")
    return path


def _load_error(path: Path, overrides: list[str] | None = None) -> str:
    with pytest.raises(StudySpecError) as info:
        Study.load(path, overrides=overrides)
    return str(info.value)


# ------------------------------------------------------------------ 1. the study file runs no code


SHELL = 'gdp.__class__.__init__.__globals__["sys"].modules["os"].system("id > {}") + gdp'


def test_shell_through_a_formula_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    formula = SHELL.format(marker.as_posix())
    path = demo_study(tmp_path, ('formula = "log(retail / population)"', f"formula = '{formula}'"))
    assert _load_error(path) == (
        f"{path}: key 'indicators.demand.formula': Value error, formula {formula!r}: '.' at "
        f"position 4: attribute access is not allowed; {HINT}; got {formula!r}"
    )
    assert not marker.exists()


def test_shell_through_set_is_refused_by_validate(tmp_path):
    marker = tmp_path / "pwned"
    formula = SHELL.format(marker.as_posix())
    path = demo_study(tmp_path)
    result = invoke(
        ["validate", "--study", str(path), "--set", f"indicators.demand.formula='{formula}'"],
    )
    assert result.exit_code == 1
    assert "key 'indicators.demand.formula'" in result.output
    assert "'.' at position 4: attribute access is not allowed" in result.output
    assert not marker.exists()


@pytest.mark.parametrize(
    ("formula", "token", "position", "why"),
    [
        ('gdp.to_frame().to_csv("/tmp/x")', ".", 4, "attribute access is not allowed"),
        ("@gdp + 1", "@", 1, "'@' (local variables) is not allowed"),
    ],
)
def test_writing_files_and_reading_locals_are_refused(tmp_path, formula, token, position, why):
    path = demo_study(tmp_path)
    override = f"indicators.demand.formula='{formula}'"
    assert _load_error(path, [override]) == (
        f"{path}: key 'indicators.demand.formula': Value error, formula {formula!r}: {token!r} at "
        f"position {position}: {why}; {HINT}; got {formula!r}"
    )


def test_python_in_a_model_formula_is_refused(tmp_path):
    formula = "dt ~ demand + np.log(gov)"
    path = demo_study(
        tmp_path, ('formula = "dt ~ demand + gov + tech + core"', f'formula = "{formula}"')
    )
    message = _load_error(path)
    assert message == (
        f"{path}: key 'models.0.panel.formula': Value error, model formula {formula!r}: "
        "'np.log(gov)' at position 15 is not a column name; write 'y ~ a + b' with column names "
        f"only (transformations go into [indicators]); got {formula!r}"
    )


def test_task_files_in_the_project_are_not_run(tmp_path):
    marker = tmp_path / "ran"
    study = Study.load(tiny_study(tmp_path))
    (tmp_path / "raw" / "task_notes.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('x')\n"
        f"def task_notes():\n    Path({str(marker)!r}).write_text('x')\n",
        encoding="utf-8",
    )
    session = pipeline.run(study, verbose=0)
    assert not marker.exists()
    assert all(r.task.name.split("::")[-1].startswith("task_") for r in session.execution_reports)
    # clean, panel, indicators, spatial, models, analyses, index, manifest
    assert len(session.execution_reports) == 8


# ------------------------------------------------------------------ 3. nothing leaves the project


@pytest.mark.parametrize(
    ("old", "new", "key", "value"),
    [
        ('name = "innovation"', 'name = "../../../../x"', "sources.1.name", "../../../../x"),
        ("[weights.queen]", '[weights."queen/.."]', "weights", "queen/.."),
        ("[indicators.demand]", '[indicators."-demand"]', "indicators", "-demand"),
    ],
)
def test_names_cannot_be_paths(tmp_path, old, new, key, value):
    path = demo_study(tmp_path, (old, new))
    assert _load_error(path).startswith(
        f"{path}: key '{key}': Value error, name {value!r} {NAME_RULE}"
    )


def test_analysis_named_like_a_path(tmp_path):
    path = demo_study(tmp_path, ('name = "moderation_gov"', 'name = "../../escape"'))
    assert _load_error(path) == (
        f"{path}: key 'analyses.1.name': Value error, name '../../escape' {NAME_RULE}; "
        "got '../../escape'"
    )


def test_analysis_named_like_a_pipeline_table(tmp_path):
    path = demo_study(tmp_path, ('name = "moderation_gov"', 'name = "models"'))
    assert _load_error(path) == (
        f"{path}: key '': Value error, analysis names ['models'] are the names of the pipeline's "
        "own tables ['correlations', 'descriptives', 'descriptives_by_type', 'effects', "
        "'indicator_weights', 'models', 'moran', 'robustness', 'spatial_tests']; rename the analyses"
    )


def test_chinese_names_are_allowed(tmp_path):
    path = demo_study(tmp_path, ("[indicators.demand]", '[indicators."市场需求_2"]'))
    assert "市场需求_2" in Study.load(path).spec.indicators


@pytest.mark.parametrize(
    ("key", "value", "rule"),
    [
        ("paths.clean", "../outside", "outputs must stay inside it"),
        ("paths.reports", "/tmp/clusterdx_reports", "outputs must stay inside it"),
        ("paths.raw", "../../elsewhere", "move the file into the project"),
    ],
)
def test_folders_outside_the_root_are_refused(tmp_path, key, value, rule):
    path = tiny_study(tmp_path / "p")
    root = (tmp_path / "p").resolve()
    resolved = Path(os.path.normpath(root / value)).resolve()
    message = _load_error(path, [f'{key}="{value}"'])
    full_rule = (
        "outputs must stay inside it (paths.allow_outside only applies to raw inputs)"
        if rule.startswith("outputs")
        else "move the file into the project or set paths.allow_outside = true to read raw inputs "
        "kept elsewhere"
    )
    assert message == (
        f"{path}: key '{key}': {value!r} resolves to {resolved}, outside the project root {root} "
        f"(paths.root); {full_rule}"
    )


def test_outputs_into_the_root_itself_are_refused(tmp_path):
    path = tiny_study(tmp_path)
    assert _load_error(path, ['paths.reports="."']) == (
        f"{path}: key 'paths.reports': '.' is the project root itself; outputs go to a folder of "
        "their own inside it (default 'reports')"
    )


def test_raw_file_outside_the_root_is_refused(tmp_path):
    path = tiny_study(tmp_path, file="../" * 20 + "etc/passwd")
    message = _load_error(path)
    assert message.startswith(
        f"{path}: key 'sources.0.file (gdp)': {'../' * 20 + 'etc/passwd'!r} resolves to /etc/passwd, "
        "outside the project root"
    )


@pytest.mark.parametrize(
    "override, key",
    [
        ('weights.w.type="file"', "weights.w.file"),
        ('regions.file="../../regions.csv"', "regions.file"),
    ],
)
def test_weights_and_regions_files_outside_the_root_are_refused(tmp_path, override, key):
    path = tiny_study(tmp_path / "p")
    overrides = [override]
    if key.startswith("weights"):
        overrides.append('weights.w.file="../../w.csv"')
    message = _load_error(path, overrides)
    assert message.startswith(f"{path}: key '{key}': '../../")
    assert "outside the project root" in message


def test_allow_outside_reads_raw_files_elsewhere_but_never_writes_there(tmp_path):
    elsewhere = tmp_path / "elsewhere" / "gdp.csv"
    project = tmp_path / "p"
    tiny_study(project)
    elsewhere.parent.mkdir()
    shutil.move(project / "raw" / "gdp.csv", elsewhere)
    path = tiny_study(project, paths="allow_outside = true", file=str(elsewhere))
    (project / "raw" / "gdp.csv").unlink()
    study = Study.load(path)
    pipeline.run(study, verbose=0)
    assert pd.read_parquet(study.clean_dir / "panel.parquet").shape == (4, 3)
    assert sorted(p.name for p in elsewhere.parent.iterdir()) == ["gdp.csv"]
    message = _load_error(path, ['paths.clean="../out"'])
    assert "key 'paths.clean'" in message and "paths.allow_outside only applies to raw" in message


# ------------------------------------------------------------------ 6. cache, outputs, lock


@pytest.mark.slow
def test_tampered_intermediate_is_rebuilt(tmp_path, capsys):
    study = Study.load(tiny_study(tmp_path))
    pipeline.run(study, verbose=0)
    table = study.clean_dir / "sources" / "gdp.parquet"
    original = table.read_bytes()
    stat = table.stat()
    frame = pd.read_parquet(table)
    frame["gdp"] *= 10
    frame.to_parquet(table, index=False)
    os.utime(table, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    capsys.readouterr()
    session = pipeline.run(study, verbose=0)
    outcomes = {r.task.name.split("::")[-1]: r.outcome.name for r in session.execution_reports}
    assert outcomes["task_clean"] == "SUCCESS"
    assert table.read_bytes() == original
    assert capsys.readouterr().err == (
        "clusterdx: rebuilding outputs whose content changed since they were written:\n"
        "  data_clean/sources/gdp.parquet\n"
    )
    assert pd.read_parquet(study.clean_dir / "panel.parquet")["gdp"].max() == 40269.6


@pytest.mark.slow
def test_raw_file_edited_with_its_mtime_restored_is_read_again(tmp_path, capsys):
    study = Study.load(tiny_study(tmp_path))
    pipeline.run(study, verbose=0)
    raw = study.raw_dir / "gdp.csv"
    stat = raw.stat()
    raw.write_text(raw.read_text(encoding="utf-8").replace("36102.6", "36102.9"), encoding="utf-8")
    os.utime(raw, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    capsys.readouterr()
    pipeline.run(study, verbose=0)
    assert capsys.readouterr().err == (
        "clusterdx: raw files whose content changed since the last run (re-read):\n  raw/gdp.csv\n"
    )
    assert 36102.9 in pd.read_parquet(study.clean_dir / "panel.parquet")["gdp"].tolist()


@pytest.mark.slow
def test_outputs_no_step_declares_are_removed_and_listed(tmp_path, capsys):
    study = Study.load(tiny_study(tmp_path))
    pipeline.run(study, verbose=0)
    leftovers = [
        study.reports_dir / "tables" / "old_model.html",
        study.reports_dir / "figures" / "old.png",
        study.clean_dir / "sources" / "removed_source.parquet",
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<table></table>", encoding="utf-8")
    capsys.readouterr()
    pipeline.run(study, verbose=0, force=True)
    assert not any(p.exists() for p in leftovers)
    assert capsys.readouterr().err == (
        "clusterdx: removed outputs no current step declares:\n"
        "  data_clean/sources/removed_source.parquet\n"
        "  reports/figures/old.png\n"
        "  reports/tables/old_model.html\n"
    )
    index = (study.reports_dir / "index.html").read_text(encoding="utf-8")
    assert "old_model" not in index and "old.png" not in index


@pytest.mark.slow
def test_force_rebuild_is_byte_identical_to_a_first_build(tmp_path):
    study = Study.load(tiny_study(tmp_path / "a"))
    pipeline.run(study, verbose=0)
    first = {p: p.read_bytes() for p in study.reports_dir.rglob("*") if p.is_file()}
    (study.reports_dir / "tables").mkdir(exist_ok=True)
    (study.reports_dir / "tables" / "stale.html").write_text("<p>old</p>", encoding="utf-8")
    pipeline.run(study, verbose=0, force=True)
    again = {p: p.read_bytes() for p in study.reports_dir.rglob("*") if p.is_file()}
    assert again == first


@pytest.mark.slow
def test_a_second_concurrent_run_exits_with_a_message(tmp_path):
    study = Study.load(tiny_study(tmp_path))
    lock = study.clean_dir / ".clusterdx.lock"
    study.clean_dir.mkdir()
    with pipeline.study_lock(study), pytest.raises(ClusterDXError) as info:
        pipeline.run(study, verbose=0)
    assert str(info.value) == (
        f"another clusterdx run (pid {os.getpid()}) is building this study: {lock} is locked; "
        "wait for it to finish, then run again"
    )
    assert not (study.clean_dir / "panel.parquet").exists()
    pipeline.run(study, verbose=0)  # released: the next run builds
    assert (study.clean_dir / "panel.parquet").exists()


def test_lock_held_by_another_process(tmp_path):
    import subprocess
    import sys
    import textwrap

    study = Study.load(tiny_study(tmp_path))
    study.clean_dir.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import fcntl, os, sys, time
                f = open({str(study.clean_dir / ".clusterdx.lock")!r}, "a+")
                fcntl.flock(f.fileno(), fcntl.LOCK_EX)
                f.write(str(os.getpid())); f.flush()
                print("held", flush=True)
                time.sleep(30)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ClusterDXError, match=rf"another clusterdx run \(pid {holder.pid}\)"):
            pipeline.run(study, verbose=0)
    finally:
        holder.kill()
        holder.wait()


# ------------------------------------------------------------------ 7. messages, not tracebacks


def test_gbk_study_file(tmp_path):
    path = tiny_study(tmp_path)
    text = path.read_text(encoding="utf-8").replace('name = "tiny"', 'name = "集群研究"')
    path.write_bytes(text.encode("gbk"))
    assert _load_error(path) == (
        f"{path}: not UTF-8 text (it looks like GBK / GB18030): byte 0xbc at line 3; TOML files "
        "must be UTF-8: re-save it as UTF-8 in your editor"
    )


def test_reports_folder_that_cannot_be_written(tmp_path, monkeypatch):
    study = Study.load(tiny_study(tmp_path))
    (tmp_path / "reports").write_text("a file, not a folder", encoding="utf-8")
    with pytest.raises(ClusterDXError) as info:
        pipeline.run(study, verbose=0)
    assert str(info.value) == (
        f"cannot create the paths.reports folder {study.reports_dir}: File exists; point "
        "paths.reports at a folder you can write to"
    )
    (tmp_path / "reports").unlink()
    real_access = os.access
    monkeypatch.setattr(
        pipeline.os, "access", lambda p, mode: Path(p) != study.reports_dir and real_access(p, mode)
    )
    with pytest.raises(ClusterDXError) as info:
        pipeline.run(study, verbose=0)
    assert str(info.value) == (
        f"the paths.reports folder {study.reports_dir} is not writable; make it writable or point "
        "paths.reports at a folder you can write to"
    )


def test_duplicated_source_name(tmp_path):
    path = demo_study(tmp_path, ('name = "innovation"', 'name = "yearbook_macro"'))
    assert _load_error(path) == (
        f"{path}: key '': Value error, source names ['yearbook_macro'] are repeated; each "
        "[[sources]] needs its own name (names name the clean files)"
    )


@pytest.mark.parametrize(
    ("override", "key", "rule", "value"),
    [
        ("study.seed=-1", "study.seed", "Input should be greater than or equal to 0", "-1"),
        (
            "study.seed=4294967296",
            "study.seed",
            "Input should be less than 4294967296",
            "4294967296",
        ),
        (
            "diagnostics.permutations=1e9",
            "diagnostics.permutations",
            "Input should be less than or equal to 99999",
            "1000000000.0",
        ),
    ],
)
def test_bounded_counts(tmp_path, override, key, rule, value):
    path = demo_study(tmp_path)
    assert _load_error(path, [override]) == f"{path}: key '{key}': {rule}; got {value}"


@pytest.mark.parametrize(
    ("draws", "rule"),
    [
        ("-5", "Input should be greater than or equal to 0"),
        ("1000000000", "Input should be less than or equal to 100000"),
    ],
)
def test_bounded_impact_draws(tmp_path, draws, rule):
    path = demo_study(tmp_path, ("impacts_draws = 1000\n", f"impacts_draws = {draws}\n"))
    assert _load_error(path) == (
        f"{path}: key 'models.1.spatial.impacts_draws': {rule}; got {draws}"
    )


def test_unknown_drop_entities_code_fails_validate(tmp_path):
    path = demo_study(
        tmp_path, ("drop_entities = [110000, 120000, 310000, 500000]", "drop_entities = [990000]")
    )
    result = invoke(["validate", "--study", str(path)])
    assert result.exit_code == 1
    assert (
        "StudySpecError: key 'robustness.variants.1.drop_entities' (剔除直辖市): [990000] are not "
        "regions of the panel; use region codes such as ['110000', '120000', '130000']"
    ) in result.output


def test_validate_checks_model_variables_and_log_of_non_positive(tmp_path):
    path = demo_study(
        tmp_path,
        (
            'formula = "dt ~ demand + gov + tech + core"',
            'formula = "dt ~ demand + gov + tehc + core"',
        ),
    )
    result = invoke(["validate", "--study", str(path)])
    assert result.exit_code == 1
    assert (
        "StudySpecError: key 'models.0.formula (fe_twoways)': 'tehc' is not a variable or "
        "indicator of the panel; available: ["
    ) in result.output
    result = invoke(
        [
            "validate",
            "--study",
            str(path),
            "--set",
            "indicators.tech.formula='log(patents - patents)'",
        ],
    )
    assert result.exit_code == 1
    raw = pd.read_csv(REPO / "data_raw" / "demo" / "innovation_gbk.csv", encoding="gbk")
    beijing_2011 = raw.loc[(raw["地区"] == "北京市") & (raw["年份"] == 2011), "发明专利授权数(件)"]
    assert (
        "indicator 'tech' (formula) is missing or infinite for 403 region-year(s), e.g. "
        "[{'region': 110000, 'year': 2011}, {'region': 110000, 'year': 2012}, {'region': 110000, "
        "'year': 2013}, {'region': 110000, 'year': 2014}, {'region': 110000, 'year': 2015}]; "
        f"first one's inputs: patents = {float(beijing_2011.iloc[0])} (innovation_gbk.csv, "
        "column '发明专利授权数(件)')"
    ) in result.output


def test_validate_names_the_firm_file_behind_a_region_without_firms(tmp_path):
    path = demo_study(tmp_path)
    firms = tmp_path / "raw" / "listed_firms.csv"
    lines = firms.read_text(encoding="utf-8").splitlines(keepends=True)
    firms.write_text("".join(line for line in lines if ",北京市," not in line), encoding="utf-8")
    result = invoke(["validate", "--study", str(path)])
    assert result.exit_code == 1
    assert (
        "DataError: indicator 'core' (firm_share) is missing or infinite for 13 region-year(s), "
        "e.g. [{'region': 110000, 'year': 2011}, {'region': 110000, 'year': 2012}, {'region': "
        "110000, 'year': 2013}, {'region': 110000, 'year': 2014}, {'region': 110000, 'year': "
        "2015}]; it is computed from source 'firms' (listed_firms.csv): check that file's rows "
        "for these region-years (e.g. a region without firms)"
    ) in result.output


def test_validate_builds_the_weights(tmp_path):
    path = demo_study(
        tmp_path,
        ('type = "contiguity"\nrule = "queen"', 'type = "nested"\ngeo = "queen"\necon = "x"'),
    )
    result = invoke(["validate", "--study", str(path)])
    assert result.exit_code == 1
    assert (
        "StudySpecError: key 'weights.queen.geo': 'queen' is not one of the other defined weights []"
        in result.output
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            ['weights.queen.type="knn"', "weights.queen.k=50"],
            "WeightsError: k must be an integer between 1 and 30 (number of regions - 1); got 50",
        ),
        (
            ['weights.queen.type="economic_distance"'],
            "StudySpecError: key 'weights.queen.variable': type 'economic_distance' needs the "
            'variable whose distance defines the weights, e.g. variable = "gdp"',
        ),
    ],
)
def test_validate_checks_weights_options(tmp_path, overrides, message):
    path = demo_study(tmp_path)
    args = ["validate", "--study", str(path)]
    for item in overrides:
        args += ["--set", item]
    result = invoke(args)
    assert result.exit_code == 1
    assert message in result.output
