"""clusterdx.data.clusters: the cluster-year panel from the registry, the region panel and
cluster-year tables."""

from __future__ import annotations

import pandas as pd
import pytest

from clusterdx.data.clusters import cluster_panel
from clusterdx.errors import DataError

REGISTRY = pd.DataFrame(
    {
        "cluster": ["C2", "C1", "C3"],
        "region": [1, 1, 2],
        "cluster_type": ["parasitic", "symbiotic", "epiphytic"],
        "designation_year": [2021, 2020, 2022],
    }
)
PANEL = pd.DataFrame(
    {
        "region": [1, 1, 2, 2, 3, 3],
        "year": [2020, 2021] * 3,
        "dt": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        "cluster_type": ["symbiotic"] * 4 + ["epiphytic"] * 2,  # the region's dominant type
        "designation_year": [2020] * 4 + [2019] * 2,
        "type_share_symbiotic": [0.5, 0.5, 0.0, 0.0, 1.0, 1.0],
    }
)


def test_each_cluster_gets_its_regions_rows_and_keeps_its_own_attributes():
    out = cluster_panel(REGISTRY, PANEL)
    assert out.columns.tolist() == [
        "cluster", "year", "region", "cluster_type", "designation_year", "dt",
        "type_share_symbiotic",
    ]  # fmt: skip
    assert out["cluster"].tolist() == ["C1", "C1", "C2", "C2", "C3", "C3"]
    c2 = out[out["cluster"] == "C2"]
    assert c2["cluster_type"].unique().tolist() == ["parasitic"]  # its own, not the region's
    assert c2["designation_year"].unique().tolist() == [2021]
    assert c2["dt"].tolist() == [0.1, 0.2]  # its region's indicator
    assert c2["type_share_symbiotic"].tolist() == [0.5, 0.5]  # and its region's type shares
    assert 3 not in out["region"].to_numpy()  # a region without clusters has no rows


def test_cluster_year_variables_join_on_cluster_and_year():
    years = pd.DataFrame(
        {"cluster": ["C1", "C3"], "region": [1, 2], "year": [2021, 2020], "revenue": [7.0, 9.0]}
    )
    out = cluster_panel(REGISTRY, PANEL, {"cluster_output": years}).set_index(["cluster", "year"])
    assert out.loc[("C1", 2021), "revenue"] == 7.0
    assert out.loc[("C3", 2020), "revenue"] == 9.0
    assert out["revenue"].isna().sum() == 4  # cluster-years the table does not report
    assert out.columns[-1] == "revenue"


def test_cluster_year_table_with_an_unregistered_cluster_fails():
    years = pd.DataFrame({"cluster": ["C9"], "region": [1], "year": [2020], "revenue": [1.0]})
    with pytest.raises(DataError) as err:
        cluster_panel(REGISTRY, PANEL, {"cluster_output": years})
    assert str(err.value) == (
        "cluster-year source 'cluster_output': clusters ['C9'] are not in the cluster registry; "
        "add them to the registry (the cluster source without a year column)"
    )


def test_cluster_year_table_placing_a_cluster_elsewhere_fails():
    years = pd.DataFrame({"cluster": ["C1"], "region": [2], "year": [2020], "revenue": [1.0]})
    with pytest.raises(DataError) as err:
        cluster_panel(REGISTRY, PANEL, {"cluster_output": years})
    assert str(err.value) == (
        "cluster-year source 'cluster_output': cluster 'C1' is in region 2 in 2020 but in region "
        "1 in the registry; correct the region column of one of them"
    )
