"""clusterdx.tasks.steps.region_attributes against a brute-force loop over regions and clusters."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from clusterdx.study import Study
from clusterdx.tasks.steps import region_attributes

from ..conftest import REPO

STUDY = REPO / "analysis" / "study.toml"


def _brute_force(registry: pd.DataFrame) -> dict[int, dict]:
    """Per region, by plain loops: the most frequent type (ties: the type of the region's
    earliest-registered cluster, by id), the first designation year, the share of each type."""
    out: dict[int, dict] = {}
    for region in sorted(set(registry["region"])):
        rows = sorted(
            (r for r in registry.to_dict("records") if r["region"] == region),
            key=lambda r: r["cluster"],
        )
        counts: dict[str, int] = {}
        for r in rows:  # insertion order = order of first registration
            kind = r["cluster_type"]
            if isinstance(kind, str):
                counts[kind] = counts.get(kind, 0) + 1
        best = None
        for kind, n in counts.items():
            if best is None or n > counts[best]:
                best = kind
        years = [r["designation_year"] for r in rows if not math.isnan(r["designation_year"])]
        total = len(rows)
        shares = {}
        for r in rows:
            if isinstance(r["cluster_type"], str):
                shares[r["cluster_type"]] = shares.get(r["cluster_type"], 0) + 1 / total
        out[region] = {"type": best, "year": min(years) if years else None, "shares": shares}
    return out


def _check(attributes: pd.DataFrame, registry: pd.DataFrame) -> None:
    attrs = attributes.set_index("region")
    for region, expected in _brute_force(registry).items():
        row = attrs.loc[region]
        if expected["type"] is None:
            assert pd.isna(row["cluster_type"]), region
        else:
            assert row["cluster_type"] == expected["type"], region
        if expected["year"] is None:
            assert pd.isna(row["designation_year"]), region
        else:
            assert row["designation_year"] == expected["year"], region
        for kind, share in expected["shares"].items():
            assert row[f"type_share_{kind}"] == pytest.approx(share, abs=1e-12), (region, kind)
    clustered = set(registry["region"])
    plain = attrs.loc[~attrs.index.isin(clustered)]
    assert plain["cluster_type"].isna().all() and plain["designation_year"].isna().all()


def test_demo_registry_matches_brute_force():
    from clusterdx.data.audit import Audit
    from clusterdx.data.panel import read_source

    study = Study.load(STUDY)
    source = next(s for s in study.spec.sources if s.name == "clusters")
    registry = read_source(study, source, Audit())
    attributes = region_attributes(study, {"clusters": registry})
    assert len(attributes) == 31
    _check(attributes, registry)


def test_ties_go_to_the_earliest_registered_cluster():
    study = Study.load(STUDY)
    # 110000: one symbiotic, one parasitic; the parasitic cluster has the smaller id -> parasitic.
    # 120000: 2 epiphytic after 1 symbiotic -> epiphytic. 310000: types all missing.
    # 320000: a tie of three, registered in the order symbiotic (id 7), ...
    registry = pd.DataFrame(
        {
            "cluster": [9, 3, 5, 6, 4, 11, 12, 8, 7, 10],
            "region": [110000, 110000, 120000, 120000, 120000, 310000, 310000, 320000, 320000, 320000],
            "cluster_type": [
                "symbiotic", "parasitic", "epiphytic", "epiphytic", "symbiotic",
                None, None, "parasitic", "symbiotic", "epiphytic",
            ],
            "designation_year": [2015.0, 2018.0, np.nan, 2012.0, 2019.0, np.nan, 2020.0, 2016.0, 2013.0, 2014.0],
        }
    )  # fmt: skip
    attributes = region_attributes(study, {"clusters": registry}).set_index("region")
    assert attributes.loc[[110000, 120000, 320000], "cluster_type"].tolist() == [
        "parasitic",
        "epiphytic",
        "symbiotic",
    ]
    assert pd.isna(attributes.loc[310000, "cluster_type"])
    _check(attributes.reset_index(), registry)
