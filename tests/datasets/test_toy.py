"""Toy panels: shape, columns, determinism by seed, and the true parameters recovered by our estimators."""

from __future__ import annotations

import libpysal
import numpy as np
import pandas as pd
import pytest

import clusterdx as cdx
from clusterdx.errors import OptionError
from clusterdx.spatial._simulate import simulate_panel


def test_toy_panel_shape_columns_and_keys():
    panel = cdx.datasets.toy_panel(7, 4, start_year=2010)
    assert panel.shape == (28, 8)
    assert list(panel.columns) == [
        "region", "year", "demand", "gov", "tech", "core", "coastal", "dt",
    ]  # fmt: skip
    assert panel["region"].unique().tolist() == list("ABCDEFG")
    assert panel["year"].unique().tolist() == [2010, 2011, 2012, 2013]
    assert not panel.duplicated(["region", "year"]).any()
    assert panel.groupby("region")["coastal"].nunique().eq(1).all()
    assert panel.drop_duplicates("region")["coastal"].tolist() == ["yes"] * 4 + ["no"] * 3
    assert panel["core"].between(0, 1).all()


def test_toy_panel_names_more_than_26_regions():
    panel = cdx.datasets.toy_panel(27, 2)
    assert panel["region"].iloc[[0, -1]].tolist() == ["R001", "R027"]


def test_toy_panel_is_deterministic_by_seed():
    pd.testing.assert_frame_equal(cdx.datasets.toy_panel(seed=3), cdx.datasets.toy_panel(seed=3))
    assert not cdx.datasets.toy_panel(seed=3)["dt"].equals(cdx.datasets.toy_panel(seed=4)["dt"])


@pytest.mark.parametrize("bad", [{"n_entities": 1}, {"n_periods": 1}, {"n_entities": 2.5}])
def test_toy_panel_refuses_too_small_sizes(bad):
    with pytest.raises(OptionError, match=next(iter(bad))):
        cdx.datasets.toy_panel(**bad)


def test_panel_fit_recovers_the_toy_parameters():
    panel = cdx.datasets.toy_panel(200, 6, seed=11)
    truth = cdx.datasets.TOY_PARAMS
    fe = cdx.panel.fit(panel, "dt ~ demand + gov + tech", effects="individual")
    for name in ("demand", "gov", "tech"):
        assert fe.params[name] == pytest.approx(truth[name], abs=3 * fe.bse[name])
        assert fe.params[name] == pytest.approx(truth[name], abs=0.02)
    a = cdx.panel.fit(panel, "tech ~ demand", effects="individual").params["demand"]
    assert a == pytest.approx(truth["a"], abs=0.03)


def test_staggered_panel_cohorts_and_treatment():
    panel = cdx.datasets.staggered_panel(9, 5)
    cohorts = panel.drop_duplicates("region")["pilot_year"]
    assert cohorts.iloc[:6].tolist() == [2020.0] * 3 + [2021.0] * 3
    assert cohorts.iloc[6:].isna().all()
    expected = (panel["year"] >= panel["pilot_year"]).astype(int)
    assert panel["treated"].equals(expected)
    assert list(panel.columns) == ["region", "year", "pilot_year", "treated", "gov", "dt"]


def test_staggered_panel_takes_cohorts_and_checks_their_number():
    panel = cdx.datasets.staggered_panel(3, 4, cohorts=[2019, np.nan, 2020])
    assert panel.drop_duplicates("region")["pilot_year"].tolist()[::2] == [2019.0, 2020.0]
    with pytest.raises(OptionError, match="cohorts has 2 values"):
        cdx.datasets.staggered_panel(3, 4, cohorts=[2019, 2020])


def test_did_recovers_the_staggered_effect():
    panel = cdx.datasets.staggered_panel(150, 6, effect=0.7, seed=5)
    res = cdx.panel.did(panel, "dt", "pilot_year", controls=["gov"])
    assert res.params["treat_post"] == pytest.approx(0.7, abs=0.03)
    assert res.params["gov"] == pytest.approx(cdx.datasets.TOY_PARAMS["gov"], abs=0.03)


@pytest.fixture(scope="module")
def lattice():
    w = libpysal.weights.lat2W(12, 12)
    w.transform = "r"
    return w


def test_spatial_panel_is_the_simulator_keyed_by_region_and_year(lattice):
    panel = cdx.datasets.spatial_panel(lattice, 4, beta=[1.0, -0.5], rho=0.3, seed=2)
    raw = simulate_panel(lattice.sparse, 4, [1.0, -0.5], rho=0.3, seed=2)
    assert list(panel.columns) == ["region", "year", "y", "x1", "x2"]
    np.testing.assert_array_equal(panel[["y", "x1", "x2"]], raw[["y", "x1", "x2"]])
    assert panel["region"].tolist() == [lattice.id_order[i] for i in raw["entity"]]
    assert panel["year"].unique().tolist() == [2018, 2019, 2020, 2021]


def test_spatial_panel_accepts_a_matrix_and_is_deterministic(lattice):
    one = cdx.datasets.spatial_panel(lattice.sparse, 3, seed=4)
    two = cdx.datasets.spatial_panel(lattice.sparse, 3, seed=4)
    pd.testing.assert_frame_equal(one, two)
    assert one["region"].tolist()[::3][:3] == [0, 1, 2]


def test_spatial_fit_recovers_the_sdm_parameters(lattice):
    panel = cdx.datasets.spatial_panel(
        lattice, 10, beta=[1.0, -0.5], theta=[0.5, 0.0], rho=0.4, seed=3
    )
    res = cdx.spatial.fit(panel, "y ~ x1 + x2", w=lattice, model="sdm", effects="twoways")
    truth = {"x1": 1.0, "x2": -0.5, "W_x1": 0.5, "W_x2": 0.0, "rho": 0.4}
    for name, value in truth.items():
        assert res.params[name] == pytest.approx(value, abs=4 * res.bse[name]), name


def test_fit_dynamic_recovers_the_dynamic_parameters(lattice):
    panel = cdx.datasets.dynamic_spatial_panel(lattice, 12, beta=[1.0], rho=0.3, tau=0.4, seed=2)
    res = cdx.spatial.fit_dynamic(panel, "y", ["x1"], lattice, model="sar", dynamic="time")
    for name, value in {"tau": 0.4, "rho": 0.3, "x1": 1.0}.items():
        assert res.params[name] == pytest.approx(value, abs=0.05), name


def test_importing_datasets_stays_cheap():
    import subprocess
    import sys

    code = (
        "import sys, clusterdx.datasets; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'libpysal', 'linearmodels'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
