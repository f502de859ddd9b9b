"""spatial.fit warns when W is not row-standardised (libpysal's default binary W, transform 'O')."""

from __future__ import annotations

import libpysal
import pytest

from clusterdx import spatial


def test_binary_w_warns_and_the_summary_says_so(produc, usaww):
    binary = libpysal.weights.full2W((usaww.to_numpy() > 0).astype(float), ids=list(usaww.index))
    assert binary.transform == "O"
    with pytest.warns(UserWarning, match=r"^W is not row-standardised \(row sums from 1 to 8; "):
        res = spatial.fit(
            produc,
            y="lgsp",
            x=["lpcap", "lpc", "lemp", "unemp"],
            w=binary,
            entity="state",
            time="year",
            model="sar",
            effects="individual",
            bias_correction=False,
        )
    assert "Spatial weights: as given (not row-standardised)" in res.summary()
