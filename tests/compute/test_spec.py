"""The ``[compute]`` section of the study spec and the file-reading indicator recipes."""

from __future__ import annotations

import tomllib

import pytest

from clusterdx.errors import StudySpecError
from clusterdx.study import Study

from ..conftest import REPO

DEFAULT = REPO / "analysis" / "study.toml"


def _load(**compute) -> Study:
    raw = tomllib.loads(DEFAULT.read_text(encoding="utf-8"))
    raw["compute"] = compute
    return Study.from_dict(raw, DEFAULT)


def test_defaults_run_locally():
    spec = _load().spec.compute
    assert (spec.backend, spec.scheduler, spec.workers) == ("local", None, None)
    assert (spec.partition_rows, spec.documents_per_task) == (1_000_000, 200)


def test_dask_with_scheduler_address():
    spec = _load(backend="dask", scheduler="tcp://10.0.0.5:8786", workers=8).spec.compute
    assert spec.scheduler == "tcp://10.0.0.5:8786"


@pytest.mark.parametrize(
    ("compute", "message"),
    [
        ({"backend": "spark"}, r"key 'compute.backend': Input should be 'local' or 'dask'"),
        ({"scheduler": "tcp://h:8786"}, r"key 'compute'.*only used with backend = \"dask\""),
        ({"backend": "dask", "scheduler": "h:8786"}, r"needs a protocol, e.g. 'tcp://"),
        ({"workers": 0}, r"key 'compute.workers': Input should be greater than or equal to 1"),
        ({"partition_rows": 0}, r"key 'compute.partition_rows'"),
        ({"backnd": "dask"}, r"unknown key 'compute.backnd'"),
    ],
)
def test_bad_compute_keys_are_named(compute, message):
    with pytest.raises(StudySpecError, match=message):
        _load(**compute)


def test_file_recipes_need_their_keys():
    raw = tomllib.loads(DEFAULT.read_text(encoding="utf-8"))
    raw["indicators"] = {"dt_text": {"method": "text_keywords", "file": "reports/"}}
    with pytest.raises(StudySpecError, match="method 'text_keywords' needs source"):
        Study.from_dict(raw, DEFAULT)
    raw["indicators"] = {"emp": {"method": "firm_aggregate", "value": "employment"}}
    with pytest.raises(StudySpecError, match="method 'firm_aggregate' needs file"):
        Study.from_dict(raw, DEFAULT)
