"""Study spec and pipeline wiring of spatial DID (``did`` with ``spatial = true``) and of the
``weights_error`` / ``weights_durbin`` / ``durbin`` keys of spatial models."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import StudySpecError
from clusterdx.regions.registry import table as region_table
from clusterdx.report._latin import latin_tokens
from clusterdx.study import Study
from clusterdx.tasks import analyses, steps
from clusterdx.tasks.spatial_inputs import build_spatial_inputs, spatial_outputs

from ..conftest import REPO

DEFAULT = REPO / "analysis" / "study.toml"


def _raw() -> dict:
    return tomllib.loads(DEFAULT.read_text(encoding="utf-8"))


def _with_spatial_inputs(raw: dict, frame: pd.DataFrame, folder) -> Study:
    """The study of ``raw`` rooted in ``folder``, with its spatial step run on ``frame`` (the
    weights matrices the models and analyses steps read)."""
    raw["paths"].update(root=folder.as_posix(), clean="clean")
    study = Study.from_dict(raw, DEFAULT)
    study.clean_dir.mkdir(parents=True)
    path = study.clean_dir / "indicators.parquet"
    frame.to_parquet(path)
    build_spatial_inputs(study, path, spatial_outputs(study))
    return study


def _spatial_model(**keys) -> dict:
    base = {"kind": "spatial", "name": "sdm_x", "y": "dt", "x": ["demand", "gov"], "model": "sdm",
            "weights": "queen"}  # fmt: skip
    return {**base, **keys}


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    codes = sorted(region_table("province")["code"])
    years = range(2011, 2024)
    df = pd.DataFrame({"region": np.repeat(codes, 13), "year": np.tile(years, 31)})
    n = len(df)
    for col in ("demand", "gov", "tech", "core"):
        df[col] = rng.normal(size=n)
    first = dict(zip(codes, np.where(rng.uniform(size=31) < 0.5, 2016.0, np.nan), strict=True))
    df["designation_year"] = df["region"].map(first)
    df["dt"] = (df["year"] >= df["designation_year"]) + 0.3 * df["tech"] + rng.normal(size=n)
    return df


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"weights_error": "queen"}, r"model 'sdm_x': weights_error is set but model 'sdm' has no"),
        (
            {"weights_durbin": "rook9"},
            r"model 'sdm_x' uses weights_durbin 'rook9'; defined weights",
        ),
        ({"durbin": ["tech"]}, r"durbin = \['tech'\] must list regressors of x"),
        ({"model": "sar", "durbin": ["gov"]}, r"durbin is set but model 'sar' has no Durbin"),
        ({"dynamic": "time", "durbin": ["gov"]}, r"not available for dynamic models"),
    ],
)
def test_spatial_model_weight_keys_are_checked(keys, message):
    raw = _raw()
    raw["models"] = [_spatial_model(**keys)]
    with pytest.raises(StudySpecError, match=message):
        Study.from_dict(raw, DEFAULT)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"spatial": True, "weights": None}, r"analysis 'did_designation': spatial = 'True' needs"),
        ({"spatial": "sar"}, r"analysis kind 'did' takes spatial = true .* not 'sar'"),
    ],
)
def test_did_spatial_keys_are_checked(keys, message):
    raw = _raw()
    did = next(a for a in raw["analyses"] if a["kind"] == "did")
    did.update({"weights": "queen", **keys})
    if did["weights"] is None:
        del did["weights"]
    with pytest.raises(StudySpecError, match=message):
        Study.from_dict(raw, DEFAULT)


def test_spatial_true_is_only_for_did():
    raw = _raw()
    conv = next(a for a in raw["analyses"] if a["kind"] == "convergence")
    conv["spatial"] = True
    with pytest.raises(StudySpecError, match=r"spatial = true is for analysis kind 'did'"):
        Study.from_dict(raw, DEFAULT)


def test_pipeline_passes_the_weights_keys(frame, tmp_path, monkeypatch):
    raw = _raw()
    raw["weights"]["knn4"] = {"type": "knn", "k": 4}
    raw["models"] = [_spatial_model(model="sdem", weights_error="knn4", weights_durbin="queen",
                                    durbin=["gov"])]  # fmt: skip
    raw["analyses"], raw["spatial_robustness"] = [], []
    raw.pop("robustness", None)
    study = _with_spatial_inputs(raw, frame, tmp_path)
    seen = {}

    def fake_fit(*args, **kwargs):
        seen.update(kwargs)
        raise RuntimeError("stop")

    monkeypatch.setattr(steps.spatial, "fit", fake_fit)
    monkeypatch.setattr(steps, "read_cluster_panel", lambda study: None)  # no cluster-unit model
    path = tmp_path / "indicators.parquet"
    frame.to_parquet(path)
    with pytest.raises(RuntimeError, match="stop"):
        steps.fit_models(study, path)
    assert seen["durbin"] == ["gov"] and seen["model"] == "sdem"
    assert seen["w_error"].id_order == steps.study_weights(study, "knn4", frame).id_order
    knn = steps.study_weights(study, "knn4", frame)
    assert (seen["w_error"].sparse != knn.sparse).nnz == 0
    queen = steps.study_weights(study, "queen", frame)
    assert (seen["w_durbin"].sparse != queen.sparse).nnz == 0


def test_spatial_did_writes_both_languages(frame, tmp_path):
    raw = _raw()
    did = next(a for a in raw["analyses"] if a["kind"] == "did")
    did.update({"spatial": True, "weights": "queen", "draws": 99})
    study = _with_spatial_inputs(raw, frame, tmp_path)
    spec = next(a for a in study.spec.analyses if a.kind == "did")
    tables, figs = tmp_path / "tables", tmp_path / "figures"
    tables.mkdir()
    figs.mkdir()
    written = analyses._run_one(study, spec, frame, tables, figs)
    expected = {p.name for p in analyses.analysis_outputs(study).values() if spec.name in p.name}
    assert {p.name for p in written} == expected
    assert f"{spec.name}_spatial_en.html" in expected
    zh = (tables / f"{spec.name}_spatial.md").read_text(encoding="utf-8")
    en = (tables / f"{spec.name}_spatial_en.md").read_text(encoding="utf-8")
    assert "空间双重差分" in zh and "政策处理×政策后" in zh and latin_tokens(zh) == []
    assert "Spatial difference-in-differences" in en and "Treated×Post" in en
    effects = pd.read_csv(tables / f"{spec.name}_spatial_effects.csv", header=[0, 1], index_col=0)
    assert effects.index.tolist() == ["treat_post"]
    # true δ = 1 with no spillover: the direct effect is near 1 (se about 0.1 here)
    assert abs(effects[("direct", "est")].iloc[0] - 1.0) < 0.35
