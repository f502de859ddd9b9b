"""clusterdx.study: the default study validates; bad keys and values fail with the key and allowed values."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from clusterdx.errors import StudySpecError
from clusterdx.study import Study

from .conftest import REPO

DEFAULT = REPO / "analysis" / "study.toml"


@pytest.fixture
def raw_spec() -> dict:
    return tomllib.loads(DEFAULT.read_text(encoding="utf-8"))


def test_default_study_loads_and_resolves_paths():
    study = Study.load(DEFAULT)
    assert study.spec.study.years == (2011, 2023)
    assert study.raw_dir == REPO / "data_raw" / "demo"
    assert study.label("dt", "en") == "Cluster digital transformation"
    assert study.label("dt", "zh") == "集群数字化转型水平"


def test_unknown_key_is_named(raw_spec):
    raw_spec["study"]["langauge"] = "en"
    with pytest.raises(StudySpecError, match=r"study\.toml: unknown key 'study\.langauge'"):
        Study.from_dict(raw_spec, DEFAULT)


def test_bad_value_lists_allowed_values(raw_spec):
    raw_spec["models"][0]["effects"] = "entity"
    with pytest.raises(
        StudySpecError,
        match=r"key 'models\.0\.panel\.effects': Input should be 'individual', "
        r"'time' or 'twoways'; got 'entity'",
    ):
        Study.from_dict(raw_spec, DEFAULT)


def test_bad_cleaning_policy(raw_spec):
    raw_spec["cleaning"]["missing"] = "zero"
    with pytest.raises(
        StudySpecError,
        match=r"key 'cleaning\.missing': Input should be 'error', 'drop' or "
        r"'interpolate'; got 'zero'",
    ):
        Study.from_dict(raw_spec, DEFAULT)


def test_undeclared_variable_in_source(raw_spec):
    raw_spec["sources"][1]["variables"]["exports"] = {"column": "出口", "unit": "亿元"}
    with pytest.raises(
        StudySpecError,
        match=r"source 'innovation' declares variable 'exports' that has no "
        r"\[variables\.exports\] entry",
    ):
        Study.from_dict(raw_spec, DEFAULT)


def test_unknown_weights_in_model(raw_spec):
    raw_spec["models"].append(
        {"kind": "spatial", "name": "sdm", "y": "dt", "x": ["demand"], "weights": "knn"}
    )
    with pytest.raises(
        StudySpecError, match=r"model 'sdm' uses weights 'knn'; defined weights: \['queen'\]"
    ):
        Study.from_dict(raw_spec, DEFAULT)


def test_indicator_recipe_incomplete(raw_spec):
    raw_spec["indicators"]["dt"] = {"method": "entropy"}
    with pytest.raises(
        StudySpecError, match=r"key 'indicators\.dt': Value error, method 'entropy' needs positive"
    ):
        Study.from_dict(raw_spec, DEFAULT)


def test_missing_file_and_bad_toml(tmp_path: Path):
    with pytest.raises(StudySpecError, match="does not exist"):
        Study.load(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[study\nname = 1", encoding="utf-8")
    with pytest.raises(StudySpecError, match=r"bad\.toml: not valid TOML"):
        Study.load(bad)


def test_section_hash_changes_only_with_its_section(raw_spec):
    a = Study.from_dict(raw_spec, DEFAULT)
    raw_spec["tables"]["digits"] = 4
    b = Study.from_dict(raw_spec, DEFAULT)
    assert a.section_hash("sources") == b.section_hash("sources")
    assert a.section_hash("tables") != b.section_hash("tables")


def test_overrides_set_keys_before_validation():
    study = Study.load(
        DEFAULT,
        overrides=[
            'study.level="county"',
            "study.years=[2015, 2020]",
            'paths.raw="data_raw/demo_county"',
        ],
    )
    assert study.spec.study.level == "county"
    assert study.spec.study.years == (2015, 2020)
    assert study.raw_dir == REPO / "data_raw" / "demo_county"


def test_bad_overrides_are_named():
    with pytest.raises(StudySpecError, match=r"override 'study\.level' is not KEY=VALUE"):
        Study.load(DEFAULT, overrides=["study.level"])
    with pytest.raises(
        StudySpecError,
        match=r"override 'study\.level=county': 'county' is not a TOML value; "
        r"quote strings",
    ):
        Study.load(DEFAULT, overrides=["study.level=county"])
    with pytest.raises(
        StudySpecError,
        match=r"key 'study\.level': Input should be 'province', 'city' or "
        r"'county'; got 'village'",
    ):
        Study.load(DEFAULT, overrides=['study.level="village"'])


def test_weights_file_needs_a_file_and_allowed_transforms(raw_spec):
    raw_spec["weights"]["own"] = {"type": "file"}
    with pytest.raises(
        StudySpecError,
        match=r"key 'weights\.own': Value error, type = \"file\" needs file = ",
    ):
        Study.from_dict(raw_spec, DEFAULT)
    raw_spec["weights"]["own"] = {"type": "file", "file": "w.csv", "transform": "r"}
    with pytest.raises(
        StudySpecError,
        match=r"key 'weights\.own\.transform': Input should be 'row' or 'none'; got 'r'",
    ):
        Study.from_dict(raw_spec, DEFAULT)


def test_regions_balance_and_exclusions_validate(raw_spec):
    raw_spec["regions"] = {"file": "regions.csv", "geometry": "us48.shp"}
    raw_spec["study"]["exclude_regions"] = ["西藏", 110000]
    raw_spec["cleaning"]["balance"] = "drop_years"
    spec = Study.from_dict(raw_spec, DEFAULT).spec
    assert spec.regions.code_column == "code" and spec.study.exclude_regions == ["西藏", 110000]
    raw_spec["cleaning"]["balance"] = "drop"
    with pytest.raises(
        StudySpecError,
        match=r"key 'cleaning\.balance': Input should be 'error', 'drop_regions' or 'drop_years'",
    ):
        Study.from_dict(raw_spec, DEFAULT)
    raw_spec["cleaning"]["balance"] = "error"
    raw_spec["regions"]["key"] = "x"
    with pytest.raises(StudySpecError, match=r"unknown key 'regions\.key'"):
        Study.from_dict(raw_spec, DEFAULT)
