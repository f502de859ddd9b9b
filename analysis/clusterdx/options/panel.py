"""The options of the panel estimators: allowed values, ranges and which combinations apply.

One source of truth for `clusterdx.panel` (``fit``, the mechanisms, threshold, DID, placebo,
PSM-DID and the wild bootstrap) and for the study spec (`clusterdx.study`), which imports these
``Literal``s and ranges instead of re-declaring them, so the two cannot drift apart (the shape of
pyfixest's ``estimation/internals/literals.py``). The ``DEFAULT_*`` constants are the defaults of
the estimators' signatures; a spec field left out passes nothing, so the estimator's default
applies.

Examples
--------
>>> from clusterdx.options import panel as options
>>> options.MODELS
('pooled', 'fe', 're', 'between', 'fd')
>>> options.EFFECTS_BY_MODEL["re"], options.EFFECTS_BY_MODEL["pooled"]
(('individual',), ())
>>> options.TRIM
(0.01, 0.15)
"""

from __future__ import annotations

from typing import Literal, get_args

from clusterdx.options.common import DEFAULT_ALPHA as DEFAULT_ALPHA
from clusterdx.options.common import DEFAULT_ENTITY as DEFAULT_ENTITY
from clusterdx.options.common import DEFAULT_MISSING as DEFAULT_MISSING
from clusterdx.options.common import DEFAULT_SEED as DEFAULT_SEED
from clusterdx.options.common import DEFAULT_TIME as DEFAULT_TIME
from clusterdx.options.common import MISSING as MISSING
from clusterdx.options.common import Missing as Missing

#: `clusterdx.panel.fit`
Model = Literal["pooled", "fe", "re", "between", "fd"]
Effects = Literal["individual", "time", "twoways"]
Cov = Literal["unadjusted", "robust", "cluster", "driscoll-kraay"]
ClusterAdjustment = Literal["crv1", "hc1"]

MODELS: tuple[str, ...] = get_args(Model)
EFFECTS: tuple[str, ...] = get_args(Effects)
COVS: tuple[str, ...] = get_args(Cov)
CLUSTER_ADJUSTMENTS: tuple[str, ...] = get_args(ClusterAdjustment)
#: Effects and covariance of the mechanisms, DID and heterogeneity; ``fit`` itself defaults to
#: ``effects="individual"`` for ``"fe"`` (linearmodels' and plm's one-way within estimator).
DEFAULT_EFFECTS: Effects = "twoways"
DEFAULT_COV: Cov = "cluster"

#: The ``effects`` each model takes (empty: leave ``effects`` out).
EFFECTS_BY_MODEL: dict[str, tuple[str, ...]] = {
    "pooled": (),
    "fe": EFFECTS,
    "re": ("individual",),
    "between": (),
    "fd": (),
}
#: The covariances each model allows (the between model has one observation per entity).
COVS_BY_MODEL: dict[str, tuple[str, ...]] = {
    "pooled": COVS,
    "fe": COVS,
    "re": COVS,
    "fd": COVS,
    "between": ("unadjusted", "robust"),
}

#: `clusterdx.panel.mediation` / `moderation`
MediationMethod = Literal["three_step", "two_step"]
MediationModel = Literal["fe", "pooled"]
ModerationModel = Literal["pooled", "fe", "re"]
MEDIATION_METHODS: tuple[str, ...] = get_args(MediationMethod)
MEDIATION_MODELS: tuple[str, ...] = get_args(MediationModel)

#: `clusterdx.panel.threshold` (Hansen 1999): effects, number of thresholds and the trimmed share
#: of the threshold variable's distribution at each end (Hansen uses 0.01 to 0.15).
ThresholdEffects = Literal["individual", "twoways"]
THRESHOLD_EFFECTS: tuple[str, ...] = get_args(ThresholdEffects)
#: Hansen's (1999) model has entity effects only.
DEFAULT_THRESHOLD_EFFECTS: ThresholdEffects = "individual"
N_THRESHOLDS: tuple[int, int] = (1, 3)
TRIM: tuple[float, float] = (0.01, 0.15)
#: Fewest candidate values of an evenly spaced threshold grid.
GRID_MIN = 2

#: `clusterdx.panel.did` / `callaway_santanna` / `event_study`: comparison group, aggregation and
#: the event window (at least one lead, the reference period -1; zero or more lags).
ControlGroup = Literal["nevertreated", "notyettreated"]
Aggregation = Literal["simple", "dynamic", "group"]
CONTROL_GROUPS: tuple[str, ...] = get_args(ControlGroup)
AGGREGATIONS: tuple[str, ...] = get_args(Aggregation)
#: Callaway-Sant'Anna base period: the period before each t ("varying") or g - 1 ("universal").
BasePeriod = Literal["varying", "universal"]
BASE_PERIODS: tuple[str, ...] = get_args(BasePeriod)
DEFAULT_BASE_PERIOD: BasePeriod = "varying"
#: Callaway-Sant'Anna 2×2 estimator with covariates (Sant'Anna & Zhao 2020): doubly robust,
#: inverse probability weighting or outcome regression (`clusterdx.panel._drdid`).
EstMethod = Literal["dr", "ipw", "reg"]
EST_METHODS: tuple[str, ...] = get_args(EstMethod)
DEFAULT_EST_METHOD: EstMethod = "dr"
#: Weights of the multiplier bootstrap (`clusterdx.panel._multiplier`).
MultiplierWeights = Literal["mammen", "rademacher"]
MULTIPLIER_WEIGHTS: tuple[str, ...] = get_args(MultiplierWeights)
DEFAULT_MULTIPLIER: MultiplierWeights = "mammen"
LEADS_MIN = 1
LAGS_MIN = 0

#: `clusterdx.panel.placebo`: what is permuted, and the fewest draws that can reject at 5 %.
PlaceboKind = Literal["space", "time", "both"]
PLACEBO_KINDS: tuple[str, ...] = get_args(PlaceboKind)
PLACEBO_DRAWS_MIN = 19

#: `clusterdx.panel.psm_did`
MatchMethod = Literal["nearest", "caliper", "kernel"]
MatchScope = Literal["pooled", "period"]
MATCH_METHODS: tuple[str, ...] = get_args(MatchMethod)
MATCH_SCOPES: tuple[str, ...] = get_args(MatchScope)

#: `clusterdx.panel.wild_bootstrap`
BootstrapWeights = Literal["rademacher", "webb"]
BOOTSTRAP_WEIGHTS: tuple[str, ...] = get_args(BootstrapWeights)
