"""[[spatial_robustness]]: spec validation and the outputs derived from it."""

from __future__ import annotations

import tomllib

import pytest

from clusterdx.errors import StudySpecError
from clusterdx.study import Study
from clusterdx.tasks.spatial_robustness import spatial_robustness_outputs

from ..conftest import REPO

DEFAULT = REPO / "analysis" / "study.toml"


def _raw() -> dict:
    return tomllib.loads(DEFAULT.read_text(encoding="utf-8"))


def test_unknown_weights_are_named():
    raw = _raw()
    raw["spatial_robustness"][0]["weights"] = ["queen", "rook9"]
    with pytest.raises(
        StudySpecError,
        match=r"spatial_robustness 'sdm_replace_w' uses weights \['rook9'\]; defined weights",
    ):
        Study.from_dict(raw, DEFAULT)


def test_outputs_follow_the_spec():
    study = Study.from_dict(_raw(), DEFAULT)
    assert sorted(spatial_robustness_outputs(study)) == ["sdm_replace_w.csv"]
    raw = _raw()
    raw["spatial_robustness"][0]["bands"] = [1500.0, 2000.0]
    out = spatial_robustness_outputs(Study.from_dict(raw, DEFAULT))
    assert sorted(out) == [
        "sdm_replace_w.csv",
        "sdm_replace_w_decay.csv",
        "sdm_replace_w_decay.png",
    ]
