"""Pesaran CD tests (clusterdx.spatial.cross_section_tests) against R plm and a brute-force sum."""

from __future__ import annotations

import numpy as np
import pytest

from clusterdx.errors import EstimationError
from clusterdx.paneldata import PanelFrame
from clusterdx.spatial.cross_section_tests import pesaran_cd


def test_global_cd_matches_plm_on_grunfeld(grunfeld):
    # plm 2.x, tests/test_pcdtest.Rout.save: pcdtest(value ~ 1, data = Grunfeld) -> z = 13.843
    # (heterogeneous model: residuals of a per-firm regression on a constant = demeaned value)
    frame = grunfeld.assign(
        e=grunfeld["value"] - grunfeld.groupby("firm")["value"].transform("mean")
    )
    res = pesaran_cd(frame, "e", entity="firm", time="year")
    assert res.statistic == pytest.approx(13.843, abs=5e-4)
    assert res.pairs == 45


def test_local_cd_equals_brute_force_pair_sum(grunfeld):
    """Local CD over the pairs of a chain of firms 1-2-...-10 plus (2, 4), (2, 5), vs a loop."""
    frame = grunfeld.assign(e=grunfeld["inv"] - grunfeld.groupby("firm")["inv"].transform("mean"))
    firms = sorted(frame["firm"].unique())
    w = np.zeros((10, 10))
    links = [(i + 1, i) for i in range(9)] + [(3, 1), (4, 1)]
    for i, j in links:
        w[i, j] = 1.0
    res = pesaran_cd(frame, "e", entity="firm", time="year", w=(w + w.T, firms))
    series = {f: g.sort_values("year")["e"].to_numpy() for f, g in frame.groupby("firm")}
    total = 0.0
    for i, j in links:
        a, b = series[firms[i]], series[firms[j]]
        a, b = a - a.mean(), b - b.mean()
        total += np.sqrt(20) * (a @ b) / np.sqrt((a @ a) * (b @ b))
    assert res.pairs == 11
    assert res.statistic == pytest.approx(total / np.sqrt(11), rel=1e-12)
    assert res.name == "Pesaran local CD test"


def test_constant_series_is_named(grunfeld):
    frame = grunfeld.assign(e=grunfeld["value"])
    frame.loc[frame["firm"] == 3, "e"] = 1.0
    with pytest.raises(EstimationError, match=r"^'e' is constant over time for unit\(s\) \[3\]"):
        pesaran_cd(frame, "e", entity="firm", time="year")


def test_a_panel_frame_is_used_as_it_is(grunfeld):
    frame = grunfeld.assign(e=grunfeld["inv"] - grunfeld.groupby("firm")["inv"].transform("mean"))
    handed = pesaran_cd(PanelFrame(frame, ["e"], "firm", "year"), "e", entity="firm", time="year")
    direct = pesaran_cd(frame, "e", entity="firm", time="year")
    assert (handed.statistic, handed.pvalue) == (direct.statistic, direct.pvalue)
