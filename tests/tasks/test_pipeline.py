"""clusterdx.tasks.pipeline: the whole study end to end on the demo data, incremental rebuilds, bytes."""

from __future__ import annotations

import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout

import pandas as pd
import pytest

from clusterdx import regions
from clusterdx.errors import DataError
from clusterdx.study import Study
from clusterdx.tasks import forked
from clusterdx.tasks.analyses import analysis_outputs
from clusterdx.tasks.pipeline import run
from clusterdx.tasks.steps import model_outputs

from ..conftest import REPO, copy_of_built_demo
from ..conftest import demo_study_in as _study_in


def _outcomes(session) -> dict[str, str]:
    return {
        r.task.name.split("[")[-1].rstrip("]").replace("task_", "").split("::")[-1]: r.outcome.name
        for r in session.execution_reports
    }


LEFTOVER = "removed_analysis.html"


@contextmanager
def _captured_fds() -> Iterator[list[str]]:
    """What is written to ``sys.stdout``/``sys.stderr`` and to file descriptors 1 and 2 in the block
    (as ``capfd``, for a module fixture): ``[stdout, stderr]`` once the block ends."""
    texts: list[str] = []
    python = [io.StringIO(), io.StringIO()]
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            with redirect_stdout(python[0]), redirect_stderr(python[1]):
                yield texts
        finally:
            for fd, copy in zip((1, 2), saved, strict=True):
                os.dup2(copy, fd)
                os.close(copy)
            for text, file in zip(python, (out, err), strict=True):
                file.seek(0)
                texts.append(text.getvalue() + file.read().decode("utf-8"))


@pytest.fixture(scope="module")
def rebuilt_copy(built_demo_run, tmp_path_factory):
    """A copy of the session's demo build in another folder (these tests change it), with a leftover
    table no step declares, rebuilt with ``force=True`` and ``verbose=0`` (a copy's pytask state does
    not carry over either); that run's session and what it printed (stdout, stderr). The session's
    build ran the independent parts of the models and analyses steps on forked workers (Linux);
    this rebuild runs every part in this process, one after the other."""
    demo, _ = built_demo_run
    study = copy_of_built_demo(demo, tmp_path_factory.mktemp("pipeline") / "study")
    (study.reports_dir / "tables" / LEFTOVER).write_text("<p/>", encoding="utf-8")
    with _captured_fds() as printed, pytest.MonkeyPatch.context() as patch:
        patch.setattr(forked, "can_fork", lambda: False)
        session = run(study, verbose=0, force=True)
    return study, session, tuple(printed)


@pytest.fixture(scope="module")
def built(built_demo_run, rebuilt_copy):
    """The module's up-to-date copy and the first build's pytask session."""
    return rebuilt_copy[0], built_demo_run[1]


def test_first_run_builds_every_output(built):
    study, session = built
    assert all(r.outcome.name == "SUCCESS" for r in session.execution_reports)
    declared = {*model_outputs(study).values(), *analysis_outputs(study).values()}
    written = {p for p in study.reports_dir.rglob("*") if p.is_file()}
    assert written == declared | {
        study.reports_dir / "index.html",
        study.reports_dir / "manifest.json",
        study.reports_dir / "tables.docx",
        study.reports_dir / "tables.tex",
    }
    for path in [
        study.clean_dir / "panel.parquet",
        study.clean_dir / "audit.json",
        study.clean_dir / "indicators.parquet",
        study.reports_dir / "manifest.json",
        *model_outputs(study).values(),
    ]:
        assert path.exists() and path.stat().st_size > 0, path


def test_same_inputs_give_byte_identical_tables_and_figures(built_demo_run, rebuilt_copy):
    """The copy's forced rebuild (every task run again, in another folder, over a reports folder
    with a leftover, every part of a step in this process where the session's build forked
    workers) wrote the session build's bytes and files: no absolute path, time, hash order or
    worker leaks into a table, figure, the index or the manifest. Runs before the tests below
    change the copy."""
    demo, _ = built_demo_run
    study, session, _ = rebuilt_copy
    assert {r.outcome.name for r in session.execution_reports} == {"SUCCESS"}
    first = {p.relative_to(demo.reports_dir) for p in demo.reports_dir.rglob("*") if p.is_file()}
    again = {p.relative_to(study.reports_dir) for p in study.reports_dir.rglob("*") if p.is_file()}
    assert again == first  # the leftover is gone, nothing else added or lost
    for path in sorted(first):
        assert (demo.reports_dir / path).read_bytes() == (study.reports_dir / path).read_bytes(), (
            path
        )


def test_force_rebuild_prints_only_the_removed_leftover(rebuilt_copy):
    """With ``verbose=0`` a forced rebuild prints nothing but the note on the removed leftover."""
    assert rebuilt_copy[2] == (
        "",
        f"clusterdx: removed outputs no current step declares:\n  reports/tables/{LEFTOVER}\n",
    )


def test_audit_counts_the_demo_dirt(built):
    study, _ = built
    audit = json.loads((study.clean_dir / "audit.json").read_text(encoding="utf-8"))
    files = audit["files"]
    assert files["digital_economy.csv"]["rows_read"] == 404
    assert files["digital_economy.csv"]["dropped_by_reason"] == {
        "exact duplicate of an earlier row": 1
    }
    assert files["innovation_gbk.csv"]["encoding"] == "gb18030"
    assert files["innovation_gbk.csv"]["cells_changed_by_action"] == {"interpolated": 1}
    assert files["yearbook_macro.xlsx"]["cells_changed_by_action"] == {
        "unit slip rescaled by 1e-4": 1
    }
    assert audit["rows_dropped"] == 1
    assert audit["rows_read"] - audit["rows_kept"] == 1
    assert audit["tables"]["panel"] == {
        "rows": 403,
        "regions": 31,
        "years": [2011, 2023],
        "variables": sorted(audit["tables"]["panel"]["variables"]),
        "balanced": True,
        "excluded_regions": [],
        "missing_region_years": [],
        "balance": {
            "policy": "error",
            "dropped_regions": [],
            "dropped_years": [],
            "rows_dropped": 0,
        },
    }


def test_manifest_hashes_inputs_and_maps_outputs(built):
    study, _ = built
    manifest = json.loads((study.reports_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["study"]["seed"] == study.spec.study.seed
    assert "raw/innovation_gbk.csv" in manifest["inputs"]
    assert (
        manifest["outputs"]["reports/tables/models.docx"]["step"]
        == "clusterdx.tasks.steps.fit_models"
    )
    assert manifest["outputs"]["reports/tables/robustness.docx"]["step"] == (
        "clusterdx.tasks.analyses.run_analyses"
    )
    # every report file but the manifest, plus panel, audit, indicators, the cluster-year panel,
    # the queen matrix and the LISA map's polygons of the spatial step
    assert len(manifest["outputs"]) == len(list(study.reports_dir.rglob("*.*"))) - 1 + 6
    for name in ("clean/spatial/queen.npz", "clean/spatial/map_shapes.parquet"):
        assert manifest["outputs"][name]["step"] == (
            "clusterdx.tasks.spatial_inputs.build_spatial_inputs"
        )
    assert manifest["outputs"]["clean/cluster_panel.parquet"]["step"] == (
        "clusterdx.tasks.steps.build_indicators"
    )
    assert manifest["software"]["packages"]["linearmodels"] != "not installed"


def test_second_run_is_up_to_date(built):
    study, _ = built
    again = run(study, verbose=0)
    assert set(_outcomes(again).values()) == {"SKIP_UNCHANGED"}


def test_changed_raw_file_reruns_only_what_depends_on_it(built):
    study, _ = built
    path = study.raw_dir / "digital_economy.csv"
    frame = pd.read_csv(path)
    frame.loc[5, "digital_finance_index"] += 1.0
    frame.to_csv(path, index=False, lineterminator="\n", float_format="%.2f")
    outcomes = _outcomes(run(study, verbose=0))
    assert outcomes.pop("clean:digital_economy") == "SUCCESS"
    for name in ("panel", "indicators", "spatial", "models", "analyses", "index", "manifest"):
        assert outcomes.pop(name) == "SUCCESS", name
    assert set(outcomes.values()) == {"SKIP_UNCHANGED"}, outcomes


def test_data_error_reaches_the_caller_with_its_message(tmp_path):
    study = _study_in(tmp_path)
    path = study.raw_dir / "digital_economy.csv"
    text = path.read_text(encoding="utf-8").replace("110000,2012,", "110000,2012x,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        DataError, match=r"digital_economy\.csv, row \d+, column 'year': '2012x' is not a year"
    ):
        run(study, verbose=0)


# the four municipalities (a robustness variant drops them) with 河北, 江苏 and 贵州: 37 cities in
# three contiguous blocks, none an island
CITY_TEST_PROVINCES = (110000, 120000, 130000, 310000, 320000, 500000, 520000)


@pytest.mark.slow
def test_city_level_demo_runs_end_to_end(tmp_path):
    """The same study's models on the prefecture-city demo (codes instead of names), on the cities
    of seven provinces (all ~370: ``benchmarks/bench_county_pipeline.py --level city``).

    Without the analyses: they run the same steps as at province level, checked on the demo build."""
    from clusterdx.data.demo import write_demo

    write_demo(tmp_path / "raw", level="city", provinces=CITY_TEST_PROVINCES)
    study = Study.load(
        REPO / "analysis" / "study.toml",
        overrides=[
            'study.level="city"',
            "analyses=[]",
            f'paths.root="{tmp_path.as_posix()}"',
            'paths.raw="raw"',
            'paths.clean="clean"',
            'paths.reports="reports"',
        ],
    )
    run(study, verbose=0)
    panel = pd.read_parquet(study.clean_dir / "panel.parquet")
    cities = regions.cities()["code"] // 10000 * 10000
    assert panel.shape[0] == cities.isin(CITY_TEST_PROVINCES).sum() * 13
    audit = json.loads((study.clean_dir / "audit.json").read_text(encoding="utf-8"))
    assert audit["files"]["digital_economy.csv"]["dropped_by_reason"] == {
        "exact duplicate of an earlier row": 1
    }
    assert (study.reports_dir / "tables" / "effects_sdm_twoways.csv").exists()


def test_changed_package_code_reruns_the_steps_that_run_it(built, monkeypatch):
    """A step depends on the hash of the package code it runs (STEP_CODE), not only on its inputs:
    pytask's dry run (the same tasks and database as `run`) would rerun the steps of the changed
    code and their dependents, and skip the rest (nothing is rebuilt)."""
    from clusterdx.tasks import pipeline

    study, _ = built
    run(study, verbose=0)
    original = pipeline.code_hash
    monkeypatch.setattr(
        pipeline, "code_hash", lambda step: original(step) + ("changed" if step == "models" else "")
    )
    outcomes = _outcomes(pipeline._pytask_build(study, False, 0, dry_run=True))
    assert outcomes.pop("models") == "WOULD_BE_EXECUTED"
    assert outcomes.pop("analyses") == "WOULD_BE_EXECUTED"
    assert {outcomes[k] for k in ("panel", "indicators", "spatial")} == {"SKIP_UNCHANGED"}
    assert all(v == "SKIP_UNCHANGED" for k, v in outcomes.items() if k.startswith("clean:"))
    monkeypatch.undo()
    assert set(_outcomes(run(study, verbose=0)).values()) == {"SKIP_UNCHANGED"}  # nothing rebuilt


def test_index_shows_the_measurement_tables_in_both_languages(built):
    """Issue 17: disparity by 东部/中部/西部/东北, the 3-D kernel figure, the spatial Markov and the
    convergence tables, in Chinese and English, embedded in reports/index.html."""
    study, _ = built
    tables = study.reports_dir / "tables"
    index = (study.reports_dir / "index.html").read_text(encoding="utf-8")
    for stem in ("disparity_dt", "markov_dt", "convergence_dt", "typology_clusters"):
        for name in (stem, f"{stem}_en"):
            table = (tables / f"{name}.html").read_text(encoding="utf-8")
            caption = re.search(r"<caption>(.*?)</caption>", table, re.DOTALL).group(1)
            assert caption in index, name
    assert 'src="figures/disparity_dt_kernel3d.png"' in index
    zh = (tables / "disparity_dt.md").read_text(encoding="utf-8").splitlines()[4]
    en = (tables / "disparity_dt_en.md").read_text(encoding="utf-8").splitlines()[4]
    assert zh.startswith("| 年份 | 总体 | 东部 | 中部 | 西部 | 东北 |")
    assert en.startswith("| Year | Total | East | Central | West | Northeast |")
    markov = (tables / "markov_dt_en.md").read_text(encoding="utf-8")
    assert "| Spatial lag class | Class at t | N | Q1 | Q2 | Q3 | Q4 |" in markov
    assert "| 空间滞后类型 | t年类型 | 观测数 |" in (tables / "markov_dt.md").read_text(
        encoding="utf-8"
    )


def test_index_shows_the_identification_tables_and_figures(built):
    # issue 13: the default study runs an IV and a placebo analysis (and the DID with
    # Callaway-Sant'Anna uniform bands); their tables and the placebo density figure are in
    # reports/index.html
    study, _ = built
    index = (study.reports_dir / "index.html").read_text(encoding="utf-8")
    kinds = {a.kind: a.name for a in study.spec.analyses}
    assert {"iv", "placebo", "did"} <= set(kinds)
    for kind in ("iv", "placebo", "did"):  # each table is a section with its path as anchor
        anchor = "f-" + "".join(c if c.isalnum() else "-" for c in f"tables/{kinds[kind]}.html")
        assert f'<section id="{anchor}">' in index, kind
    assert f'src="figures/{kinds["placebo"]}_density.png"' in index
    assert "一致置信带临界值" in index  # the did table's note on the uniform bands
