"""Every panel model kind of the study spec reaches `clusterdx.panel.fit` and runs.

Regression test for the spec defaulting ``effects`` to "twoways", which made ``model = "pooled" |
"between" | "fd"`` fail although the user left ``effects`` out. Each model × effects pair is read
from a ``study.toml``; the pairs the model does not take fail at loading with the key and the fix.
"""

from __future__ import annotations

import json

import pytest

from clusterdx import panel
from clusterdx.errors import StudySpecError
from clusterdx.options.panel import EFFECTS, EFFECTS_BY_MODEL, MODELS
from clusterdx.study import PanelModel, Study
from clusterdx.tasks.steps import panel_fit_options

CASES = [(model, effects) for model in MODELS for effects in (None, *EFFECTS)]


def _load(folder, **entry) -> Study:
    lines = [f"{key} = {json.dumps(value)}" for key, value in entry.items()]
    text = "\n".join(
        [
            "sources = []",
            '[study]\nname = "grunfeld"\nyears = [1935, 1954]',
            '[paths]\nroot = "."',
            '[[models]]\nkind = "panel"\nname = "m"\nformula = "inv ~ value + capital"',
            *lines,
        ]
    )
    (folder / "study.toml").write_text(text + "\n", encoding="utf-8")
    return Study.load(folder / "study.toml")


@pytest.mark.parametrize("model, effects", CASES, ids=[f"{m}-{e}" for m, e in CASES])
def test_every_panel_model_runs_from_study_toml(grunfeld, tmp_path, model, effects):
    entry = {"model": model} | ({} if effects is None else {"effects": effects})
    if effects is not None and effects not in EFFECTS_BY_MODEL[model]:
        with pytest.raises(StudySpecError) as err:
            _load(tmp_path, **entry)
        fix = (
            f"use one of {list(EFFECTS_BY_MODEL[model])}"
            if EFFECTS_BY_MODEL[model]
            else "leave effects out"
        )
        assert str(err.value) == (
            f"{tmp_path / 'study.toml'}: key 'models.0.panel': Value error, effects = "
            f"{effects!r} does not apply to model = {model!r}; {fix} (effects are only for "
            "model = 'fe' or 're')"
        )
        return
    spec = _load(tmp_path, **entry).spec.models[0]
    res = panel.fit(grunfeld, spec.formula, entity="firm", time="year", **panel_fit_options(spec))
    direct = panel.fit(grunfeld, "inv ~ value + capital", entity="firm", time="year", **entry)
    assert res.params.equals(direct.params)
    assert res.bse.equals(direct.bse)
    assert res.nobs == (190 if model == "fd" else 200 if model != "between" else 10)


def test_fd_intercept_reaches_the_estimator(grunfeld):
    spec = PanelModel.model_validate(
        {
            "kind": "panel",
            "name": "m",
            "formula": "inv ~ value + capital",
            "model": "fd",
            "fd_intercept": False,
        }
    )
    res = panel.fit(grunfeld, spec.formula, entity="firm", time="year", **panel_fit_options(spec))
    assert list(res.params.index) == ["value", "capital"]


def test_covariance_options_reach_the_estimator(grunfeld, tmp_path):
    spec = _load(tmp_path, cov="cluster", cluster="time", cluster_adjustment="hc1").spec.models[0]
    res = panel.fit(grunfeld, spec.formula, entity="firm", time="year", **panel_fit_options(spec))
    direct = panel.fit(
        grunfeld,
        "inv ~ value + capital",
        entity="firm",
        time="year",
        cov="cluster",
        cluster="time",
        cluster_adjustment="hc1",
    )
    assert res.bse.equals(direct.bse) and res.cov_type == direct.cov_type
    spec = _load(tmp_path, cov="driscoll-kraay", bandwidth=2.0).spec.models[0]
    res = panel.fit(grunfeld, spec.formula, entity="firm", time="year", **panel_fit_options(spec))
    assert "bandwidth 2" in res.cov_type


@pytest.mark.parametrize(
    "entry, message",
    [
        (
            {"model": "between", "cov": "cluster"},
            "cov = 'cluster' is not available for model = 'between'; use one of "
            "['unadjusted', 'robust']",
        ),
        (
            {"model": "fe", "fd_intercept": True},
            "fd_intercept applies only to model = 'fd'; leave it out",
        ),
        (
            {"cov": "robust", "cluster": "time"},
            "cluster / cluster_adjustment apply only to cov = 'cluster'; leave them out",
        ),
        ({"bandwidth": 2.0}, "bandwidth applies only to cov = 'driscoll-kraay'; leave it out"),
    ],
)
def test_options_of_another_model_or_covariance_are_refused(tmp_path, entry, message):
    with pytest.raises(StudySpecError) as err:
        _load(tmp_path, **entry)
    assert (
        str(err.value) == f"{tmp_path / 'study.toml'}: key 'models.0.panel': Value error, {message}"
    )
