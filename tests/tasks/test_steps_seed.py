"""study.seed reaches spatial.fit(seed=) (stochastic traces, approximate log-determinants; issue 12)."""

from __future__ import annotations

import pandas as pd
import pytest

from clusterdx import panel
from clusterdx.data import balance
from clusterdx.study import Study
from clusterdx.tasks import steps

from ..conftest import REPO


class _Stop(Exception):
    pass


def test_study_seed_reaches_spatial_fit(monkeypatch, tmp_path):
    study = Study.load(REPO / "analysis" / "study.toml")
    assert any(m.kind == "spatial" for m in study.spec.models)
    seen: dict = {}

    def fake_spatial_fit(*args, **kwargs):
        seen.update(kwargs)
        raise _Stop

    monkeypatch.setattr(steps.pd, "read_parquet", lambda path: pd.DataFrame())
    monkeypatch.setattr(steps, "read_weights", lambda *args: None)
    monkeypatch.setattr(steps, "_transform_of", lambda w: "row")
    monkeypatch.setattr(steps, "check_spec_against_panel", lambda *args, **kwargs: None)
    monkeypatch.setattr(balance, "require_balanced", lambda *args, **kwargs: None)
    monkeypatch.setattr(panel, "fit", lambda *args, **kwargs: object())
    monkeypatch.setattr(steps.spatial, "fit", fake_spatial_fit)
    monkeypatch.setattr(type(study), "reports_dir", property(lambda self: tmp_path), raising=False)
    with pytest.raises(_Stop):
        steps.fit_models(study, tmp_path / "indicators.parquet")
    assert seen["seed"] == study.spec.study.seed
