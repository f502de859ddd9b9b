"""The study spec's estimator options equal the estimators' own: allowed values, defaults, ranges.

The spec imports the ``Literal``s and ranges of `clusterdx.options.panel` and
`clusterdx.options.spatial`; these tests read the estimators' signatures, so an option changed on
one side only fails here. A spec field defaults to None ("the estimator's default": nothing is
passed) or to exactly the estimator's default.
"""

from __future__ import annotations

import inspect
import types
import typing

import numpy as np
import pandas as pd
import pytest

from clusterdx import panel, spatial
from clusterdx.errors import EstimationError
from clusterdx.options import panel as po
from clusterdx.spatial._results import SpatialPanelResults
from clusterdx.study import Analysis, PanelModel, RobustnessVariant, SpatialModel, SpatialRobustness

ANALYSIS_COV = [
    panel.mediation,
    panel.moderation,
    panel.heterogeneity,
    panel.threshold,
    panel.did,
    panel.event_study,
    panel.psm_did,
]

#: spec class, field -> the (estimator, parameter) pairs it is passed to.
OPTIONS = {
    **{(PanelModel, key): [(panel.fit, key)] for key in (
        "model", "effects", "cov", "cluster", "cluster_adjustment", "bandwidth", "missing",
        "fd_intercept", "absorb",
    )},
    **{(RobustnessVariant, key): [(panel.fit, key)] for key in ("effects", "cov")},
    **{(SpatialModel, key): [(spatial.fit, key)] for key in (
        "model", "effects", "bias_correction", "convention", "dynamic", "logdet", "maxiter",
        "seed",
    )},
    (SpatialModel, "impacts_draws"): [(SpatialPanelResults.impacts, "draws")],
    **{(SpatialRobustness, key): [(spatial.fit, key)] for key in ("effects", "dynamic")},
    (SpatialRobustness, "impacts_draws"): [(spatial.replace_w, "draws")],
    (Analysis, "effects"): [(f, "effects") for f in ANALYSIS_COV if f is not panel.psm_did],
    (Analysis, "cov"): [(f, "cov") for f in ANALYSIS_COV],
    (Analysis, "method"): [(panel.mediation, "method")],
    (Analysis, "bootstrap"): [(panel.mediation, "bootstrap"), (panel.threshold, "bootstrap")],
    (Analysis, "n_thresholds"): [(panel.threshold, "n_thresholds")],
    (Analysis, "trim"): [(panel.threshold, "trim")],
    (Analysis, "grid"): [(panel.threshold, "grid")],
    (Analysis, "control_group"): [(panel.callaway_santanna, "control_group")],
    (Analysis, "leads"): [(panel.event_study, "leads")],
    (Analysis, "lags"): [(panel.event_study, "lags")],
    (Analysis, "placebo_kind"): [(panel.placebo, "kind")],
    (Analysis, "draws"): [(panel.placebo, "draws")],
    (Analysis, "match"): [(panel.psm_did, "method")],
    (Analysis, "match_scope"): [(panel.psm_did, "scope")],
    (Analysis, "caliper"): [(panel.psm_did, "caliper")],
    (Analysis, "bandwidth"): [(panel.psm_did, "bandwidth")],
}  # fmt: skip


def _literal_values(annotation) -> set | None:
    """The values of the ``Literal``s in ``annotation`` (None when it holds none)."""
    if typing.get_origin(annotation) is typing.Literal:
        return set(typing.get_args(annotation))
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        found = [_literal_values(arg) for arg in typing.get_args(annotation)]
        found = [v for v in found if v is not None]
        return set().union(*found) if found else None
    return None


def _case_id(case) -> str:
    return f"{case[0].__name__}.{case[1]}"


@pytest.mark.parametrize("case", list(OPTIONS), ids=_case_id)
def test_spec_option_allows_what_the_estimators_allow(case):
    spec_class, key = case
    spec_values = _literal_values(spec_class.model_fields[key].annotation)
    estimator_values = [
        _literal_values(typing.get_type_hints(func)[param]) for func, param in OPTIONS[case]
    ]
    if spec_values is None:
        assert all(v is None for v in estimator_values)
        return
    # the spec offers the values some estimator takes; each estimator checks its own subset
    assert spec_values == set().union(*estimator_values)


@pytest.mark.parametrize("case", list(OPTIONS), ids=_case_id)
def test_spec_option_defaults_to_the_estimators_default(case):
    spec_class, key = case
    default = spec_class.model_fields[key].default
    defaults = {inspect.signature(f).parameters[p].default for f, p in OPTIONS[case]}
    assert default is None or defaults == {default}, (default, defaults)


def test_spatial_robustness_models_are_the_ones_with_impacts():
    allowed = _literal_values(SpatialRobustness.model_fields["model"].annotation)
    assert allowed == set(typing.get_args(typing.get_type_hints(spatial.fit)["model"])) - {"sem"}
    assert SpatialRobustness.model_fields["model"].default == (
        inspect.signature(spatial.fit).parameters["model"].default
    )


@pytest.mark.parametrize(
    "func, spec_class",
    [(panel.fit, PanelModel), (spatial.fit, SpatialModel)],
    ids=["panel.fit", "spatial.fit"],
)
def test_every_estimator_option_is_reachable_from_the_spec(func, spec_class):
    data = {"panel", "formula", "entity", "time", "y", "x", "w"}
    # matrices are named [weights] entries in the spec: w_error -> weights_error, ...
    spec_name = {"w_error": "weights_error", "w_durbin": "weights_durbin"}
    options = {spec_name.get(p, p) for p in inspect.signature(func).parameters} - data
    assert options <= set(spec_class.model_fields)


def _bounds(spec_class, key) -> tuple[float | None, float | None]:
    lower = upper = None
    for item in spec_class.model_fields[key].metadata:
        lower = getattr(item, "ge", None) if getattr(item, "ge", None) is not None else lower
        upper = getattr(item, "le", None) if getattr(item, "le", None) is not None else upper
    return lower, upper


def test_spec_ranges_are_the_options_modules():
    assert _bounds(Analysis, "trim") == po.TRIM
    assert _bounds(Analysis, "n_thresholds") == po.N_THRESHOLDS
    assert _bounds(Analysis, "grid") == (po.GRID_MIN, None)
    assert _bounds(Analysis, "leads") == (po.LEADS_MIN, None)
    assert _bounds(Analysis, "lags") == (po.LAGS_MIN, None)
    assert _bounds(Analysis, "draws") == (po.PLACEBO_DRAWS_MIN, None)


@pytest.fixture(scope="module")
def toy():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "region": np.repeat(np.arange(8), 6),
            "year": np.tile(np.arange(2010, 2016), 8),
            "x": rng.normal(size=48),
            "q": rng.normal(size=48),
            "first": np.repeat([2012, 2013, np.nan, np.nan, 2012, 2014, np.nan, 2013], 6),
        }
    )
    frame["y"] = frame["x"] + rng.normal(size=48)
    return frame


def _threshold(toy, **options):
    return panel.threshold(toy, "y", "x", "q", bootstrap=0, **options)


def test_the_estimators_accept_the_bounds_and_refuse_beyond(toy):
    low, high = po.TRIM
    for trim in (low, high):
        _threshold(toy, trim=trim, grid=po.GRID_MIN)
    for trim in (low / 2, high + 0.01):
        with pytest.raises(EstimationError, match="trim"):
            _threshold(toy, trim=trim)
    with pytest.raises(EstimationError, match="grid"):
        _threshold(toy, grid=po.GRID_MIN - 1)
    with pytest.raises(EstimationError, match="n_thresholds"):
        _threshold(toy, n_thresholds=po.N_THRESHOLDS[1] + 1)
    common = ("y", "first")
    panel.event_study(toy, *common, leads=po.LEADS_MIN, lags=po.LAGS_MIN, ref=-1)
    with pytest.raises(EstimationError, match="leads"):
        panel.event_study(toy, *common, leads=po.LEADS_MIN - 1)
    with pytest.raises(EstimationError, match="lags"):
        panel.event_study(toy, *common, lags=po.LAGS_MIN - 1)
    with pytest.raises(EstimationError, match="draws"):
        panel.placebo(toy, *common, draws=po.PLACEBO_DRAWS_MIN - 1)
