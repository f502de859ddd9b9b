"""Panel LM tests against R splm 1.6-5 ``slmtest`` and against spreg's cross-sectional LM tests.

splm reference (R 4.2.2, tests/validation/reference/r_reference.json): ``slmtest(log(gsp) ~ log(pcap) +
log(pc) + log(emp) + unemp, data = Produc, listw = mat2listw(usaww), model = "within" |
"pooling", test = "lml" | "lme" | "rlml" | "rlme")``.
"""

from __future__ import annotations

import libpysal
import numpy as np
import pandas as pd
import pytest
import spreg
from scipy import sparse

from clusterdx.spatial.diagnostics import lm_tests

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")

X = ["lpcap", "lpc", "lemp", "unemp"]
ROWS = {"lml": "LM_lag", "lme": "LM_error", "rlml": "robust LM_lag", "rlme": "robust LM_error"}


@pytest.fixture(scope="module")
def w_usa(usaww):
    return libpysal.weights.full2W(usaww.to_numpy(), ids=list(usaww.index))


@pytest.mark.parametrize(
    ("effects", "key"), [("individual", "slmtest_within"), ("pooled", "slmtest_pooling")]
)
def test_matches_splm_slmtest(produc, w_usa, r_reference, effects, key):
    out = lm_tests(produc, "lgsp", X, w_usa, "state", "year", effects=effects)
    ref = r_reference[key]
    rows = [ROWS[k] for k in ref]
    np.testing.assert_allclose(
        out.loc[rows, "statistic"], [v[0][0] for v in ref.values()], rtol=1e-8
    )


def _spreg_stacked(produc: pd.DataFrame, w: libpysal.weights.W, demean: str | None):
    """spreg OLS LM tests on the period-stacked data with the sparse block-diagonal W."""
    order = list(w.id_order)
    cube = produc.set_index(["year", "state"])[["lgsp", *X]]
    periods = sorted(produc["year"].unique())
    cube = cube.reindex(pd.MultiIndex.from_product([periods, order])).to_numpy()
    cube = cube.reshape(len(periods), len(order), -1)
    if demean in ("individual", "twoways"):
        cube = cube - cube.mean(axis=0, keepdims=True)
    if demean in ("time", "twoways"):
        cube = cube - cube.mean(axis=1, keepdims=True)
    stacked = cube.reshape(len(periods) * len(order), -1)
    block = sparse.kron(sparse.identity(len(periods)), w.sparse, format="csr")
    w_nt = libpysal.weights.WSP(block).to_W(silence_warnings=True)
    ols = spreg.OLS(stacked[:, :1], stacked[:, 1:], w=w_nt, spat_diag=True)
    return [ols.lm_lag[0], ols.lm_error[0], ols.rlm_lag[0], ols.rlm_error[0]]


def test_pooled_matches_spreg_on_stacked_data(produc, w_usa):
    # spreg 1.9 inverts X'X of the raw Produc regressors (condition number ~1e5): agreement is
    # ~6e-8 relative, hence rtol=1e-6 here while splm agrees to 1e-8.
    out = lm_tests(produc, "lgsp", X, w_usa, "state", "year", effects="pooled")
    np.testing.assert_allclose(out["statistic"], _spreg_stacked(produc, w_usa, None), rtol=1e-6)


@pytest.mark.parametrize("effects", ["individual", "time", "twoways"])
def test_within_forms_match_spreg_with_doubly_stochastic_w(produc, effects):
    # With a ring W (column sums 1) spreg's intercept is orthogonal to every demeaned and
    # lagged vector, so spreg's cross-sectional LM tests on the stacked demeaned data are the
    # panel statistics.
    states = sorted(produc["state"].unique())
    n = len(states)
    neighbors = {s: [states[(i - 1) % n], states[(i + 1) % n]] for i, s in enumerate(states)}
    ring = libpysal.weights.W(neighbors)
    ring.transform = "r"
    out = lm_tests(produc, "lgsp", X, ring, "state", "year", effects=effects)
    expected = _spreg_stacked(produc, ring, effects)
    np.testing.assert_allclose(out["statistic"], expected, rtol=1e-8)
