"""Elhorst (2014, §3.6.2) LR tests of the spatial and time fixed effects on the cigarette data.

Reference: ``reference/elhorst2014.json``, transcribed from Elhorst (2014), *Spatial Econometrics:
From Cross-Sectional Data to Spatial Panels*, Springer, §3.6.2 (text with Table 3.2): LR = 2315.7
(spatial fixed effects, 46 df printed) and 473.1 (time-period fixed effects, 30 df), one decimal,
compared at that printed precision. The LR statistics compare non-spatial fixed-effects models of
ln C on ln P and ln Y, whose Gaussian log-likelihoods (ML variance SSR/NT) are ``PanelResult.llf``.
Data: plm::Cigar via the ``cigar`` fixture; also checked here is ``usa46.csv`` against its
construction from libpysal's ``us48`` (``tests/conftest.py::usa46_from_libpysal``).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from clusterdx.panel import fit
from tests.conftest import reference_file, usa46_from_libpysal
from tests.validation._printed import assert_printed

FORMULA = "logc ~ logp + logy"


@pytest.fixture(scope="module")
def elhorst() -> dict:
    return json.loads(reference_file("elhorst2014.json").read_text(encoding="utf-8"))


def test_lr_tests_of_spatial_and_time_fixed_effects(cigar, elhorst):
    kwargs = {"entity": "state", "time": "year", "model": "fe", "cov": "unadjusted"}
    llf = {
        e: fit(cigar, FORMULA, effects=e, **kwargs).llf for e in ("individual", "time", "twoways")
    }
    ours = {
        "spatial": 2 * (llf["twoways"] - llf["time"]),
        "time": 2 * (llf["twoways"] - llf["individual"]),
    }
    printed = {
        "spatial": elhorst["lr_spatial_fixed_effects"]["statistic"],
        "time": elhorst["lr_time_fixed_effects"]["statistic"],
    }
    worst = assert_printed(ours, printed, "Elhorst (2014) LR tests")
    print(f"Elhorst (2014) §3.6.2 LR tests: worst relative difference {worst:.2e}")


def test_usa46_csv_is_the_libpysal_construction(usa46, cigar):
    built = usa46_from_libpysal()
    pd.testing.assert_frame_equal(usa46, built, check_names=False)
    assert int(usa46.to_numpy().sum()) == 188 and (usa46.to_numpy() == usa46.T.to_numpy()).all()
    assert set(cigar["name"]) == set(usa46.index) and cigar.shape[0] == 46 * 30
