"""clusterdx.data.balance: exclusions, balancing policies and the refusal message, on a tiny study."""

from __future__ import annotations

import re

import pytest

from clusterdx.data.balance import require_balanced
from clusterdx.data.panel import build_panel
from clusterdx.errors import PanelError, StudySpecError

from .conftest import GOOD_ROWS

# 天津 2021 missing: the panel keeps 8 region-years
GAPPY = [row for row in GOOD_ROWS if row[:2] != ("天津市", 2021)]


@pytest.mark.parametrize(
    ("spec", "regions", "years", "key", "value"),
    [
        (
            {"cleaning": {"balance": "drop_regions"}},
            [110000, 130000],
            [2020, 2021, 2022],
            "dropped_regions",
            [120000],
        ),
        (
            {"cleaning": {"balance": "drop_years"}},
            [110000, 120000, 130000],
            [2020, 2022],
            "dropped_years",
            [2021],
        ),
    ],
)
def test_balance_policy_drops_and_audits(make_study, spec, regions, years, key, value):
    panel, audit = build_panel(make_study(GAPPY, **spec))
    assert sorted(panel["region"].unique()) == regions
    assert sorted(panel["year"].unique()) == years
    entry = audit.to_dict()["tables"]["panel"]
    assert entry["balanced"] is True
    assert entry["balance"][key] == value
    assert entry["balance"]["rows_dropped"] == 8 - len(panel)
    assert entry["missing_region_years"] == [
        {"region": 120000, "year": 2021, "variables": ["gdp", "pop"], "from": ["macro"]}
    ]


def test_exclude_regions_by_name_is_audited(make_study):
    study = make_study(
        GAPPY, study={"name": "tiny", "years": [2020, 2022], "exclude_regions": ["天津"]}
    )
    panel, audit = build_panel(study)
    assert sorted(panel["region"].unique()) == [110000, 130000]
    entry = audit.to_dict()["tables"]["panel"]
    assert entry["excluded_regions"] == [{"region": 120000, "rows_dropped": 2}]
    assert entry["balanced"] is True and entry["missing_region_years"] == []


def test_unknown_excluded_region_is_a_spec_error(make_study):
    study = make_study(
        study={"name": "tiny", "years": [2020, 2022], "exclude_regions": ["Atlantis"]}
    )
    with pytest.raises(
        StudySpecError,
        match=r"\[study\]\.exclude_regions: 'Atlantis' is not a province-level code or name",
    ):
        build_panel(study)


def test_require_balanced_names_gaps_and_keys(make_study):
    study = make_study(GAPPY)
    panel, _ = build_panel(study)
    message = (
        "threshold analysis 'q' needs a balanced panel, but 1 region-year(s) are missing: "
        "120000 天津市: 2021. Declare how to balance it in the study file: "
        "[study].exclude_regions = [120000] drops these regions from the whole study, or "
        '[cleaning].balance = "drop_regions" (every region with a gap) or "drop_years" (every '
        "year with a gap); both are recorded in audit.json"
    )
    with pytest.raises(PanelError, match="^" + re.escape(message) + "$"):
        require_balanced(study, panel, "threshold analysis 'q'")
    balanced, _ = build_panel(make_study())
    assert require_balanced(study, balanced, "x") is None
