"""The pipeline reruns when a study's own region table, polygons or weights file change."""

from __future__ import annotations

from clusterdx.study import Study
from clusterdx.tasks import fingerprints


def _study(tmp_path, regions: bool = True) -> Study:
    spec = {
        "study": {"name": "x", "years": [2020, 2021]},
        "paths": {"root": ".", "raw": "."},
        "sources": [],
        "weights": {"own": {"type": "file", "file": "w.csv"}},
    }
    if regions:
        spec["regions"] = {"file": "regions.csv", "geometry": "shapes.shp"}
    return Study.from_dict(spec, tmp_path / "study.toml")


def test_fingerprints_follow_the_files(tmp_path):
    study = _study(tmp_path)
    (tmp_path / "regions.csv").write_text("code,name\nA,a\n", encoding="utf-8")
    (tmp_path / "w.csv").write_text("id,A\nA,0\n", encoding="utf-8")
    before = fingerprints.region_inputs(study), fingerprints.weights_files(study)
    assert before[0]["files"]["shapes.shp"] == "missing"
    (tmp_path / "shapes.dbf").write_bytes(b"attributes")  # a shapefile's sibling counts too
    (tmp_path / "shapes.shp").write_bytes(b"polygons")
    middle = fingerprints.region_inputs(study)
    assert middle["files"]["shapes.shp"] != "missing"
    (tmp_path / "shapes.dbf").write_bytes(b"other attributes")
    assert fingerprints.region_inputs(study)["files"]["shapes.shp"] != middle["files"]["shapes.shp"]
    (tmp_path / "regions.csv").write_text("code,name\nA,b\n", encoding="utf-8")
    (tmp_path / "w.csv").write_text("id,A\nA,1\n", encoding="utf-8")
    after = fingerprints.region_inputs(study), fingerprints.weights_files(study)
    assert after[0]["files"]["regions.csv"] != before[0]["files"]["regions.csv"]
    assert after[1]["own"] != before[1]["own"]
    assert fingerprints.region_inputs(_study(tmp_path, regions=False)) == {}
