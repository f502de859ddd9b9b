"""'Replace W' tables and spillover decay (clusterdx.spatial.robustness) vs separate fits."""

from __future__ import annotations

import libpysal
import pandas as pd
import pytest

from clusterdx import regions, spatial, weights
from clusterdx.errors import WeightsError
from clusterdx.paneldata import PanelFrame
from clusterdx.report.spillover_figure import decay_figure
from clusterdx.spatial._simulate import simulate_panel
from clusterdx.spatial.robustness import replace_w, spillover_decay


@pytest.fixture(scope="module")
def provinces_panel():
    prov = regions.provinces()
    w = weights.inverse_distance(prov, cutoff=2000)
    panel = simulate_panel(w.sparse, 6, beta=[1.0], theta=[0.5], rho=0.3, seed=3)
    panel["entity"] = panel["entity"].map(dict(enumerate(w.id_order)))
    return prov, panel


def test_replace_w_columns_equal_separate_fits():
    rook = libpysal.weights.lat2W(5, 5)
    rook.transform = "r"
    queen = libpysal.weights.lat2W(5, 5, rook=False)
    queen.transform = "r"
    panel = simulate_panel(rook.sparse, 5, beta=[1.0, -0.5], theta=[0.5, 0.0], rho=0.4, seed=0)
    opts = {"model": "sdm", "effects": "twoways"}
    table = replace_w(
        panel,
        "y",
        ["x1", "x2"],
        {"rook": rook, "queen": queen},
        entity="entity",
        time="time",
        draws=50,
        **opts,
    )
    for name, w in (("rook", rook), ("queen", queen)):
        imp = spatial.fit(
            panel, y="y", x=["x1", "x2"], w=w, entity="entity", time="time", **opts
        ).impacts(draws=50)
        for var in ("x1", "x2"):
            for kind in ("direct", "indirect", "total"):
                for stat in ("est", "se", "p"):
                    assert table.loc[(var, kind, stat), name] == imp.loc[var, (kind, stat)]


def test_spillover_decay_rows_equal_truncated_fits(provinces_panel, tmp_path):
    prov, panel = provinces_panel
    decay = spillover_decay(
        panel,
        "y",
        ["x1"],
        prov,
        entity="entity",
        time="time",
        bands=[1500, 2000],
        model="sdm",
        effects="twoways",
        draws=50,
    )
    w = weights.inverse_distance(prov, cutoff=1500)
    imp = spatial.fit(
        panel, y="y", x=["x1"], w=w, entity="entity", time="time", model="sdm", effects="twoways"
    ).impacts(draws=50)
    row = decay[decay["band_km"] == 1500].iloc[0]
    assert row["est"] == imp.loc["x1", ("indirect", "est")]
    assert row["upper"] - row["est"] == pytest.approx(1.959964 * row["se"], rel=1e-6)
    assert decay_figure(decay, "x1", tmp_path / "decay.png").stat().st_size > 0


def test_spillover_decay_band_without_neighbours_is_named(provinces_panel):
    prov, panel = provinces_panel
    with pytest.raises(WeightsError, match=r"^at the 100 km band regions \["):
        spillover_decay(
            panel, "y", ["x1"], prov, entity="entity", time="time", bands=[100], model="sdm"
        )
    with pytest.raises(WeightsError, match="bands must be increasing"):
        spillover_decay(
            panel, "y", ["x1"], prov, entity="entity", time="time", bands=[500, 300], model="sdm"
        )


def _count_validations(monkeypatch) -> list[tuple]:
    """The (columns, entity, time) of every PanelFrame built from a DataFrame from now on."""
    built = []
    init = PanelFrame.__init__

    def counted(self, panel, columns, entity, time, **options):
        built.append((tuple(columns), entity, time))
        init(self, panel, columns, entity, time, **options)

    monkeypatch.setattr(PanelFrame, "__init__", counted)
    return built


def test_the_loops_validate_the_panel_once(provinces_panel, monkeypatch):
    prov, panel = provinces_panel
    opts = {"entity": "entity", "time": "time", "model": "sar", "effects": "twoways"}
    bands = [1500, 1800, 2000]
    # separate fits, each validating the panel (the path of a per-fit DataFrame)
    separate = {
        band: spatial.fit(
            panel, y="y", x=["x1"], w=weights.inverse_distance(prov, cutoff=band), **opts
        )
        for band in bands[:2]
    }
    built = _count_validations(monkeypatch)
    table = replace_w(
        panel,
        "y",
        ["x1"],
        {f"{b:g}": weights.inverse_distance(prov, cutoff=b) for b in bands[:2]},
        draws=20,
        **opts,
    )
    assert built == [(("y", "x1"), "entity", "time")]
    for band, res in separate.items():
        imp = res.impacts(draws=20)
        expected = pd.Series(
            {
                ("x1", kind, stat): float(imp.loc["x1", (kind, stat)])
                for kind in ("direct", "indirect", "total")
                for stat in ("est", "se", "p")
            },
            name=f"{band:g}",
        ).rename_axis(["variable", "impact", "stat"])
        pd.testing.assert_series_equal(table[f"{band:g}"], expected)
    built.clear()
    decay = spillover_decay(panel, "y", ["x1"], prov, bands=bands, draws=20, **opts)
    assert built == [(("y", "x1"), "entity", "time")] and len(decay) == len(bands)
    # a PanelFrame handed in is not validated again
    frame = PanelFrame(panel, ["y", "x1"], "entity", "time", balanced=True)
    built.clear()
    handed = replace_w(
        frame, "y", ["x1"], {"1500": weights.inverse_distance(prov, cutoff=1500)}, draws=20, **opts
    )
    assert built == []
    pd.testing.assert_series_equal(handed["1500"], table["1500"])
