"""`clusterdx.tasks.checks`: robustness ``drop_entities`` codes of enclosing units."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusterdx import regions
from clusterdx.errors import StudySpecError
from clusterdx.study import Study
from clusterdx.tasks.analyses import _robustness
from clusterdx.tasks.checks import check_spec_against_panel, dropped_regions

MUNICIPALITIES = [110000, 120000, 310000, 500000]


def _study(level: str, drop: list[int | str], own: bool = False) -> Study:
    raw = {
        "study": {"name": "d", "years": [2020, 2022], "level": level, "language": "en"},
        "tables": {"formats": ["md"]},
        "sources": [{"name": "m", "file": "m.csv", "region": "region"}],
        "models": [{"kind": "panel", "name": "fe", "formula": "y ~ x"}],
        "robustness": {"base": "fe", "variants": [{"name": "剔除直辖市", "drop_entities": drop}]},
    }
    if own:
        raw["regions"] = {"file": "regions.csv"}
    return Study.from_dict(raw, Path("study.toml"))


def _frame(codes: list[int | str]) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        [(c, t) for c in codes for t in (2020, 2021, 2022)], columns=["region", "year"]
    )
    frame["x"] = rng.normal(size=len(frame))
    frame["y"] = frame["x"] + rng.normal(size=len(frame))
    return frame


@pytest.fixture(scope="module")
def counties() -> pd.DataFrame:
    return regions.counties()


def test_municipality_codes_drop_their_counties(counties):
    """At county level the four municipalities' province codes drop every county inside them."""
    inside = counties.loc[counties["province_code"].isin(MUNICIPALITIES), "code"]
    sample = [*inside.head(6), *counties.loc[counties["province_code"] == 130000, "code"].head(4)]
    members = dropped_regions(
        _study("county", MUNICIPALITIES), MUNICIPALITIES, {str(c) for c in sample}
    )
    assert sorted(r for rs in members.values() for r in rs) == sorted(
        str(c) for c in sample if c in set(inside)
    )


def test_city_code_drops_its_counties_and_own_codes_stay_exact(counties):
    city = int(counties.loc[counties["province_code"] == 130000, "city_code"].iloc[0])
    inside = counties.loc[counties["city_code"] == city, "code"].astype(str).tolist()
    panel = set(inside) | {"110101"}
    assert dropped_regions(_study("county", [city]), [city], panel) == {city: sorted(inside)}
    # a study's own regions have no hierarchy: only exact codes
    assert dropped_regions(_study("county", [city], own=True), [city], panel) == {city: []}
    # at province level a code is a province
    assert dropped_regions(_study("province", [110000]), [110000], {"110000"}) == {
        110000: ["110000"]
    }


def test_check_names_the_codes_that_drop_nothing(counties):
    sample = counties["code"].head(20).tolist()
    frame = _frame(sample)
    check_spec_against_panel(_study("county", [110000, 120000]), frame)  # Beijing, Tianjin
    with pytest.raises(StudySpecError) as err:
        check_spec_against_panel(_study("county", [110000, 990000]), frame)
    assert str(err.value).startswith(
        "key 'robustness.variants.0.drop_entities' (剔除直辖市): [990000] are not regions of the "
        "panel; use region codes such as"
    )
    assert str(err.value).endswith("or codes of the provinces or cities that contain them")


def test_robustness_variant_estimates_without_the_enclosed_regions(counties, tmp_path):
    """The variant's sample is the panel without Beijing's counties (its N counts them out)."""
    beijing = counties.loc[counties["province_code"] == 110000, "code"].tolist()
    hebei = counties.loc[counties["province_code"] == 130000, "code"].head(30).tolist()
    frame = _frame(beijing + hebei)
    study = _study("county", [110000])
    _robustness(study, frame, tmp_path)
    rows = (tmp_path / "robustness.md").read_text(encoding="utf-8").splitlines()
    assert f"| Observations | {len(frame)} | {3 * len(hebei)} |" in rows


def test_own_regions_with_text_codes_are_dropped_by_those_codes():
    """A study's own regions may have text codes (NUTS, names): ``drop_entities`` takes them, the
    check names the one that is not a region, and the variant's sample leaves them out."""
    study = _study("province", ["DE11", "DE12"], own=True)
    assert study.spec.robustness.variants[0].drop_entities == ["DE11", "DE12"]
    panel = {"DE11", "DE12", "DE13", "FR10"}
    assert dropped_regions(study, ["DE11", "DE12", 110000], panel) == {
        "DE11": ["DE11"],
        "DE12": ["DE12"],
        110000: [],
    }
    frame = _frame(sorted(panel))
    check_spec_against_panel(study, frame)
    with pytest.raises(StudySpecError, match=r"\['XX99'\] are not regions of the panel"):
        check_spec_against_panel(_study("province", ["DE11", "XX99"], own=True), frame)
