"""The options of the spatial panel estimators: allowed values of `clusterdx.spatial.fit`.

One source of truth for the estimators (`clusterdx.spatial.models`, ``dynamic``, ``logdet``) and
the study spec (`clusterdx.study`), which imports these ``Literal``s instead of re-declaring them.
The defaults of the signature skeleton shared with `clusterdx.panel` (key columns, seed,
level) come from `clusterdx.options.common`; a spec field left out passes nothing, so the
estimator's default applies.

Examples
--------
>>> from clusterdx.options import spatial as options
>>> options.MODELS
('sar', 'sem', 'sdm', 'sac', 'sdem', 'slx')
>>> options.LOGDET_METHODS
('auto', 'eigen', 'lu', 'chebyshev', 'barry-pace')
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from clusterdx.options.common import DEFAULT_ALPHA as DEFAULT_ALPHA
from clusterdx.options.common import DEFAULT_ENTITY as DEFAULT_ENTITY
from clusterdx.options.common import DEFAULT_SEED as DEFAULT_SEED
from clusterdx.options.common import DEFAULT_TIME as DEFAULT_TIME

ModelName = Literal["sar", "sem", "sdm", "sac", "sdem", "slx"]
EffectsName = Literal["individual", "time", "twoways", "random", "pooled"]
BiasCorrection = Literal[False, True, "transformation", "direct"]
"""Lee & Yu (2010) bias correction of fixed-effects spatial ML (``True`` = ``"transformation"``)."""
LogdetMethod = Literal["auto", "eigen", "lu", "chebyshev", "barry-pace"]
#: ``"ml"``: our maximum likelihood; ``"splm"``: splm's within estimator (R), for comparisons.
Convention = Literal["ml", "splm"]
DynamicName = Literal["time", "spacetime", "both"]
#: Models with a spatial lag or lagged regressors, whose effects (impacts) differ from β.
ImpactModelName = Literal["sar", "sdm", "sac", "sdem", "slx"]

#: Effects of `clusterdx.spatial.fit` and ``lm_tests`` (one-way, as spreg and splm) and of
#: ``fit_dynamic`` and ``spatial_did`` (two-way, as Yu, de Jong & Lee 2008 and the DID designs).
DEFAULT_EFFECTS: Final = "individual"
DEFAULT_DYNAMIC_EFFECTS: Final = "twoways"

MODELS: tuple[str, ...] = get_args(ModelName)
EFFECTS: tuple[str, ...] = get_args(EffectsName)
BIAS_CORRECTIONS: tuple[bool | str, ...] = get_args(BiasCorrection)
LOGDET_METHODS: tuple[str, ...] = get_args(LogdetMethod)
CONVENTIONS: tuple[str, ...] = get_args(Convention)
DYNAMIC: tuple[str, ...] = get_args(DynamicName)
IMPACT_MODELS: tuple[str, ...] = get_args(ImpactModelName)
