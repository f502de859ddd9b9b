"""The did analysis of the pipeline: Callaway-Sant'Anna options from the spec, notes and CSVs."""

from __future__ import annotations

import html
import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusterdx.panel import callaway_santanna
from clusterdx.study import Analysis, Study
from clusterdx.tasks import analyses

STUDY = Path(__file__).parents[2] / "analysis" / "study.toml"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {"region": np.repeat(np.arange(31), 13), "year": np.tile(range(2011, 2024), 31)}
    )
    n = len(df)
    for col in ("demand", "gov", "core", "tech"):
        df[col] = rng.normal(size=n)
    df["designation_year"] = np.where(df["region"] < 12, 2016 + df["region"] % 4, np.nan)
    treated = (df["year"] >= df["designation_year"]).astype(float)
    df["dt"] = 0.5 * treated + 0.2 * df["gov"] + rng.normal(size=n)
    return df


def _run(study: Study, frame: pd.DataFrame, tmp_path: Path, **update) -> tuple[Analysis, list]:
    spec = next(a for a in study.spec.analyses if a.kind == "did")
    # the demo's did is also a spatial DID (its own tests: tests/tasks/test_spatial_did_task.py);
    # the synthetic frame here has no weights, so only the Callaway-Sant'Anna part runs
    spec = spec.model_copy(update={"spatial": False, **update})
    tables, figs = tmp_path / "tables", tmp_path / "figures"
    tables.mkdir()
    figs.mkdir()
    return spec, analyses._run_one(study, spec, frame, tables, figs)


def test_did_table_names_the_method_and_the_uniform_bands_in_chinese(frame, tmp_path):
    study = Study.load(STUDY)
    spec, written = _run(study, frame, tmp_path, covariates=["gov"], bootstrap=199)
    expected = {
        p.name
        for p in analyses.analysis_outputs(study).values()
        if spec.name in p.name and f"{spec.name}_spatial" not in p.name
    }
    assert {p.name for p in written} == expected
    page = html.unescape((tmp_path / "tables" / f"{spec.name}.html").read_text(encoding="utf-8"))
    # the Chinese table passed the Latin-token check (strict save) and names the method
    assert f"双重稳健估计（Sant'Anna和Zhao，2020），协变量：{study.label('gov')}" in page
    assert "乘数自助法（Mammen权重，199次，随机数种子" in page and "一致置信带临界值" in page
    dynamic = pd.read_csv(tmp_path / "tables" / f"{spec.name}_cs_dynamic.csv")
    assert {"se_boot", "cband_lower", "cband_upper"} <= set(dynamic.columns)
    cells = pd.read_csv(tmp_path / "tables" / f"{spec.name}_att_gt.csv")
    direct = callaway_santanna(
        frame, "dt", "designation_year", entity="region", time="year", control_group=spec.control_group,
        covariates=["gov"], bootstrap=199, seed=study.spec.study.seed,
    )  # fmt: skip
    np.testing.assert_allclose(cells["cband_upper"], direct.att_gt["cband_upper"], atol=1e-6)


def test_did_table_in_english(frame, tmp_path):
    study = Study.load(STUDY, overrides=['study.language="en"'])
    spec, _ = _run(study, frame, tmp_path, covariates=["gov"], est_method="reg", bootstrap=99)
    page = html.unescape((tmp_path / "tables" / f"{spec.name}.html").read_text(encoding="utf-8"))
    assert "Callaway-Sant'Anna: outcome regression on" in page
    assert "multiplier bootstrap (Mammen weights, 99 draws" in page


def test_spec_defaults_are_the_estimators():
    spec = Analysis(kind="did", name="d", y="dt", treat_year="designation_year")
    defaults = inspect.signature(callaway_santanna).parameters
    for key in ("est_method", "base_period", "multiplier"):
        assert getattr(spec, key) == defaults[key].default
    assert spec.covariates == list(defaults["covariates"].default)
    with pytest.raises(ValueError, match="'dr', 'ipw' or 'reg'"):
        Analysis(kind="did", name="d", y="dt", treat_year="designation_year", est_method="ols")
