"""clusterdx.data.demo: deterministic bytes, the documented dirt, and the committed copy is current."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from clusterdx.data.demo import (
    DRIVERS,
    PROXY_SLOPE,
    TRUTH,
    contiguity_matrix,
    simulate,
    write_demo,
)

from ..conftest import REPO


def test_same_seed_gives_identical_bytes(tmp_path):
    first = write_demo(tmp_path / "a", seed=7)
    second = write_demo(tmp_path / "b", seed=7)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_other_seed_gives_other_data(tmp_path):
    a = write_demo(tmp_path / "a", seed=1)[1].read_bytes()
    b = write_demo(tmp_path / "b", seed=2)[1].read_bytes()
    assert a != b


def test_committed_demo_matches_the_generator(tmp_path):
    committed = REPO / "data_raw" / "demo"
    for path in write_demo(tmp_path):
        assert path.read_bytes() == (committed / path.name).read_bytes(), (
            f"{path.name} differs: regenerate with `clusterdx demo`"
        )


def test_demo_has_the_documented_dirty_cells(tmp_path):
    write_demo(tmp_path)
    digital = pd.read_csv(tmp_path / "digital_economy.csv")
    assert digital.duplicated().sum() == 1
    innov = pd.read_csv(tmp_path / "innovation_gbk.csv", encoding="gbk")
    assert innov.isna().sum().sum() == 1
    gdp = pd.read_excel(
        tmp_path / "yearbook_macro.xlsx", sheet_name="地区生产总值(亿元)"
    ).set_index("地区")
    ratio = gdp.loc["湖北", "2017年"] / gdp.loc["湖北", "2016年"]
    assert 5e3 < ratio < 2e4  # typed in 万元 instead of 亿元


def test_truth_file_records_parameters(tmp_path):
    write_demo(tmp_path, seed=3)
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert truth["seed"] == 3
    assert truth["rho"] == TRUTH["rho"]
    assert set(truth["cluster_type"].values()) <= {"symbiotic", "epiphytic", "parasitic"}


def test_latent_process_is_the_documented_sdm():
    """Invert the simulated process: (I - rho W) dt - X beta_g - W X theta = mu + xi + eps, so after removing
    region and year means the remainder has the standard deviation of eps (sigma = 0.15) scaled by
    sqrt((N - 1)(T - 1) / (N T)) = sqrt(30 * 12 / 403) = 0.945."""
    sim = simulate(seed=11)
    ry = sim["region_year"]
    codes = ry["region"].unique()
    n, t = len(codes), ry["year"].nunique()
    assert (n, t) == (31, 13)
    w = contiguity_matrix(codes).toarray()
    types = sim["types"].set_index("region").loc[codes, "cluster_type"].to_numpy()
    beta = np.array([[TRUTH["beta"][g][k] for k in DRIVERS] for g in types])
    theta = np.array([TRUTH["theta"][k] for k in DRIVERS])
    dt = ry["dt_latent"].to_numpy().reshape(t, n)
    rest = np.empty((t, n))
    for s in range(t):
        x = np.column_stack([ry[f"{k}_latent"].to_numpy().reshape(t, n)[s] for k in DRIVERS])
        rest[s] = dt[s] - TRUTH["rho"] * w @ dt[s] - (x * beta).sum(axis=1) - w @ x @ theta
    within = rest - rest.mean(axis=0) - rest.mean(axis=1, keepdims=True) + rest.mean()
    sd = np.sqrt((within**2).sum() / (n * t))
    assert sd == pytest.approx(TRUTH["sigma"] * np.sqrt(30 * 12 / 403), rel=0.1)


def _within(values: np.ndarray) -> np.ndarray:
    """Two-way within transform of a (T, N) array."""
    return values - values.mean(axis=0) - values.mean(axis=1, keepdims=True) + values.mean()


def test_raw_variables_record_the_drivers_linearly():
    """The default study's driver recipes, applied to the simulated raw variables, move by
    PROXY_SLOPE per unit of their latent driver (within regions and years), as README states.
    The top-4 share is the least exact: in a few region-years a non-core firm enters the top 4."""
    sim = simulate()
    ry = sim["region_year"].sort_values(["year", "region"])
    t, n = ry["year"].nunique(), ry["region"].nunique()
    firms = sim["firms"].sort_values(["region", "year", "revenue"], ascending=[True, True, False])
    top4 = firms.groupby(["region", "year"]).head(4).groupby(["region", "year"])["revenue"].sum()
    share = (top4 / firms.groupby(["region", "year"])["revenue"].sum()).sort_index(level=[1, 0])
    proxies = {
        "demand": np.log(ry["retail"] / ry["population"]),
        "gov": 100 * ry["st_exp"] / ry["fiscal_exp"],
        "tech": np.log(ry["patents"] / ry["population"]),
        "core": share,
    }
    for k, proxy in proxies.items():
        x = _within(ry[f"{k}_latent"].to_numpy().reshape(t, n))
        y = _within(np.asarray(proxy, dtype="float64").reshape(t, n))
        assert (x * y).sum() / (x * x).sum() == pytest.approx(PROXY_SLOPE, rel=0.03), k
        assert np.corrcoef(x.ravel(), y.ravel())[0, 1] > 0.98, k
    assert sim["types"]["cluster_type"].value_counts().to_dict() == {
        "symbiotic": 11,
        "epiphytic": 10,
        "parasitic": 10,
    }


def test_registry_uses_real_cluster_names_in_their_province(monkeypatch):
    """Named clusters of `cdx.datasets` replace simulated names in their own province, a typed case
    cluster only on a simulated cluster of its seed type; nothing else of the simulation changes."""
    from clusterdx import datasets
    from clusterdx.data import demo

    named = datasets.named_clusters().set_index("cluster_name")
    sim = simulate()
    clusters = sim["clusters"]
    real = clusters[clusters["name"].isin(named.index)]
    assert len(real) == 14
    assert real["name"].is_unique
    for row in real.itertuples():
        assert row.region == named.loc[row.name, "province_code"]
        assert named.loc[row.name, "seed_type"] in ("", row.cluster_type)
    assert "隆尧县食品产业集群" in set(real["name"])  # parasitic case cluster, 河北 has one
    assert "平乡县自行车(童车)产业集群" not in set(
        real["name"]
    )  # 河北's simulated clusters are parasitic
    monkeypatch.setattr(demo, "real_names", lambda frame: frame)
    plain = simulate()
    kept = ["cluster", "region", "cluster_type", "leading_firm", "designation_year"]
    assert plain["clusters"][kept].equals(clusters[kept])
    assert plain["region_year"].equals(sim["region_year"])
