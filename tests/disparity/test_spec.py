"""The measurement analysis kinds in the study spec: required keys, weights references, outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

import clusterdx as cdx
from clusterdx.errors import StudySpecError
from clusterdx.tasks.analyses import analysis_outputs

DEFAULT = Path(cdx.__file__).parents[1] / "study.toml"


def test_default_study_declares_measurement_outputs():
    study = cdx.Study.load(DEFAULT)
    outputs = analysis_outputs(study)
    for name in ("disparity_dt", "markov_dt", "convergence_dt", "typology_clusters", "obstacle_dt"):
        assert f"{name}.html" in outputs and f"{name}_en.html" in outputs
    assert "disparity_dt_kernel3d.png" in outputs
    disparity = next(a for a in study.spec.analyses if a.kind == "disparity")
    assert disparity.group == "macro_region"


def test_missing_var_is_named():
    with pytest.raises(StudySpecError, match="analysis kind 'markov' needs var"):
        cdx.Study.load(DEFAULT, overrides=['analyses=[{kind = "markov", name = "m"}]'])


def test_unknown_weights_is_named():
    with pytest.raises(
        StudySpecError, match="analysis 'm' uses weights 'rook'; defined weights: \\['queen'\\]"
    ):
        cdx.Study.load(
            DEFAULT,
            overrides=['analyses=[{kind = "markov", name = "m", var = "dt", weights = "rook"}]'],
        )


def test_spatial_convergence_needs_weights():
    with pytest.raises(StudySpecError, match="analysis 'c': spatial = 'sdm' needs weights"):
        cdx.Study.load(
            DEFAULT,
            overrides=[
                'analyses=[{kind = "convergence", name = "c", var = "dt", spatial = "sdm"}]'
            ],
        )


def test_obstacle_needs_an_entropy_indicator(tmp_path):
    import pandas as pd

    from clusterdx.tasks import measurement

    study = cdx.Study.load(
        DEFAULT, overrides=['analyses=[{kind = "obstacle", name = "o", var = "gov"}]']
    )
    with pytest.raises(
        StudySpecError, match="analysis 'o': var 'gov' must name an entropy indicator"
    ):
        measurement.run(study, study.spec.analyses[0], pd.DataFrame(), tmp_path, tmp_path)
