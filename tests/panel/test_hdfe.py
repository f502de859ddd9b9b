"""High-dimensional fixed effects (absorb=) against pyfixest on a simulated firm panel."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import PanelError
from clusterdx.panel import fit

pf = pytest.importorskip("pyfixest")
ABSORB = ["firm", "industry^year", "province^year"]


@pytest.fixture(scope="module")
def firms() -> pd.DataFrame:
    """400 firms x 2012-2019 (unbalanced), 12 industries, 8 provinces, plus 5 one-year firms
    (singletons of the firm effect)."""
    rng = np.random.default_rng(7)
    rows = []
    for firm in range(405):
        years = range(2012, 2020) if firm < 400 else [2015]
        industry, province = rng.integers(12), rng.integers(8)
        rows += [(firm, y, industry, province) for y in years if firm >= 400 or rng.random() > 0.1]
    frame = pd.DataFrame(rows, columns=["firm", "year", "industry", "province"])
    n = len(frame)
    effect = rng.normal(size=405)[frame["firm"]]
    shock = rng.normal(size=(12, 8))[frame["industry"], frame["year"] - 2012]
    frame["x1"] = rng.normal(size=n) + 0.5 * effect
    frame["x2"] = rng.normal(size=n) + shock
    frame["y"] = 0.4 * frame["x1"] - 0.2 * frame["x2"] + effect + shock + rng.normal(size=n)
    return frame


def _reference(frame, vcov):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # a tight convergence tolerance: pyfixest demeans in an order that depends on string
        # hashing (its fixed effects are a set), so at its default the reference moves by ~1e-8
        return pf.feols(
            "y ~ x1 + x2 | firm + industry^year + province^year",
            data=frame,
            vcov=vcov,
            fixef_tol=1e-12,
        )


@pytest.mark.parametrize(
    ("kwargs", "vcov"),
    [
        ({}, {"CRV1": "firm"}),
        ({"cluster": "industry", "cluster_adjustment": "crv3"}, {"CRV3": "industry"}),
        ({"cluster": ["firm", "year"]}, {"CRV1": "firm+year"}),
        ({"cov": "robust"}, "hetero"),
    ],
)
def test_three_absorbed_dimensions_equal_pyfixest(firms, kwargs, vcov):
    ref = _reference(firms, vcov)
    res = fit(firms, "y ~ x1 + x2", entity="firm", time="year", absorb=ABSORB, **kwargs)
    np.testing.assert_allclose(res.params, ref.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(res.bse, ref.se().to_numpy(), rtol=1e-8)
    assert res.nobs == ref._N
    assert res.singletons == len(firms) - ref._N == 5
    assert "5 singletons dropped" in res.summary()
    assert res.absorb == ABSORB
    assert res.fixed_effects == dict.fromkeys(ABSORB, True)


def test_absorb_rejects_unknown_columns(firms):
    with pytest.raises(PanelError, match=r"absorb names \['sector'\]"):
        fit(firms, "y ~ x1", entity="firm", time="year", absorb=["firm", "sector^year"])
    with pytest.raises(PanelError, match="must be a non-empty list"):
        fit(firms, "y ~ x1", entity="firm", time="year", absorb="firm")
