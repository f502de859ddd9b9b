"""clusterdx.indicators.system: the indicator system's weights are the ones the index is built with."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import StudySpecError
from clusterdx.indicators import compute_indicators, indicator_system
from clusterdx.study import Study


def _study(recipe: dict) -> Study:
    return Study.from_dict(
        {
            "study": {"name": "demo", "years": [2020, 2022]},
            "variables": {"ports": {"unit": "万个"}, "pop": {"unit": "万人"},
                          "fin": {"unit": "index"}, "smog": {"unit": "吨"}},
            "sources": [{"name": "s", "file": "s.csv", "region": "region", "variables": {
                v: {"column": v} for v in ("ports", "pop", "fin", "smog")}}],
            "indicators": {
                "ports_pc": {"method": "formula", "formula": "ports / pop"},
                "dt": {"method": "entropy", "positive": ["ports_pc", "fin"],
                       "negative": ["smog"], **recipe},
            },
        },
        Path("study.toml"),
    )  # fmt: skip


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {"region": np.repeat(np.arange(6), 3), "year": np.tile([2020, 2021, 2022], 6)}
    )
    for column in ("ports", "pop", "fin", "smog"):
        frame[column] = rng.uniform(1, 10, size=len(frame))
    return frame


def _rebuilt(frame: pd.DataFrame, weights: pd.Series) -> np.ndarray:
    """Σ_j w_j x'_ij written out from the entropy module's formula (min-max, shift 1e-4)."""
    out = np.zeros(len(frame))
    for name, weight in weights.items():
        x = frame[name]
        scaled = (x.max() - x) if name == "smog" else (x - x.min())
        out += weight * (scaled / (x.max() - x.min()) + 1e-4)
    return out


def test_pooled_weights_rebuild_the_index(panel):
    study = _study({})
    frame = compute_indicators(study, panel, {})
    system = indicator_system(study, frame)
    assert system["indicator"].tolist() == ["ports_pc", "fin", "smog"]
    assert system["direction"].tolist() == ["positive", "positive", "negative"]
    assert system["unit"].tolist() == ["万个/万人", "index", "吨"]
    assert system["dimension"].eq("dt").all() and system["weight"].sum() == pytest.approx(1)
    rebuilt = _rebuilt(frame, system.set_index("indicator")["weight"])
    np.testing.assert_allclose(rebuilt, frame["dt"], rtol=1e-12)


def test_by_year_weights_are_year_means_and_dimensions_order_rows(panel):
    dims = [{"name": "infra", "indicators": ["smog", "ports_pc"]},
            {"name": "use", "label_zh": "应用", "indicators": ["fin"]}]  # fmt: skip
    study = _study({"standardise": "by_year", "dimensions": dims})
    frame = compute_indicators(study, panel, {})
    system = indicator_system(study, frame)
    assert system["indicator"].tolist() == ["smog", "ports_pc", "fin"]
    assert system["dimension"].tolist() == ["infra", "infra", "use"]
    per_year = []
    for _, year in frame.groupby("year"):  # each year's weights rebuild that year's index
        weights = indicator_system(_study({}), year).set_index("indicator")["weight"]
        np.testing.assert_allclose(_rebuilt(year, weights), year["dt"], rtol=1e-12)
        per_year.append(weights)
    mean = pd.concat(per_year, axis=1).mean(axis=1)
    np.testing.assert_allclose(system.set_index("indicator")["weight"], mean[system["indicator"]])


@pytest.mark.parametrize(
    ("dims", "message"),
    [
        ([{"name": "a", "indicators": ["fin", "smog"]}],
         r"missing \['ports_pc'\], not a component \[\], listed twice \[\]"),
        ([{"name": "a", "indicators": ["fin", "smog", "ports_pc", "gdp", "fin"]}],
         r"missing \[\], not a component \['gdp'\], listed twice \['fin'\]"),
    ],
)  # fmt: skip
def test_dimensions_must_partition_the_components(dims, message):
    with pytest.raises(StudySpecError, match="dimensions must list each positive/negative "
                       "indicator exactly once: " + message):  # fmt: skip
        _study({"dimensions": dims})
