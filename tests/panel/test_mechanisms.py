"""Tests of clusterdx.panel.mechanisms: mediation (Sobel, cluster bootstrap) and moderation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from clusterdx.errors import EstimationError, PanelError, StudySpecError
from clusterdx.panel import fit, mediation, moderation
from clusterdx.panel.mechanisms import EntityMoments, _entity_counts
from clusterdx.paneldata.frame import PanelFrame


@pytest.fixture(scope="module")
def med_panel() -> pd.DataFrame:
    """m = 0.5 x + 0.2 w + a_i + e; y = 0.3 x + 0.8 m + 0.1 w + b_i + 0.05 t + u (150 x 8)."""
    rng = np.random.default_rng(42)
    n_entities, n_periods = 150, 8
    entity = np.repeat(np.arange(n_entities), n_periods)
    year = np.tile(np.arange(2010, 2010 + n_periods), n_entities)
    n = len(entity)
    x = rng.normal(size=n) + rng.normal(size=n_entities)[entity]
    w = rng.normal(size=n)
    m = 0.5 * x + 0.2 * w + rng.normal(size=n_entities)[entity] + rng.normal(size=n)
    y = 0.3 * x + 0.8 * m + 0.1 * w + rng.normal(size=n_entities)[entity] + 0.05 * (year - 2010)
    y = y + rng.normal(size=n)
    z = rng.normal(size=n) + 0.5 * rng.normal(size=n_entities)[entity]
    return pd.DataFrame({"id": entity, "year": year, "x": x, "m": m, "y": y, "w": w, "z": z})


def test_sobel_equals_hand_formula(med_panel):
    res = mediation(med_panel, "y", "x", "m", controls=["w"], entity="id", time="year", bootstrap=0)
    a, sa = res.mediator.params["x"], res.mediator.bse["x"]
    b, sb = res.outcome.params["m"], res.outcome.bse["m"]
    row = res.table.loc["indirect a*b"]
    z = a * b / np.sqrt(b**2 * sa**2 + a**2 * sb**2)
    np.testing.assert_allclose(row["stat"], z, rtol=1e-12)
    np.testing.assert_allclose(row["pvalue"], 2 * stats.norm.sf(abs(z)), rtol=1e-12)
    np.testing.assert_allclose(row["estimate"], a * b, rtol=1e-12)
    assert np.isnan(row["lower"]) and res.draws.size == 0


def test_total_effect_decomposes_exactly(med_panel):
    # OLS identity on a common sample with the same controls and effects: c = c' + a b.
    res = mediation(med_panel, "y", "x", "m", controls=["w"], entity="id", time="year", bootstrap=0)
    t = res.table["estimate"]
    np.testing.assert_allclose(t["total c"], t["direct c'"] + t["indirect a*b"], rtol=1e-10)
    # known data-generating values: a = 0.5, b = 0.8, direct 0.3
    np.testing.assert_allclose(
        [t["a (x->m)"], t["b (m->y|x)"], t["direct c'"]], [0.5, 0.8, 0.3], atol=0.1
    )


@pytest.mark.parametrize(
    ("model", "effects"),
    [("fe", "twoways"), ("fe", "individual"), ("fe", "time"), ("pooled", "none")],
)
def test_bootstrap_draw_equals_fit_on_resampled_entities(med_panel, model, effects):
    # Independent path: linearmodels (via fit) on a physically resampled panel whose repeated
    # entities are relabelled as distinct entities.
    names = ["y", "x", "m", "w"]
    frame = PanelFrame(med_panel, names, "id", "year").data
    moments = EntityMoments(frame, names, model, effects)
    counts = _entity_counts(np.random.default_rng(3), moments.n_entities, 2)
    a_fast = moments.coefficients(counts, "m", ["x", "w"], "x")
    b_fast = moments.coefficients(counts, "y", ["x", "m", "w"], "m")
    for r in range(2):
        pieces = []
        for ent, count in zip(moments.entities, counts[r], strict=True):
            pieces += [med_panel[med_panel["id"] == ent]] * int(count)
        pieces = [piece.assign(id=label) for label, piece in enumerate(pieces)]
        sample = pd.concat(pieces, ignore_index=True)
        kwargs = {"model": model} | ({"effects": effects} if model == "fe" else {})
        a = fit(sample, "m ~ x + w", entity="id", time="year", **kwargs).params["x"]
        b = fit(sample, "y ~ x + m + w", entity="id", time="year", **kwargs).params["m"]
        np.testing.assert_allclose([a_fast[r], b_fast[r]], [a, b], rtol=1e-9)


def test_bootstrap_reproducible_with_seed_and_intervals(med_panel):
    kwargs = {"bootstrap": 300}
    first = mediation(
        med_panel, "y", "x", "m", controls=["w"], entity="id", time="year", seed=7, **kwargs
    )
    again = mediation(
        med_panel, "y", "x", "m", controls=["w"], entity="id", time="year", seed=7, **kwargs
    )
    other = mediation(
        med_panel, "y", "x", "m", controls=["w"], entity="id", time="year", seed=8, **kwargs
    )
    np.testing.assert_array_equal(first.draws, again.draws)
    assert not np.array_equal(first.draws, other.draws)
    row = first.table.loc["indirect a*b"]
    lower, upper = np.quantile(first.draws, [0.025, 0.975])
    np.testing.assert_allclose([row["lower"], row["upper"]], [lower, upper], rtol=1e-12)
    # bias-corrected: z0 from the share of draws below the estimate (Efron & Tibshirani 1993)
    z0 = stats.norm.ppf(np.mean(first.draws < row["estimate"]))
    probs = stats.norm.cdf([2 * z0 - 1.959963984540054, 2 * z0 + 1.959963984540054])
    np.testing.assert_allclose(
        [row["bc_lower"], row["bc_upper"]], np.quantile(first.draws, probs), rtol=1e-12
    )
    # the bootstrap SE of a*b is close to the Sobel (delta-method) SE in a large-ish sample
    assert first.draws.std() == pytest.approx(row["se"], rel=0.35)


def test_two_step_fits_only_x_to_y_and_x_to_m(med_panel):
    res = mediation(
        med_panel, "y", "x", "m", controls=["w"], entity="id", time="year", method="two_step"
    )
    assert res.outcome is None and len(res.results) == 2
    assert list(res.table.index) == ["total c", "a (x->m)"]
    assert "江艇 2022" in res.note and "bad control" in res.summary()


def test_mediation_inputs_are_checked(med_panel):
    with pytest.raises(StudySpecError, match="'three_step', 'two_step'"):
        mediation(med_panel, "y", "x", "m", entity="id", time="year", method="sobel")
    with pytest.raises(PanelError, match="distinct"):
        mediation(med_panel, "y", "x", "x", entity="id", time="year")
    with pytest.raises(EstimationError, match="bootstrap=-1"):
        mediation(med_panel, "y", "x", "m", entity="id", time="year", bootstrap=-1)


@pytest.mark.parametrize("center", [True, False])
def test_marginal_effects_by_hand(med_panel, center):
    zs = [-1.0, 0.0, 0.7]
    res = moderation(
        med_panel, "y", "x", "z", controls=["w"], entity="id", time="year", center=center, at=zs
    )
    bx, bxz = res.params["x"], res.params["x_x_z"]
    zbar = med_panel["z"].mean() if center else 0.0
    shift = np.asarray(zs) - zbar
    np.testing.assert_allclose(res.marginal["effect"], bx + bxz * shift, rtol=1e-12)
    v = res.fit.cov
    var = v.loc["x", "x"] + shift**2 * v.loc["x_x_z", "x_x_z"] + 2 * shift * v.loc["x", "x_x_z"]
    np.testing.assert_allclose(res.marginal["se"], np.sqrt(var), rtol=1e-12)


def test_marginal_effects_do_not_depend_on_centering(med_panel):
    centred = moderation(
        med_panel, "y", "x", "z", controls=["w"], entity="id", time="year", center=True
    )
    raw = moderation(
        med_panel, "y", "x", "z", controls=["w"], entity="id", time="year", center=False
    )
    np.testing.assert_allclose(centred.marginal["effect"], raw.marginal["effect"], rtol=1e-8)
    np.testing.assert_allclose(centred.marginal["se"], raw.marginal["se"], rtol=1e-8)
    np.testing.assert_allclose(centred.params["x_x_z"], raw.params["x_x_z"], rtol=1e-8)
    assert list(centred.marginal["quantile"]) == [0.10, 0.25, 0.50, 0.75, 0.90]
    assert len(centred.plot) == 50


def test_interaction_matches_lsdv(med_panel):
    res = moderation(
        med_panel,
        "y",
        "x",
        "z",
        controls=["w"],
        entity="id",
        time="year",
        center=False,
        cov="unadjusted",
    )
    frame = med_panel
    dummies = pd.get_dummies(frame[["id", "year"]].astype(str), drop_first=True, dtype=float)
    design = sm.add_constant(
        pd.concat([frame[["x", "z", "w"]], (frame["x"] * frame["z"]).rename("xz"), dummies], axis=1)
    )
    ols = sm.OLS(frame["y"], design).fit()
    np.testing.assert_allclose(res.params["x_x_z"], ols.params["xz"], rtol=1e-8)
    np.testing.assert_allclose(res.bse["x_x_z"], ols.bse["xz"], rtol=1e-8)


def test_time_invariant_moderator_is_absorbed(med_panel):
    panel = med_panel.assign(region_type=med_panel["id"] % 3)
    res = moderation(panel, "y", "x", "region_type", controls=[], entity="id", time="year")
    assert res.absorbed == ["region_type"]
    assert "region_type" not in res.params.index and "x_x_region_type" in res.params.index
