"""The default study recovers the demo's data-generating process (``data_raw/demo/truth.json``).

The demo study is built once through the pipeline (raw files → clean panel → indicators → models →
reports) in a temporary folder. Its estimates are compared with the truth on the scale stated in
``data_raw/demo/README.md``: the driver indicators move by ``PROXY_SLOPE`` per unit of their latent
driver and the entropy composite ``dt`` by b per unit of latent dt, so a slope on the study's scale
estimates (b / PROXY_SLOPE) β; ρ is unit-free. b is measured here from the generator's latent dt,
never taken from the estimates.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from clusterdx import panel, spatial
from clusterdx.data.demo import DRIVERS, PROXY_SLOPE, simulate
from clusterdx.study import Study
from clusterdx.tasks.steps import study_weights

from .conftest import REPO

pytestmark = pytest.mark.slow


def _within(values: pd.Series, frame: pd.DataFrame) -> pd.Series:
    """Two-way within transform (balanced panel): x − x̄_i − x̄_t + x̄."""
    region = values.groupby(frame["region"]).transform("mean")
    year = values.groupby(frame["year"]).transform("mean")
    return values - region - year + values.mean()


@pytest.fixture(scope="module")
def built(built_demo) -> Study:
    return built_demo  # built once per session (tests/conftest.py)


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((REPO / "data_raw" / "demo" / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def frame(built, truth) -> pd.DataFrame:
    """The pipeline's indicators with the generator's latent values alongside."""
    indicators = pd.read_parquet(built.clean_dir / "indicators.parquet")
    latent = simulate(seed=truth["seed"])["region_year"]
    columns = ["region", "year", "dt_latent", *(f"{k}_latent" for k in DRIVERS)]
    merged = indicators.merge(latent[columns], on=["region", "year"], validate="1:1")
    assert len(merged) == len(indicators) == 31 * 13
    return merged


@pytest.fixture(scope="module")
def dt_unit(frame) -> float:
    """b: within-slope of the entropy composite dt on the latent dt."""
    x, y = _within(frame["dt_latent"], frame), _within(frame["dt"], frame)
    return float((x * y).sum() / (x * x).sum())


@pytest.fixture(scope="module")
def by_type(built, frame):
    spec = next(a for a in built.spec.analyses if a.name == "heterogeneity_cluster_type")
    res = panel.heterogeneity(
        frame,
        spec.formula,
        spec.group,
        entity="region",
        time="year",
        effects=spec.effects,
        cov=spec.cov,
    )
    return res.subsamples


def test_indicators_measure_the_latent_drivers_on_the_stated_scale(frame, dt_unit):
    for k in DRIVERS:
        x, y = _within(frame[f"{k}_latent"], frame), _within(frame[k], frame)
        assert float((x * y).sum() / (x * x).sum()) == pytest.approx(PROXY_SLOPE, rel=0.03), k
        assert np.corrcoef(x, y)[0, 1] > 0.99, k
    x, y = _within(frame["dt_latent"], frame), _within(frame["dt"], frame)
    assert np.corrcoef(x, y)[0, 1] > 0.99
    assert 0.0 < dt_unit < 1.0


def test_cluster_types_are_the_truth(frame, truth):
    types = frame.drop_duplicates("region").set_index("region")["cluster_type"]
    assert {str(r): t for r, t in types.items()} == truth["cluster_type"]


def test_type_specific_drivers_have_the_signs_and_ranking_of_the_truth(by_type, truth):
    assert set(by_type) == set(truth["beta"])
    for group, beta in truth["beta"].items():
        fit = by_type[group]
        for k in DRIVERS:
            if beta[k] >= 0.3:  # the seeded drivers: positive and significant
                assert fit.params[k] > 0 and fit.pvalues[k] < 0.01, (group, k)
            if beta[k] >= 0.1:
                assert fit.params[k] > 0, (group, k)
        for j in DRIVERS:  # every pair the truth separates by at least 0.15 keeps its order
            for k in DRIVERS:
                if beta[j] - beta[k] >= 0.15:
                    assert fit.params[j] > fit.params[k], (group, j, k)
        top = max(beta, key=beta.get)
        assert fit.params[list(DRIVERS)].idxmax() == top, group


def test_type_specific_drivers_match_the_truth_within_three_standard_errors(
    by_type, truth, dt_unit
):
    scale = dt_unit / PROXY_SLOPE
    for group, beta in truth["beta"].items():
        fit = by_type[group]
        for k in DRIVERS:
            gap = abs(fit.params[k] - scale * beta[k]) / fit.bse[k]
            assert gap < 3.0, (group, k, fit.params[k], scale * beta[k], fit.bse[k])


def test_sdm_rho_confidence_interval_covers_the_true_rho(built, frame, truth):
    spec = next(m for m in built.spec.models if m.name == "sdm_twoways")
    res = spatial.fit(
        frame,
        y=spec.y,
        x=spec.x,
        w=study_weights(built, spec.weights, frame),
        entity="region",
        time="year",
        model=spec.model,
        effects=spec.effects,
        bias_correction=spec.bias_correction,
        convention=spec.convention,
    )
    low, high = res.rho - 1.96 * res.bse["rho"], res.rho + 1.96 * res.bse["rho"]
    assert low < truth["rho"] < high, (res.rho, res.bse["rho"])


def test_heterogeneity_table_shows_the_seeded_drivers(built, truth):
    lines = (built.reports_dir / "tables" / "heterogeneity_cluster_type.md").read_text(
        encoding="utf-8"
    )
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in lines.splitlines()
        if line.startswith("|")
    ]
    header = next(r for r in rows if r[0] in ("变量", "Variable"))
    depvar = next(
        (i for i, r in enumerate(rows) if r[0] in ("被解释变量", "Dependent variable")), None
    )
    if depvar is not None:  # the column titles sit in the row below the dependent variable
        header = rows[depvar + 1]
    # the table shows the group levels by their labels (共生型 / 附生型 / 寄生型 in Chinese)
    shown = {"symbiotic": "共生型", "epiphytic": "附生型", "parasitic": "寄生型"}
    for group, beta in truth["beta"].items():
        column = header.index(group if group in header else shown[group])
        for k in DRIVERS:
            if beta[k] >= 0.3:
                row = next(r for r in rows if r[0] == built.label(k))
                cell = row[column]
                assert not cell.startswith("-") and cell.endswith("***"), (group, k, cell)
