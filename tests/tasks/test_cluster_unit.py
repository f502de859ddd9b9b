"""``unit = "cluster"``: models and heterogeneity analyses on the cluster-year panel, end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx import panel as panel_models
from clusterdx.errors import StudySpecError
from clusterdx.study import Study
from clusterdx.tasks.pipeline import declared_outputs, run

PROVINCES = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁"]
TYPES = ["symbiotic", "parasitic"]
SLOPE = {"symbiotic": 0.8, "parasitic": 0.2}

STUDY = """
[study]
name = "clusters"
years = [2018, 2022]
language = "en"
[paths]
root = "."
raw = "raw"
[variables.x]
unit = "1"
[variables.z]
unit = "1"
[variables.output]
unit = "亿元"
[variables.designation_year]
unit = "1"
[[sources]]
name = "macro"
file = "macro.csv"
region = "省份"
year = "年份"
variables.x = { column = "x", unit = "1" }
variables.z = { column = "z", unit = "1" }
[[sources]]
name = "registry"
file = "registry.csv"
kind = "cluster"
region = "省份"
id = "集群编号"
keep = ["cluster_type"]
variables.designation_year = { column = "认定年份", unit = "1" }
[[sources]]
name = "cluster_output"
file = "cluster_output.csv"
kind = "cluster"
region = "省份"
year = "年份"
id = "集群编号"
variables.output = { column = "产值", unit = "亿元" }
[[models]]
kind = "panel"
name = "fe_clusters"
formula = "output ~ x + z"
effects = "twoways"
unit = "cluster"
[[analyses]]
kind = "heterogeneity"
name = "heterogeneity_own_type"
formula = "output ~ x + z"
group = "cluster_type"
unit = "cluster"
[[analyses]]
kind = "moderation"
name = "moderation_on_clusters"
y = "output"
x = "x"
z = "designation_year"
unit = "cluster"
[tables]
formats = ["md"]
"""


def _write(root, study=STUDY):
    rng = np.random.default_rng(3)
    raw = root / "raw"
    raw.mkdir()
    years = range(2018, 2023)
    macro = pd.DataFrame(
        [(p, t, rng.normal(), rng.normal()) for p in PROVINCES for t in years],
        columns=["省份", "年份", "x", "z"],
    )
    macro.to_csv(raw / "macro.csv", index=False)
    registry = pd.DataFrame(
        [(f"K{i}{k}", p, TYPES[(i + k) % 2], 2019 + k) for i, p in enumerate(PROVINCES) for k in (0, 1)],
        columns=["集群编号", "省份", "cluster_type", "认定年份"],
    )  # fmt: skip
    registry.to_csv(raw / "registry.csv", index=False)
    rows = []
    for cluster, province, kind, _ in registry.itertuples(index=False):
        for row in macro[macro["省份"] == province].itertuples(index=False):
            level = 3 + SLOPE[kind] * row.x + 0.3 * row.z + rng.normal(scale=0.05)
            rows.append((cluster, province, row.年份, round(level, 6)))
    pd.DataFrame(rows, columns=["集群编号", "省份", "年份", "产值"]).to_csv(
        raw / "cluster_output.csv", index=False
    )
    (root / "study.toml").write_text(study, encoding="utf-8")
    return Study.load(root / "study.toml")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    study = _write(tmp_path_factory.mktemp("clusters"))
    run(study, verbose=0)
    return study


@pytest.mark.slow
def test_cluster_panel_is_written_and_declared(built):
    path = built.clean_dir / "cluster_panel.parquet"
    assert path in declared_outputs(built)
    clusters = pd.read_parquet(path)
    assert len(clusters) == 12 * 5
    assert clusters.groupby("cluster")["cluster_type"].nunique().max() == 1
    k01 = clusters[clusters["cluster"] == "K01"]
    assert k01["cluster_type"].unique().tolist() == ["parasitic"]  # its own type, not 北京's
    assert k01["designation_year"].unique().tolist() == [2020]


@pytest.mark.slow
def test_model_and_heterogeneity_run_on_clusters(built):
    clusters = pd.read_parquet(built.clean_dir / "cluster_panel.parquet")
    direct = panel_models.fit(
        clusters, "output ~ x + z", entity="cluster", time="year", model="fe", effects="twoways"
    )
    assert direct.nobs == 60
    table = (built.reports_dir / "tables" / "models.md").read_text(encoding="utf-8")
    assert f"{direct.params['x']:.3f}" in table
    assert "60" in table
    het = panel_models.heterogeneity(
        clusters, "output ~ x + z", "cluster_type", entity="cluster", time="year"
    )
    by_type = het.subsamples
    assert by_type["symbiotic"].params["x"] == pytest.approx(0.8, abs=0.05)
    assert by_type["parasitic"].params["x"] == pytest.approx(0.2, abs=0.05)
    het_table = (built.reports_dir / "tables" / "heterogeneity_own_type.md").read_text(
        encoding="utf-8"
    )
    for fit in by_type.values():
        assert f"{fit.params['x']:.3f}" in het_table


@pytest.mark.slow
def test_moderation_runs_on_clusters(built):
    """The cluster's own designation year varies within regions, so it can moderate on clusters."""
    clusters = pd.read_parquet(built.clean_dir / "cluster_panel.parquet")
    direct = panel_models.moderation(clusters, "output", "x", "designation_year", entity="cluster")
    table = (built.reports_dir / "tables" / "moderation_on_clusters.md").read_text(encoding="utf-8")
    assert f"{direct.fit.params[direct.interaction]:.3f}" in table
    assert direct.fit.nobs == 60


def test_unit_cluster_needs_a_registry(tmp_path):
    text = STUDY.replace(
        'kind = "cluster"\nregion = "省份"\nid', 'kind = "firm_year"\nregion = "省份"\nid', 1
    )
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    with pytest.raises(StudySpecError) as err:
        Study.load(tmp_path / "study.toml")
    assert (
        "['fe_clusters', 'heterogeneity_own_type', 'moderation_on_clusters'] set unit = 'cluster' but "
        "no [[sources]] entry "
        "is a cluster registry (kind = 'cluster' without a year column); add one or remove unit"
    ) in str(err.value)


def test_unit_cluster_only_for_heterogeneity_and_moderation(tmp_path):
    text = STUDY.replace(
        'kind = "heterogeneity"', 'kind = "threshold"\ny = "output"\nx = "x"\nq = "z"'
    )
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    with pytest.raises(StudySpecError) as err:
        Study.load(tmp_path / "study.toml")
    assert (
        "unit = 'cluster' applies to the analysis kinds ['heterogeneity', 'moderation'], not "
        "'threshold'; remove unit or use one of those kinds"
    ) in str(err.value)


@pytest.mark.slow
def test_cluster_variable_missing_from_the_cluster_panel_is_named(tmp_path):
    study = _write(
        tmp_path,
        STUDY.replace('formula = "output ~ x + z"\neffects', 'formula = "output ~ x + w"\neffects'),
    )
    with pytest.raises(StudySpecError) as err:
        run(study, verbose=0)
    assert str(err.value).startswith(
        "key 'models.0.formula (fe_clusters)': 'w' is not a variable or indicator of the "
        "cluster-year panel; available: ["
    )
