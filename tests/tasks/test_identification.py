"""The iv and placebo analyses of the pipeline, run on a synthetic frame with the default study."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusterdx.study import Study
from clusterdx.tasks import analyses

STUDY = Path(__file__).parents[2] / "analysis" / "study.toml"


@pytest.fixture(scope="module")
def study() -> Study:
    return Study.load(STUDY)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {"region": np.repeat(np.arange(31), 13), "year": np.tile(range(2011, 2024), 31)}
    )
    n = len(df)
    df["telecom"] = rng.uniform(1, 3, size=31)[df["region"]] * (1 + 0.1 * (df["year"] - 2011))
    df["broadband"] = (df["year"] - 2005) * rng.uniform(0.9, 1.1, size=n)
    for col in ("demand", "gov", "core"):
        df[col] = rng.normal(size=n)
    base = df.loc[df["year"] == 2011].set_index("region")["telecom"]
    national = df.groupby("year")["broadband"].mean().shift(1)
    df["tech"] = 0.5 * df["region"].map(base) * df["year"].map(national).fillna(0) + rng.normal(
        size=n
    )
    df["dt"] = 0.3 * df["tech"] + 0.2 * df["demand"] + rng.normal(size=n)
    df["designation_year"] = np.where(df["region"] < 12, 2016 + df["region"] % 4, np.nan)
    return df


def test_historical_instrument_is_base_year_times_lagged_national_mean(study, frame):
    spec = next(a for a in study.spec.analyses if a.kind == "iv")
    out = analyses.with_historical_instruments(frame, spec)
    z = out[spec.historical[0].name]
    row = out.iloc[5]  # region 0, 2016
    base = frame.loc[(frame["region"] == 0) & (frame["year"] == 2011), "telecom"].iloc[0]
    national = frame.loc[frame["year"] == 2015, "broadband"].mean()
    assert z.iloc[5] == pytest.approx(base * national, rel=1e-12)
    assert row["year"] == 2016
    assert z[out["year"] == 2011].isna().all()


@pytest.mark.parametrize("kind", ["iv", "placebo"])
def test_default_study_analysis_writes_its_outputs(study, frame, tmp_path, kind):
    spec = next(a for a in study.spec.analyses if a.kind == kind)
    if kind == "placebo":
        spec = spec.model_copy(update={"draws": 49})
    tables, figs = tmp_path / "tables", tmp_path / "figures"
    tables.mkdir()
    figs.mkdir()
    written = analyses._run_one(study, spec, frame, tables, figs)
    expected = {p.name for p in analyses.analysis_outputs(study).values() if spec.name in p.name}
    assert {p.name for p in written} == expected
    html = (tables / f"{spec.name}.html").read_text(encoding="utf-8")
    assert ("Kleibergen-Paap" in html) if kind == "iv" else ("置换检验p值" in html)


def test_psm_did_analysis_writes_its_outputs(study, frame, tmp_path):
    from clusterdx.study import Analysis

    spec = Analysis(
        kind="psm_did", name="psm_designation", y="dt", treat_year="designation_year",
        covariates=["demand", "gov"], match="caliper", caliper=0.1,
    )  # fmt: skip
    tables, figs = tmp_path / "tables", tmp_path / "figures"
    tables.mkdir()
    figs.mkdir()
    written = analyses._run_one(study, spec, frame, tables, figs)
    csvs, pngs = analyses.EXTRA_OUTPUTS["psm_did"]
    expected = {f"psm_designation_{c}.csv" for c in csvs} | {
        f"psm_designation_{g}.png" for g in pngs
    }
    expected |= {f"psm_designation.{f}" for f in study.spec.tables.formats}
    assert {p.name for p in written} == expected
    page = (tables / "psm_designation.md").read_text(encoding="utf-8")
    assert "倾向得分匹配（卡尺匹配，混合匹配）" in page and "标准化偏差（匹配前 → 匹配后）" in page
    assert "倾向得分匹配双重差分（PSM-DID）" in page  # the default caption


def test_psm_did_needs_covariates():
    from pydantic import ValidationError

    from clusterdx.study import Analysis

    with pytest.raises(ValidationError, match="analysis kind 'psm_did' needs covariates"):
        Analysis(kind="psm_did", name="p", y="dt", treat_year="designation_year")


def test_iv_table_has_stage_columns_and_statistic_rows(study, frame, tmp_path):
    # Chinese paper layout: 第一阶段 | 第二阶段 columns, the first-stage F under the first stage,
    # Kleibergen-Paap / Cragg-Donald / Anderson-Rubin under the second, p-values in brackets.
    from clusterdx.panel import fit
    from clusterdx.report._grid import format_number

    spec = next(a for a in study.spec.analyses if a.kind == "iv")
    tables = tmp_path / "tables"
    tables.mkdir()
    analyses._run_one(study, spec, frame, tables, tmp_path)
    md = (tables / f"{spec.name}.md").read_text(encoding="utf-8")
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ")[1:] for line in md.splitlines()}
    assert md.startswith("**工具变量估计（2SLS）**")
    assert "| 第一阶段 | 第二阶段 |" in md and md.count("| 技术创新 | 集群数字化转型水平 |") == 1
    data = analyses.with_historical_instruments(frame, spec)
    instrument = spec.historical[0].name
    res = fit(
        data, f"dt ~ demand + gov + core + [tech ~ {instrument}]", entity="region", time="year", model="fe",
        effects="twoways", cov="cluster", missing="drop",
    )  # fmt: skip
    diag = res.diagnostics
    auto = study.spec.tables.digits
    assert rows["第一阶段F统计量"] == [format_number(diag.first_stage_f, auto), " |"]
    kp = rows["Kleibergen-Paap rk Wald F统计量（弱工具变量检验）"]
    assert kp == ["", f"{format_number(diag.kp_wald_f, auto)} |"]
    assert rows["Cragg-Donald Wald F统计量"][1] == f"{format_number(diag.cragg_donald_f, auto)} |"
    assert "方括号内为p值" in md and "Stock-Yogo临界值（最大10%偏误）: 16.380" in md
