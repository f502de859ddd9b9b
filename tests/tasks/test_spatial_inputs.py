"""clusterdx.tasks.spatial_inputs: the weights matrices and map shapes built once per run as files."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest

from clusterdx import weights
from clusterdx.errors import StudySpecError
from clusterdx.regions import registry
from clusterdx.study import Study
from clusterdx.tasks import steps
from clusterdx.tasks.spatial_inputs import (
    build_spatial_inputs,
    read_map_shapes,
    read_weights,
    spatial_outputs,
    write_weights,
)

from ..conftest import REPO

DEFAULT = REPO / "analysis" / "study.toml"


@pytest.fixture
def study(tmp_path) -> Study:
    """The default study rooted in ``tmp_path`` with a second matrix, its spatial step run on a
    province panel."""
    raw = tomllib.loads(DEFAULT.read_text(encoding="utf-8"))
    raw["paths"].update(root=tmp_path.as_posix(), clean="clean")
    raw["weights"]["knn4"] = {"type": "knn", "k": 4}
    raw["models"] = [m for m in raw["models"] if m["kind"] == "spatial"][:1]
    raw["analyses"], raw["spatial_robustness"] = [], []
    raw.pop("robustness", None)
    study = Study.from_dict(raw, DEFAULT)
    codes = sorted(registry.table("province")["code"])
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"region": np.repeat(codes, 13), "year": np.tile(range(2011, 2024), 31)})
    for col in ("dt", "demand", "gov", "tech", "core"):
        frame[col] = rng.normal(size=len(frame))
    study.clean_dir.mkdir(parents=True)
    frame.to_parquet(study.clean_dir / "indicators.parquet")
    build_spatial_inputs(study, study.clean_dir / "indicators.parquet", spatial_outputs(study))
    return study


def test_outputs_are_one_matrix_per_weights_entry_and_the_map_shapes(study):
    folder = study.clean_dir / "spatial"
    assert spatial_outputs(study) == {
        "weights:queen": folder / "queen.npz",
        "weights:knn4": folder / "knn4.npz",
        "map_shapes": folder / "map_shapes.parquet",
    }
    assert all(path.is_file() for path in spatial_outputs(study).values())


def test_read_weights_gives_the_built_matrix_entry_for_entry(study):
    frame = pd.read_parquet(study.clean_dir / "indicators.parquet")
    for name in ("queen", "knn4"):
        built, read = steps.study_weights(study, name, frame), read_weights(study, name)
        assert read.id_order == built.id_order and isinstance(read.id_order[0], int)
        for part in ("data", "indices", "indptr"):
            assert np.array_equal(getattr(read.sparse, part), getattr(built.sparse, part))
        assert read.neighbors == built.neighbors and read.weights == built.weights


def test_same_matrix_gives_the_same_bytes(study, tmp_path):
    again = tmp_path / "again.npz"
    write_weights(read_weights(study, "queen"), again)
    assert again.read_bytes() == (study.clean_dir / "spatial" / "queen.npz").read_bytes()


def test_map_shapes_are_the_level_polygons_with_taiwan_hong_kong_macao(study):
    from clusterdx.regions import geometry

    shapes = read_map_shapes(study)
    expected = geometry("province", include_sar_taiwan=True)
    assert shapes["code"].tolist() == expected["code"].tolist()
    assert shapes.crs == expected.crs
    assert shapes.geometry.geom_equals_exact(expected.geometry, tolerance=0).all()


def test_models_step_reads_the_spatial_steps_file(study, monkeypatch):
    """The models step takes W from the spatial step's product, it builds none itself: a matrix
    written in place of queen.npz (here the knn4 one) is what the spatial model gets."""
    write_weights(read_weights(study, "knn4"), study.clean_dir / "spatial" / "queen.npz")
    seen = {}

    def fake_fit(*args, **kwargs):
        seen.update(kwargs)
        raise RuntimeError("stop")

    def no_build(*args):
        raise AssertionError("the models step built a weights matrix")

    monkeypatch.setattr(steps.spatial, "fit", fake_fit)
    monkeypatch.setattr(steps, "study_weights", no_build)
    monkeypatch.setattr(steps, "read_cluster_panel", lambda study: None)
    with pytest.raises(RuntimeError, match="stop"):
        steps.fit_models(study, study.clean_dir / "indicators.parquet")
    knn = read_weights(study, "knn4")
    assert (seen["w"].sparse != knn.sparse).nnz == 0
    assert weights.check(seen["w"]).n == 31


def test_missing_product_names_the_step(study):
    (study.clean_dir / "spatial" / "queen.npz").unlink()
    with pytest.raises(
        StudySpecError, match=r"\[weights.queen\]: no matrix at .*queen.npz; the spatial step"
    ):
        read_weights(study, "queen")
