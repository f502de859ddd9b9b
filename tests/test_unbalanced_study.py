"""Acceptance: the demo study with 西藏 missing 2013-14 keeps an unbalanced panel, runs its panel
models, and refuses the spatial ones with a message naming the gaps and the keys that settle them.
"""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

import clusterdx as cdx
from clusterdx.data.balance import require_balanced
from clusterdx.errors import PanelError
from clusterdx.tasks.steps import fit_models

from .conftest import REPO, invoke

MESSAGE = (
    "needs a balanced panel, but 2 region-year(s) are missing: 540000 西藏自治区: 2013, 2014. "
    "Declare how to balance it in the study file: [study].exclude_regions = [540000] drops these "
    'regions from the whole study, or [cleaning].balance = "drop_regions" (every region with a '
    'gap) or "drop_years" (every year with a gap); both are recorded in audit.json'
)


@pytest.fixture(scope="module")
def tibet_study(tmp_path_factory):
    """The default study on a copy of the demo data without 西藏's 2013 and 2014 innovation rows."""
    root = tmp_path_factory.mktemp("tibet")
    (root / "analysis").mkdir()
    shutil.copy(REPO / "analysis" / "study.toml", root / "analysis" / "study.toml")
    shutil.copytree(REPO / "data_raw" / "demo", root / "data_raw" / "demo")
    path = root / "data_raw" / "demo" / "innovation_gbk.csv"
    frame = pd.read_csv(path, encoding="gbk", dtype=str, keep_default_na=False)
    gone = frame["地区"].str.startswith("西藏") & frame["年份"].isin(["2013", "2014"])
    assert gone.sum() == 2
    frame[~gone].to_csv(path, index=False, encoding="gbk")
    return root / "analysis" / "study.toml"


@pytest.mark.slow
def test_panel_is_kept_unbalanced_and_audited(tibet_study):
    panel, audit = cdx.data.build_panel(cdx.Study.load(tibet_study))
    assert len(panel) == 31 * 13 - 2
    entry = audit.to_dict()["tables"]["panel"]
    assert entry["balanced"] is False
    assert [(m["region"], m["year"]) for m in entry["missing_region_years"]] == [
        (540000, 2013),
        (540000, 2014),
    ]
    assert entry["missing_region_years"][0]["from"] == ["innovation"]
    fe = cdx.panel.fit(panel, "gdp ~ population + retail", entity="region", time="year", model="fe")
    assert fe.nobs == 401
    with pytest.raises(PanelError, match="^" + re.escape("spatial model 'sar' " + MESSAGE) + "$"):
        require_balanced(cdx.Study.load(tibet_study), panel, "spatial model 'sar'")


@pytest.mark.slow
def test_pipeline_runs_panel_models_and_refuses_spatial_ones(tibet_study):
    result = invoke(["run", "--study", str(tibet_study)])
    assert result.exit_code == 1
    # the first failing step is reported: the models step or the analyses step (threshold)
    assert re.search(
        r"PanelError: (spatial model 'sar_twoways'|threshold analysis 'threshold_demand' "
        r"\(Hansen 1999\)) " + re.escape(MESSAGE),
        result.output,
    ), result.output[-2000:]
    root = tibet_study.parents[1]
    study = cdx.Study.load(tibet_study)
    with pytest.raises(PanelError, match=re.escape("spatial model 'sar_twoways' " + MESSAGE)):
        fit_models(study, root / "data_clean" / "indicators.parquet")
    frame = pd.read_parquet(root / "data_clean" / "indicators.parquet")
    spec = next(m for m in cdx.Study.load(tibet_study).spec.models if m.kind == "panel")
    fe = cdx.panel.fit(
        frame,
        spec.formula,
        entity="region",
        time="year",
        model=spec.model,
        effects=spec.effects,
        cov=spec.cov,
    )
    assert fe.nobs == 401
