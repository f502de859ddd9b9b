"""clusterdx.compute.backends: same ordered results on both backends, progress, configuration errors."""

from __future__ import annotations

import math

import pytest

from clusterdx.compute import LocalBackend, from_spec, map_partitions, open_backend
from clusterdx.errors import StudySpecError
from clusterdx.study import Compute


def test_results_in_partition_order_on_both_backends(local_pool, dask_cluster):
    # a lazy generator longer than the window (2 x 2 workers): all taken, order kept
    expected = [1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800]
    for backend in (local_pool, dask_cluster):
        got = map_partitions(math.factorial, (n for n in range(11)), backend, progress=False)
        assert got == expected


def test_inline_local_backend_runs_in_process():
    with LocalBackend(workers=1) as inline:
        assert inline.workers == 1
        assert map_partitions(abs, [-3, 2, -1], inline, progress=False) == [3, 2, 1]


def test_backend_by_name_is_started_and_closed():
    assert map_partitions(len, ["ab", "", "abc"], "local", progress=False) == [2, 0, 3]


@pytest.mark.parametrize("which", ["local", "dask"])
def test_progress_bar_on_stderr(which, local_pool, dask_cluster, capsys):
    backend = local_pool if which == "local" else dask_cluster
    map_partitions(abs, [-1, -2, -3], backend, progress=True, desc="demo step")
    err = capsys.readouterr().err
    assert f"demo step [{which}]" in err
    assert "3/3" in err


def test_worker_exception_reaches_the_caller(local_pool, dask_cluster):
    for backend in (local_pool, dask_cluster):
        with pytest.raises(ValueError, match="invalid literal for int"):
            map_partitions(int, ["1", "x", "3"], backend, progress=False)


def test_unreachable_scheduler_names_address_and_fix():
    # how long it takes to give up is timed by benchmarks/bench_scheduler_timeout.py
    with pytest.raises(StudySpecError) as info:
        open_backend("dask", scheduler="tcp://127.0.0.1:9", timeout=1)
    message = str(info.value)
    assert "compute.scheduler 'tcp://127.0.0.1:9'" in message
    assert "no Dask scheduler answered within 1 s" in message
    assert "dask scheduler" in message


def test_bad_backend_options_are_named():
    with pytest.raises(StudySpecError, match=r"compute.backend must be one of \['local', 'dask'\]"):
        open_backend("spark")
    with pytest.raises(
        StudySpecError, match=r'compute.scheduler .* only used with backend = "dask"'
    ):
        open_backend("local", scheduler="tcp://10.0.0.5:8786")
    with pytest.raises(StudySpecError, match=r"compute\.workers must be >= 1"):
        open_backend("local", workers=0)


def test_from_spec_starts_the_declared_backend():
    with from_spec(Compute(backend="local", workers=1)) as backend:
        assert (backend.name, backend.workers) == ("local", 1)
