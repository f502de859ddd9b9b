"""Spatial panel econometrics: ML estimation, impacts, specification tests and diagnostics.

::

    import clusterdx as cdx
    res = cdx.spatial.fit(panel, y="dt", x=["demand", "gov"], w=W, entity="region", time="year",
                          model="sdm", effects="twoways")
    res.summary(); res.impacts(draws=1000, seed=0)
    cdx.spatial.wald_test(res, "sar"); cdx.spatial.lr_test(res, res_sar)
    cdx.spatial.fit(..., model="sac", w_error=M)          # separate error / Durbin (w_durbin) matrices
    cdx.spatial.spatial_did(panel, "dt", "pilot_year", W)   # SDM-DID spillovers
    cdx.spatial.bsk_test(panel, "dt", ["demand", "gov"], W, test="LMH")

The names below are imported from their modules on first use (PEP 562), so that importing one
module (e.g. ``clusterdx.spatial.models`` for the study spec) does not import esda and the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clusterdx._lazy import exported

if TYPE_CHECKING:
    from clusterdx.spatial._results import SpatialPanelResults
    from clusterdx.spatial.bsk import bsk_test
    from clusterdx.spatial.cross_section_tests import CDTestResult, pesaran_cd
    from clusterdx.spatial.diagnostics import lm_tests, moran_by_year
    from clusterdx.spatial.did import SpatialDIDResult, spatial_did
    from clusterdx.spatial.dynamic import DynamicSpatialResults, dynamic_impacts, fit_dynamic
    from clusterdx.spatial.effects import impacts
    from clusterdx.spatial.logdet import LogDet, logdet, rho_bounds
    from clusterdx.spatial.models import fit
    from clusterdx.spatial.robustness import replace_w, spillover_decay
    from clusterdx.spatial.tests import SpecTestResult, hausman, lr_test, wald_test

_HOMES = {
    "SpatialPanelResults": "_results",
    "bsk_test": "bsk",
    "SpatialDIDResult": "did",
    "spatial_did": "did",
    "CDTestResult": "cross_section_tests",
    "pesaran_cd": "cross_section_tests",
    "lm_tests": "diagnostics",
    "moran_by_year": "diagnostics",
    "DynamicSpatialResults": "dynamic",
    "dynamic_impacts": "dynamic",
    "fit_dynamic": "dynamic",
    "impacts": "effects",
    "LogDet": "logdet",
    "logdet": "logdet",
    "rho_bounds": "logdet",
    "fit": "models",
    "replace_w": "robustness",
    "spillover_decay": "robustness",
    "SpecTestResult": "tests",
    "hausman": "tests",
    "lr_test": "tests",
    "wald_test": "tests",
}

__all__ = [
    "CDTestResult",
    "DynamicSpatialResults",
    "LogDet",
    "SpatialDIDResult",
    "SpatialPanelResults",
    "SpecTestResult",
    "bsk_test",
    "dynamic_impacts",
    "fit",
    "fit_dynamic",
    "hausman",
    "impacts",
    "lm_tests",
    "logdet",
    "lr_test",
    "moran_by_year",
    "pesaran_cd",
    "replace_w",
    "rho_bounds",
    "spatial_did",
    "spillover_decay",
    "wald_test",
]


__getattr__, __dir__ = exported(__name__, _HOMES)
