"""Linear panel regressions, Hausman tests and mechanism analysis.

Wraps linearmodels, and pyfixest for IV/2SLS and high-dimensional fixed effects; see
:func:`clusterdx.panel.fit`. Mechanism tools: :func:`mediation`,
:func:`moderation`, :func:`threshold` (Hansen 1999), :func:`did`, :func:`event_study`,
:func:`callaway_santanna`, :func:`heterogeneity`, and the battery :func:`robustness`.

One signature skeleton for every panel-based public function here and in `clusterdx.spatial`::

    f(panel, <formula | y, x, ...>, [w], *, entity="region", time="year",
      effects=..., cov=..., cluster=None, missing="raise", seed=0, alpha=0.05, <own options>)

Positional: the panel, then what the model is made of (a formula, or the response and the
role columns: ``x``, ``m``, ``z``, ``q``, ``treat_year``, ``group``, ``covariates``), then the
weights of a spatial model. Everything else is keyword-only and defaults as below; the defaults
live in ``clusterdx.options.panel`` / ``clusterdx.options.spatial`` (``DEFAULT_*``).

==========================  =================================================================
option                      default
==========================  =================================================================
``entity``, ``time``        ``"region"``, ``"year"`` (the study data's key columns), everywhere
``seed``                    ``0`` everywhere (was ``None`` in mediation, threshold,
                            heterogeneity: now reproducible by default)
``alpha``                   ``0.05``
``missing``                 ``"raise"`` (``fit``, ``mediation``)
``cov``                     ``"cluster"`` by entity (``fit``: ``"robust"`` for ``"between"``)
``effects``                 ``"twoways"`` for the mechanisms, DID, ``heterogeneity``,
                            ``spatial.fit_dynamic`` and ``spatial_did``; kept as the
                            estimator's own where aligning would change validated numbers:
                            ``fit`` ``"individual"`` for ``"fe"`` (linearmodels, plm),
                            ``threshold`` ``"individual"`` (Hansen 1999), ``spatial.fit`` and
                            ``lm_tests`` ``"individual"`` (spreg, splm)
==========================  =================================================================

``spatial.fit`` takes a formula (``fit(panel, "dt ~ demand + gov", w=W)``) or ``y=``, ``x=``.
``threshold``'s regime regressors are ``x``, as in the study spec. ``spatial.lm_tests`` and
``moran_by_year`` keep ``entity``, ``time`` (and ``effects``) positional-or-keyword, as
DESIGN.md calls them, ``lm_tests(panel, y, x, W, entity, time, effects)``.
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
