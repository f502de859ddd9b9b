"""Callaway-Sant'Anna with covariates against R ``did`` and the Python package csdid.

Two independent references (provenance in ``tests/validation/reference/README.md``):

* ``r_did_attgt.csv`` / ``r_did_aggte.csv``: R ``did`` 2.5 (``att_gt(..., bstrap = FALSE)`` and
  ``aggte``), deposited by csdid's authors with their R script; on R ``did``'s ``mpdta``
  without covariates (dr, ipw; never- and not-yet-treated), with ``lpop`` (reg), and on their
  simulated panel with covariate ``X`` (dr);
* ``csdid_reference.json``: csdid 0.4.3 run here by ``make_csdid_reference.py`` for every
  est_method × control group × base period, with covariates, on ``mpdta`` (``lpop``) and on a
  simulated panel with a time-varying covariate.

ATT(g,t), analytic SEs and the simple / group / dynamic aggregations must agree to 1e-6
relative.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from clusterdx.panel import callaway_santanna
from tests.conftest import reference_file

RTOL = 1e-6
COLUMNS = {  # data -> (y, time, id, cohort, covariate)
    "mpdta": ("lemp", "year", "countyreal", "first.treat", "lpop"),
    "sim": ("y", "period", "id", "G", "x"),
    "r_sim": ("Y", "period", "id", "G", "X"),
}
# R did scenarios of csdid's generate_reference.R: (data, covariate or None, control, method)
R_SCENARIOS = {
    "mpdta_nev_dr": ("mpdta", None, "nevertreated", "dr"),
    "mpdta_nyt_dr": ("mpdta", None, "notyettreated", "dr"),
    "mpdta_nev_reg_cov": ("mpdta", "lpop", "nevertreated", "reg"),
    "mpdta_nev_ipw": ("mpdta", None, "nevertreated", "ipw"),
    "sim_nev_dr": ("r_sim", "X", "nevertreated", "dr"),
}


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return {
        "mpdta": pd.read_csv(reference_file("mpdta.csv")),
        "sim": pd.read_csv(reference_file("csdid_sim.csv")),
        "r_sim": pd.read_csv(reference_file("r_did_sim_data.csv.gz")),
    }


@pytest.fixture(scope="module")
def csdid_reference() -> dict:
    return json.loads(reference_file("csdid_reference.json").read_text(encoding="utf-8"))


def _fit(frames, data, covariate, control, method, base="varying"):
    y, t, i, g, _ = COLUMNS[data]
    covariates = [covariate] if covariate else []
    return callaway_santanna(
        frames[data], y, g, entity=i, time=t, control_group=control, covariates=covariates, est_method=method,
        base_period=base,
    )  # fmt: skip


def _close(got, expected, what):
    """Relative agreement; a reference 0 (the universal base cell) must be matched exactly."""
    got, expected = np.asarray(got, float), np.asarray(expected, float)
    missing = np.isnan(expected)
    assert np.array_equal(np.isnan(got), missing), what
    np.testing.assert_allclose(got[~missing], expected[~missing], rtol=RTOL, atol=0, err_msg=what)


@pytest.mark.parametrize(
    "name",
    [
        f"{d}_{m}_{cg}_{bp}"
        for d in ("mpdta", "sim")
        for m in ("dr", "ipw", "reg")
        for cg in ("nevertreated", "notyettreated")
        for bp in ("varying", "universal")
    ],
)
def test_matches_csdid(name, frames, csdid_reference):
    ref = csdid_reference["scenarios"][name]
    cs = _fit(
        frames, ref["data"], ref["covariate"], ref["control_group"], ref["est_method"],
        ref["base_period"],
    )  # fmt: skip
    cells = pd.DataFrame(ref["att_gt"]).set_index(["group", "time"])
    ours = cs.att_gt.set_index(["group", "time"]).loc[cells.index]
    assert len(cs.att_gt) == len(cells)
    _close(ours["att"], cells["att"], f"{name} ATT(g,t)")
    _close(ours["se"], cells["se"], f"{name} SE(g,t)")
    for kind in ("simple", "group", "dynamic"):
        agg, table = ref["aggregations"][kind], cs.aggregate(kind)
        _close(
            table.iloc[-1][["att", "se"]], [agg["overall_att"], agg["overall_se"]], f"{name} {kind}"
        )
        if kind != "simple":
            rows = table.loc[agg["egt"]]
            _close(rows["att"], agg["att_egt"], f"{name} {kind} by row")
            _close(rows["se"], agg["se_egt"], f"{name} {kind} SE by row")


@pytest.mark.parametrize("scenario", list(R_SCENARIOS))
def test_matches_r_did(scenario, frames):
    data, covariate, control, method = R_SCENARIOS[scenario]
    cs = _fit(frames, data, covariate, control, method)
    cells = pd.read_csv(reference_file("r_did_attgt.csv"))
    cells = cells[cells["scenario"] == scenario].set_index(["group", "t"])
    ours = cs.att_gt.set_index(["group", "time"]).loc[cells.index]
    assert len(cs.att_gt) == len(cells)
    _close(ours["att"], cells["att"], f"{scenario} ATT(g,t)")
    _close(ours["se"], cells["se"], f"{scenario} SE(g,t)")
    aggs = pd.read_csv(reference_file("r_did_aggte.csv"))
    aggs = aggs[aggs["scenario"] == scenario]
    for kind in ("simple", "group", "dynamic"):
        ref, table = aggs[aggs["type"] == kind], cs.aggregate(kind)
        overall = ref[["overall_att", "overall_se"]].iloc[0]
        _close(table.iloc[-1][["att", "se"]], overall, f"{scenario} {kind}")
        if kind != "simple":
            rows = table.loc[ref["egt"].astype(float)]
            _close(rows["att"], ref["att_egt"], f"{scenario} {kind} by row")
            _close(rows["se"], ref["se_egt"], f"{scenario} {kind} SE by row")
