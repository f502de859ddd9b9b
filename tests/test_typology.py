"""Cluster typology: the rule recovers simulated and demo types; agreement statistics by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import clusterdx as cdx
from clusterdx import typology
from clusterdx.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
BETA = {  # Zhao & Zhou criteria as driver weights: demand, gov, tech, core
    "symbiotic": [0.45, 0.30, 0.10, 0.05],
    "epiphytic": [0.10, 0.30, 0.45, 0.05],
    "parasitic": [0.10, 0.10, 0.10, 0.45],
}


def _simulate(seed: int = 1):
    """Two-way SDM with type-specific driver weights over the 31 provinces, 13 years."""
    w = cdx.weights.contiguity(cdx.regions.provinces())
    ids = list(w.id_order)
    m = w.sparse.toarray()
    m = m / m.sum(axis=1, keepdims=True)
    rng = np.random.default_rng(seed)
    n, t = len(ids), 13
    types = np.array(typology.TYPES)[np.arange(n) % 3]
    beta = np.array([BETA[g] for g in types])
    solve = sp.linalg.factorized(sp.csc_matrix(np.eye(n) - 0.35 * m))
    rows = []
    mu = rng.normal(0, 0.3, n)
    for s in range(t):
        x = rng.normal(size=(n, 4)) + 0.5 * s / t
        y = solve(
            (x * beta).sum(axis=1)
            + m @ x @ [0.1, 0.05, 0.15, 0.0]
            + mu
            + 0.08 * s
            + rng.normal(0, 0.15, n)
        )
        rows += [(ids[i], 2011 + s, y[i], *x[i]) for i in range(n)]
    frame = pd.DataFrame(rows, columns=["region", "year", "dt", "demand", "gov", "tech", "core"])
    return frame, w, pd.Series(types, index=ids)


@pytest.mark.slow
def test_rule_recovers_simulated_types():
    frame, w, truth = _simulate()
    shares = typology.driver_contributions(frame, "dt", ["demand", "gov", "tech", "core"], w)
    assert np.abs(shares.sum(axis=1) - 1).max() < 1e-12
    agree = typology.agreement(truth, typology.classify(shares))
    assert agree.accuracy >= 0.9
    assert typology.agreement(truth, typology.cluster_types(shares, "kmeans")).accuracy >= 0.8


@pytest.mark.slow
def test_rule_recovers_demo_types():
    from clusterdx.data.panel import build_clean
    from clusterdx.tasks.steps import region_attributes

    study = cdx.Study.load(ROOT / "analysis" / "study.toml")
    clean = build_clean(study)
    frame = cdx.indicators.compute_indicators(study, clean.panel, clean.tables)
    truth_file = study.raw_dir / "truth.json"
    truth = pd.Series(json.loads(truth_file.read_text(encoding="utf-8"))["cluster_type"])
    truth.index = truth.index.astype("int64")
    frame = frame.merge(region_attributes(study, clean.tables), on="region")
    w = cdx.weights.contiguity(cdx.regions.provinces())
    shares = typology.driver_contributions(frame, "dt", ["demand", "gov", "tech", "core"], w)
    assert typology.agreement(truth, typology.classify(shares)).accuracy >= 0.9


def test_agreement_by_hand():
    """declared s, e, p, p; classified s, e, p, s: p_o = 3/4; p_e = .25·.5 + .25·.25 + .5·.25 = 5/16;
    kappa = (3/4 - 5/16) / (1 - 5/16) = 7/11."""
    d = pd.Series(["symbiotic", "epiphytic", "parasitic", "parasitic"])
    p = pd.Series(["symbiotic", "epiphytic", "parasitic", "symbiotic"])
    a = typology.agreement(d, p)
    assert a.kappa == pytest.approx(7 / 11, abs=1e-12)
    assert a.matrix.to_numpy().tolist() == [[1, 0, 0], [0, 1, 0], [1, 0, 1]]


def test_unknown_declared_type():
    with pytest.raises(DataError, match=r"declared types \['mixed'\] are not among"):
        typology.agreement(pd.Series(["mixed"]), pd.Series(["symbiotic"]))


def test_rule_scores():
    s = pd.DataFrame({"demand": [0.1], "gov": [0.35], "tech": [0.2], "core": [0.35]})
    # symbiotic 0.45, epiphytic 0.55, parasitic 0.70
    assert typology.scores(s).iloc[0].tolist() == pytest.approx([0.45, 0.55, 0.70])
    assert typology.classify(s).iloc[0] == "parasitic"


def test_type_shares_of_registry():
    reg = pd.read_csv(ROOT / "data_raw" / "demo" / "cluster_registry.csv")
    shares = typology.type_shares(reg, "region")
    assert np.abs(shares.sum(axis=1) - 1).max() < 1e-12
    counts = reg.groupby("region").size()
    assert (shares.mul(counts, axis=0).round(9) % 1 == 0).all().all()


def test_unknown_types_are_kept():
    r = pd.DataFrame({"region": [1, 1], "cluster_type": ["symbiotic", "mixed"]})
    assert typology.type_shares(r).loc[1].to_dict() == {
        "symbiotic": 0.5,
        "epiphytic": 0.0,
        "parasitic": 0.0,
        "mixed": 0.5,
    }


def test_region_attributes_carry_type_shares():
    from clusterdx.data.panel import build_clean
    from clusterdx.tasks.steps import region_attributes

    study = cdx.Study.load(ROOT / "analysis" / "study.toml")
    clean = build_clean(study)
    attrs = region_attributes(study, clean.tables).set_index("region")
    reg = clean.tables["clusters"]
    expected = typology.type_shares(reg, "region")
    got = attrs[[f"type_share_{t}" for t in expected.columns]].loc[expected.index]
    assert (got.to_numpy() == expected.to_numpy()).all()
