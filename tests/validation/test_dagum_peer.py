"""Dagum (1997) Gini decomposition against a peer implementation run on its own example data.

Reference: ``reference/dagum_obbalx.json``, written by ``reference/make_dagum_reference.py`` from
``DagumGini`` of github.com/ObbaLX/Dagum-Gini (commit 2644f67, pandas 1.5.3) on that
repository's ``example.xlsx``: 31 values a year in three groups, 2011-2019. The peer reaches the
net between-group term by Σ p_j p_h |μ_j − μ_h| / μ and the transvariation as the gross
between-group Gini minus it, not through D_jh as we do.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from clusterdx.disparity import dagum_gini

from ..conftest import reference_file


@pytest.fixture(scope="module")
def peer() -> dict:
    return json.loads(reference_file("dagum_obbalx.json").read_text(encoding="utf-8"))


def test_equals_peer_implementation(peer):
    frame = pd.DataFrame(peer["data"])
    res = dagum_gini(frame, "value", "group", time="year")
    worst = 0.0
    for year, ref in peer["results"].items():
        row = res.summary.loc[int(year)]
        pairs = [(row[key], ref[key]) for key in ("G", "G_w", "G_nb", "G_t")]
        pairs.append((row["G_nb"] + row["G_t"], ref["G_gb"]))
        within = res.within.loc[int(year)]
        pairs += [(within.loc[int(g), "G_jj"], v) for g, v in ref["G_jj"].items()]
        between = res.between.loc[int(year)]
        for pair, v in ref["G_jh"].items():
            low, high = sorted(pair.split("-"), key=lambda g: within.loc[int(g), "mean"])
            pairs.append((between.loc[f"{high}-{low}", "G_jh"], v))
        worst = max(worst, *(abs(ours - theirs) for ours, theirs in pairs))
    assert worst < 1e-12, worst
