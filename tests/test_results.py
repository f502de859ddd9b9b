"""clusterdx.results: one contract for every estimation result, read by the report as such."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from clusterdx import panel
from clusterdx.panel.did import CallawaySantAnnaResult, EventStudyResult
from clusterdx.panel.iv import FirstStage, FixestResult
from clusterdx.panel.mechanisms import ModerationResult
from clusterdx.panel.threshold import ThresholdResult
from clusterdx.report import RegressionTable
from clusterdx.results import (
    FORWARDED,
    Covariance,
    EstimationResult,
    ForwardingResult,
    TestStatistic,
)
from clusterdx.spatial._results import SpatialPanelResults
from clusterdx.spatial.tests import SpecTestResult


@pytest.fixture(scope="module")
def toy() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "region": np.repeat(np.arange(8), 5),
            "year": np.tile(np.arange(2015, 2020), 8),
            "x": rng.normal(size=40),
            "z": rng.normal(size=40),
            "province": np.repeat(["a", "a", "b", "b", "c", "c", "d", "d"], 5),
        }
    )
    frame["y"] = 0.5 * frame["x"] + rng.normal(0, 0.2, 40)
    return frame


@pytest.mark.parametrize(
    "cls",
    [panel.PanelResult, SpatialPanelResults, FixestResult, FirstStage, CallawaySantAnnaResult],
)
def test_estimators_return_estimation_results(cls):
    assert issubclass(cls, EstimationResult)


@pytest.mark.parametrize("cls", [EventStudyResult, ModerationResult, ThresholdResult])
def test_wrappers_forward_the_contract(cls):
    assert issubclass(cls, ForwardingResult)


def test_a_wrapper_reads_its_fit(toy):
    res = panel.moderation(toy, "y", "x", "z", entity="region", time="year")
    for name in FORWARDED:
        assert getattr(res, name) is getattr(res.fit, name) or (
            getattr(res, name).equals(getattr(res.fit, name))
        )
    events = panel.event_study(
        toy.assign(first=np.where(toy["region"] < 4, 2017.0, np.nan)),
        "y", "first", entity="region", time="year", leads=2, lags=1,
    )  # fmt: skip
    assert events.model == "event study" and events.nobs == events.fit.nobs


def test_the_covariance_is_structured_and_still_its_description(toy):
    res = panel.fit(toy, "y ~ x", entity="region", time="year", cov="cluster", cluster="province")
    assert isinstance(res.cov_type, Covariance)
    assert (res.cov_type.kind, res.cov_type.cluster) == ("cluster", "province")
    assert res.cov_type.startswith("clustered by province (G = 4), CRV1 factor")
    assert res.covariance is res.cov_type
    robust = panel.fit(toy, "y ~ x", entity="region", time="year", cov="robust").cov_type
    assert (robust.kind, robust.describe("zh")) == ("robust", "异方差稳健标准误")
    assert robust.describe("en") == "heteroskedasticity-robust (White), factor n/(n−k−d)"


@pytest.mark.parametrize(
    "kind, cluster, zh",
    [
        ("unadjusted", None, "常规标准误"),
        ("cluster", "entity", "在个体层面聚类的稳健标准误"),
        ("cluster", "both", "在个体和时间层面聚类的稳健标准误"),
        ("cluster", "province", "在省份层面聚类的稳健标准误"),
        ("driscoll-kraay", None, "Driscoll-Kraay标准误"),
        ("information", None, "基于解析信息矩阵的极大似然标准误"),
    ],
)
def test_the_covariance_words_itself_in_chinese(kind, cluster, zh):
    assert (
        Covariance("words", kind=kind, cluster=cluster).describe("zh", {"province": "省份"}) == zh
    )


def test_the_table_note_reads_the_structure_not_the_prose(toy):
    res = panel.fit(toy, "y ~ x", entity="region", time="year", cov="cluster", cluster="province")
    note = RegressionTable([res], lang="zh", labels={"province": "省份"}).to_markdown()
    assert note.splitlines()[-1].endswith("；标准误为在省份层面聚类的稳健标准误。")
    # a foreign result's prose is printed as given: nothing parses English words
    foreign = SimpleNamespace(
        params=res.params, bse=res.bse, pvalues=res.pvalues, nobs=res.nobs,
        cov_type="clustered by province (G = 4)",
    )  # fmt: skip
    assert "clustered by province (G = 4)" in RegressionTable([foreign], lang="zh").to_markdown()


def test_one_test_statistic_type():
    test = SpecTestResult("LR test", 3.0, 2, 0.22, "rho = 0")
    assert isinstance(test, TestStatistic) and test.distribution == "chi2"
    assert str(test) == "LR test: chi2(2) = 3.0000, p = 0.22 (H0: rho = 0)"


def test_model_label():
    res = SimpleNamespace(model="fe")
    assert EstimationResult.model_label(res, "zh") == "固定效应"
