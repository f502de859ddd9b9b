"""Linear panel regressions, Hausman tests and mechanism analysis.

Wraps linearmodels, and pyfixest for IV/2SLS and high-dimensional fixed effects; see
:func:`clusterdx.panel.fit`. Mechanism tools: :func:`mediation`,
:func:`moderation`, :func:`threshold` (Hansen 1999), :func:`did`, :func:`event_study`,
:func:`callaway_santanna`, :func:`heterogeneity`, and the battery :func:`robustness`.
"""

from __future__ import annotations

from clusterdx.panel.bacon import bacon_decomposition
from clusterdx.panel.bootstrap import WildBootstrapResult, wild_bootstrap
from clusterdx.panel.did import (
    CallawaySantAnnaResult,
    EventStudyResult,
    callaway_santanna,
    did,
    event_study,
)
from clusterdx.panel.hausman import HausmanResult, hausman
from clusterdx.panel.heterogeneity import HeterogeneityResult, heterogeneity
from clusterdx.panel.iv import (
    FirstStage,
    FixestResult,
    IVDiagnostics,
    stock_yogo_critical_values,
)
from clusterdx.panel.mechanisms import MediationResult, ModerationResult, mediation, moderation
from clusterdx.panel.models import PanelResult, fit, fit_stepwise
from clusterdx.panel.placebo import PlaceboResult, placebo
from clusterdx.panel.psm import PSMResult, psm_did
from clusterdx.panel.robustness import MUNICIPALITIES, Variant, robustness
from clusterdx.panel.sunab import sun_abraham
from clusterdx.panel.threshold import ThresholdResult, threshold

__all__ = [
    "MUNICIPALITIES",
    "CallawaySantAnnaResult",
    "EventStudyResult",
    "FirstStage",
    "FixestResult",
    "HausmanResult",
    "HeterogeneityResult",
    "IVDiagnostics",
    "MediationResult",
    "ModerationResult",
    "PSMResult",
    "PanelResult",
    "PlaceboResult",
    "ThresholdResult",
    "Variant",
    "WildBootstrapResult",
    "bacon_decomposition",
    "callaway_santanna",
    "did",
    "event_study",
    "fit",
    "fit_stepwise",
    "hausman",
    "heterogeneity",
    "mediation",
    "moderation",
    "placebo",
    "psm_did",
    "robustness",
    "stock_yogo_critical_values",
    "sun_abraham",
    "threshold",
    "wild_bootstrap",
]
