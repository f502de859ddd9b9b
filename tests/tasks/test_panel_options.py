"""Every panel model kind of the study spec reaches `clusterdx.panel.fit` and runs.

Regression test for the spec defaulting ``effects`` to "twoways", which made ``model = "pooled" |
"between" | "fd"`` fail although the user left ``effects`` out.
"""

from __future__ import annotations

import pytest

from clusterdx import panel
from clusterdx.study import PanelModel
from clusterdx.tasks.steps import panel_fit_options

CASES = [
    ("pooled", None),
    ("between", None),
    ("fd", None),
    ("re", None),
    ("re", "individual"),
    ("fe", None),
    ("fe", "individual"),
    ("fe", "time"),
    ("fe", "twoways"),
]


@pytest.mark.parametrize("model, effects", CASES)
def test_every_panel_model_runs_from_the_spec(grunfeld, model, effects):
    entry = {"kind": "panel", "name": "m", "formula": "inv ~ value + capital", "model": model}
    if effects is not None:
        entry["effects"] = effects
    spec = PanelModel.model_validate(entry)
    res = panel.fit(grunfeld, spec.formula, entity="firm", time="year", **panel_fit_options(spec))
    direct = panel.fit(
        grunfeld,
        "inv ~ value + capital",
        entity="firm",
        time="year",
        model=model,
        **({} if effects is None else {"effects": effects}),
    )
    assert res.params.equals(direct.params)
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
