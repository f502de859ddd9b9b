"""The file-reading indicator recipes (firm_aggregate, text_keywords) on the ``[compute]`` backend."""

from __future__ import annotations

import tomllib
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import DataError
from clusterdx.indicators import compute_indicators
from clusterdx.indicators.recipes import text_keyword_index
from clusterdx.study import Compute, Indicator, Study

from ..conftest import REPO

PANEL = pd.DataFrame({"region": [1, 1, 2, 2], "year": [2020, 2021, 2020, 2021]})
FIRMS = pd.DataFrame(
    {
        "firm": ["000001", "000002", "000003", "000001", "000002", "000003"],
        "year": [2020, 2020, 2020, 2021, 2021, 2021],
        "region": [1, 1, 2, 1, 1, 2],
        "revenue": [1.0, 3.0, 2.0, 1.0, 1.0, 5.0],
    }
)
# keyword counts of the documents below: 000001 2020: 1, 000002 2020: 3, 000003 2020: 0,
# 000001 2021: 7, 000002 2021: 0, 000003 2021: 2
TEXTS = {
    ("000001", 2020): "大数据",
    ("000002", 2020): "云计算与区块链，人工智能",
    ("000003", 2020): "无关文本",
    ("000001", 2021): "大数据" * 7,
    ("000002", 2021): "",
    ("000003", 2021): "区块链区块链",
}


@pytest.fixture
def project(tmp_path):
    docs = tmp_path / "data_raw" / "reports"
    docs.mkdir(parents=True)
    for (firm, year), text in TEXTS.items():
        (docs / f"{firm}_{year}.txt").write_text(text, encoding="utf-8")
    FIRMS.to_parquet(tmp_path / "data_raw" / "firms.parquet", row_group_size=2)
    return tmp_path


def _study(root, compute, **recipes):
    return SimpleNamespace(spec=SimpleNamespace(indicators=recipes, compute=compute), root=root)


def test_text_keywords_and_firm_aggregate_recipes(project):
    study = _study(
        project,
        Compute(backend="local", workers=1, documents_per_task=2, progress=False),
        dt=Indicator(
            method="text_keywords", file="data_raw/reports", source="firms", keyword_method="scan"
        ),
        dt_w=Indicator(
            method="text_keywords",
            file="data_raw/reports",
            source="firms",
            weight="revenue",
            keyword_method="scan",
        ),
        hhi=Indicator(
            method="firm_aggregate", file="data_raw/firms.parquet", value="revenue", aggregate="hhi"
        ),
    )
    got = compute_indicators(study, PANEL, {"firms": FIRMS})
    dt = np.log1p  # DT = ln(1 + count)
    # region 1, 2020: mean(DT(1), DT(3)); 2021: mean(DT(7), DT(0)); region 2: DT(0), DT(2)
    np.testing.assert_allclose(
        got["dt"], [(dt(1) + dt(3)) / 2, (dt(7) + 0) / 2, 0.0, dt(2)], rtol=1e-12
    )
    # weighted by revenue: (1·DT(1) + 3·DT(3)) / 4, (1·DT(7) + 1·DT(0)) / 2
    np.testing.assert_allclose(
        got["dt_w"], [(dt(1) + 3 * dt(3)) / 4, dt(7) / 2, 0.0, dt(2)], rtol=1e-12
    )
    # (1² + 3²)/4² = .625, (1 + 1)/2² = .5, one firm: 1
    np.testing.assert_allclose(got["hhi"], [0.625, 0.5, 1.0, 1.0], rtol=1e-12)


@pytest.mark.slow
def test_backend_selected_in_the_spec(project, capsys):
    study = _study(
        project,
        Compute(backend="dask", workers=2, documents_per_task=2),
        total=Indicator(
            method="firm_aggregate", file="data_raw/firms.parquet", value="revenue", aggregate="sum"
        ),
    )
    got = compute_indicators(study, PANEL, {})
    np.testing.assert_allclose(got["total"], [4.0, 2.0, 2.0, 5.0])
    assert "firm-year reduction [dask]" in capsys.readouterr().err


def test_recipe_errors_name_file_and_firms(project):
    compute = Compute(workers=1, progress=False)
    missing = _study(
        project, compute, x=Indicator(method="firm_aggregate", file="nope.parquet", value="v")
    )
    with pytest.raises(DataError, match=r"indicator 'x': file 'nope\.parquet' not found"):
        compute_indicators(missing, PANEL, {})
    counts = pd.DataFrame({"intensity": [1.0]}, index=pd.MultiIndex.from_tuples([("000009", 2020)]))
    with pytest.raises(DataError, match=r"1 document firm-year\(s\) are not in the firm table"):
        text_keyword_index(counts, FIRMS)
    with pytest.raises(DataError, match="duplicate firm-years"):
        text_keyword_index(counts, pd.concat([FIRMS, FIRMS]))


def test_recipes_from_a_loaded_study_resolve_paths_from_the_root(project):
    raw = tomllib.loads((REPO / "analysis" / "study.toml").read_text(encoding="utf-8"))
    raw["indicators"] = {
        "n_firms": {
            "method": "firm_aggregate",
            "file": "data_raw/*.parquet",
            "value": "revenue",
            "aggregate": "count",
        }
    }
    raw["compute"] = {"workers": 1, "progress": False}
    study = Study.from_dict(raw, project / "analysis" / "study.toml")
    got = compute_indicators(study, PANEL, {})
    assert got["n_firms"].tolist() == [2.0, 2.0, 1.0, 1.0]
