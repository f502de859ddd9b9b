"""[[spatial_robustness]]: spec validation and the outputs derived from it."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import StudySpecError
from clusterdx.paneldata import PanelFrame
from clusterdx.regions import registry
from clusterdx.study import Study
from clusterdx.tasks import spatial_robustness as task
from clusterdx.tasks.spatial_inputs import build_spatial_inputs, spatial_outputs
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


def test_one_validated_panel_serves_the_table_and_the_bands(tmp_path, monkeypatch):
    raw = _raw()
    raw["spatial_robustness"][0]["bands"] = [1500.0, 2000.0]
    study = Study.from_dict(raw, tmp_path / "analysis" / "study.toml")  # reports in tmp_path
    (study.reports_dir / "tables").mkdir(parents=True)
    (study.reports_dir / "figures").mkdir()
    codes = sorted(registry.table("province")["code"])
    frame = pd.DataFrame({"region": np.repeat(codes, 3), "year": np.tile([2020, 2021, 2022], 31)})
    for col in ("dt", "demand", "gov", "tech", "core"):
        frame[col] = np.random.default_rng(0).normal(size=len(frame))
    study.clean_dir.mkdir(parents=True)
    frame.to_parquet(study.clean_dir / "indicators.parquet")
    build_spatial_inputs(study, study.clean_dir / "indicators.parquet", spatial_outputs(study))
    handed = []

    def fake(panel, *args, **kwargs):
        handed.append(panel)
        return pd.DataFrame({"band_km": [1500.0]})

    monkeypatch.setattr(task.spatial, "replace_w", fake)
    monkeypatch.setattr(task.spatial, "spillover_decay", fake)
    monkeypatch.setattr(
        "clusterdx.report.spillover_figure.decay_figure", lambda *args, **kwargs: None
    )
    task.run_spatial_robustness(study, frame)
    assert len(handed) == 2 and handed[0] is handed[1] and isinstance(handed[0], PanelFrame)
    assert handed[0].columns == ["dt", "demand", "gov", "tech", "core"]
