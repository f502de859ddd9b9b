"""clusterdx.tasks.kinds: a kind registered in one place runs through the whole pipeline."""

from __future__ import annotations

import pandas as pd
import pytest

from clusterdx.errors import StudySpecError
from clusterdx.study import Study
from clusterdx.tasks import kinds
from clusterdx.tasks.analyses import analysis_outputs
from clusterdx.tasks.pipeline import run


def _run_spread(study, a, frame, tables, figs):
    """The fake kind: the spread of ``y`` by year, as a Markdown table and a CSV."""
    spread = frame.groupby("year")[a.y].agg(["min", "max"])
    spread.to_csv(tables / f"{a.name}_spread.csv", lineterminator="\n")
    (tables / f"{a.name}.md").write_text(spread.to_markdown() + "\n", encoding="utf-8")
    return [tables / f"{a.name}_spread.csv", tables / f"{a.name}.md"]


@pytest.fixture
def spread_kind():
    kind = kinds.register_kind("spread", runner=_run_spread, required=("y",), csvs=("spread",))
    yield kind
    del kinds.KINDS["spread"]


STUDY = """
[study]
name = "fake kind"
years = [2020, 2021]

[paths]
root = "."
raw = "."

[variables.v]

[[sources]]
name = "v"
file = "v.csv"
region = "地区"
year = "年份"
variables = { v = { column = "v" } }

[[analyses]]
kind = "spread"
name = "spread_v"
y = "v"

[tables]
formats = ["md"]
"""


def _study(tmp_path) -> Study:
    rows = [
        ("北京市", 2020, 1.0),
        ("北京市", 2021, 2.0),
        ("天津市", 2020, 3.0),
        ("天津市", 2021, 5.0),
    ]
    pd.DataFrame(rows, columns=["地区", "年份", "v"]).to_csv(tmp_path / "v.csv", index=False)
    (tmp_path / "study.toml").write_text(STUDY, encoding="utf-8")
    return Study.load(tmp_path / "study.toml")


@pytest.mark.slow  # the whole pipeline (about 10 s here)
def test_a_registered_kind_runs_through_the_pipeline(tmp_path, spread_kind):
    study = _study(tmp_path)
    tables = study.reports_dir / "tables"
    assert analysis_outputs(study) == {
        "spread_v.md": tables / "spread_v.md",
        "spread_v_spread.csv": tables / "spread_v_spread.csv",
    }
    session = run(study, verbose=0)
    assert {r.outcome.name for r in session.execution_reports} == {"SUCCESS"}
    spread = pd.read_csv(tables / "spread_v_spread.csv", index_col="year")
    assert spread.to_dict("index") == {
        2020: {"min": 1.0, "max": 3.0},
        2021: {"min": 2.0, "max": 5.0},
    }
    assert "spread_v.md" in (study.reports_dir / "manifest.json").read_text(encoding="utf-8")


def test_the_spec_checks_a_registered_kinds_keys(tmp_path, spread_kind):
    with pytest.raises(StudySpecError, match=r"key 'analyses\.0': Value error, analysis kind "
                       r"'spread' needs y"):  # fmt: skip
        Study.from_dict(
            {"study": {"name": "x", "years": [2020, 2021]}, "sources": [],
             "analyses": [{"kind": "spread", "name": "s"}]},
            tmp_path / "study.toml",
        )  # fmt: skip


def test_an_unregistered_kind_names_the_registered_ones(tmp_path):
    with pytest.raises(StudySpecError) as err:
        Study.from_dict(
            {"study": {"name": "x", "years": [2020, 2021]}, "sources": [],
             "analyses": [{"kind": "spread", "name": "s"}]},
            tmp_path / "study.toml",
        )  # fmt: skip
    assert str(err.value) == (
        f"{tmp_path / 'study.toml'}: key 'analyses.0.kind': Value error, analysis kind 'spread' "
        f"is not one of {list(kinds.KINDS)}; got 'spread'"
    )


def test_a_kind_is_registered_once():
    with pytest.raises(StudySpecError, match="analysis kind 'did' is already registered"):
        kinds.register_kind("did", runner=_run_spread)
