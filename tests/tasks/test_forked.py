"""clusterdx.tasks.forked: independent parts of a step on forked workers, results in job order."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types
import warnings

import pytest

from clusterdx.errors import ClusterDXError, EstimationError
from clusterdx.tasks import forked
from clusterdx.tasks.forked import Jobs

from ..conftest import copy_of_built_demo


@pytest.fixture
def forking(monkeypatch):
    """Workers forked from this test process even where another test ran pyfixest or numba's
    parallel layer here (the jobs below use neither); skipped where ``fork`` is not used (not
    Linux)."""
    monkeypatch.setattr(forked, "thread_pools_in_use", lambda: False)
    if not forked.can_fork():
        pytest.skip("clusterdx forks workers on Linux only")


def _pid_after(label: str) -> tuple[str, int]:
    return label, os.getpid()


def test_jobs_run_in_other_processes_and_come_back_in_order(forking):
    labels = [f"job{i}" for i in range(7)]
    values = Jobs([lambda s=s: _pid_after(s) for s in labels], workers=2, step="test").results()
    assert [label for label, _ in values] == labels
    assert os.getpid() not in {pid for _, pid in values}


def test_a_single_job_alongside_this_process_gets_a_worker(forking):
    (value,) = Jobs([lambda: os.getpid()], workers=2, step="test", alongside=True).results()
    assert value != os.getpid()


def test_one_worker_runs_the_jobs_here_when_results_are_asked_for():
    ran: list[int] = []
    jobs = Jobs([lambda i=i: ran.append(i) or os.getpid() for i in range(3)], 1, step="test")
    assert ran == []  # nothing ran yet
    assert Jobs([lambda: os.getpid()], workers=4, step="test").results() == [os.getpid()]
    advanced: list[None] = []
    assert jobs.results(lambda: advanced.append(None)) == [os.getpid()] * 3
    assert ran == [0, 1, 2] and len(advanced) == 3


def _warns() -> int:
    warnings.warn("a note from the worker", UserWarning, stacklevel=1)
    return 1


def test_a_workers_warning_is_raised_again_here(forking):
    with pytest.warns(UserWarning, match="a note from the worker"):
        assert Jobs([_warns, _warns], workers=2, step="test").results() == [1, 1]


def _fails() -> None:
    raise EstimationError("the second part cannot be estimated")


def test_a_workers_error_reaches_the_caller_with_its_class_and_message(forking):
    with pytest.raises(EstimationError, match="the second part cannot be estimated"):
        Jobs([lambda: 1, _fails, lambda: 3], workers=2, step="test").results()


def test_a_worker_that_dies_is_a_clear_error_naming_the_step_and_the_fix(forking):
    with pytest.raises(ClusterDXError, match=r"analyses step .*\[compute\] workers = 1"):
        Jobs([lambda: os._exit(3), lambda: 2], workers=2, step="analyses").results()


@pytest.mark.parametrize("module", ["pyfixest", "polars"])
def test_no_fork_once_a_library_with_its_own_thread_pool_is_loaded(monkeypatch, module):
    """A worker forked after pyfixest's rayon pool ran waits forever for its threads (seen in the
    pipeline tests): with such a module loaded the jobs run here."""
    monkeypatch.setitem(sys.modules, module, types.ModuleType(module))
    assert not forked.can_fork()
    assert Jobs([os.getpid, os.getpid], workers=2, step="test").results() == [os.getpid()] * 2


_STEPS_ON_WORKERS = """
import sys
from clusterdx.study import Study
from clusterdx.tasks import forked
from clusterdx.tasks.analyses import run_analyses
from clusterdx.tasks.steps import fit_models

forked.available_cpus = lambda: 2  # two workers even on a one-core machine
assert forked.can_fork(), "a fresh process may fork"
study = Study.load(sys.argv[1])
indicators = study.clean_dir / "indicators.parquet"
for path in [*fit_models(study, indicators), *run_analyses(study, indicators)]:
    print(path.relative_to(study.reports_dir).as_posix())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_the_steps_on_forked_workers_write_the_sequential_builds_bytes(built_demo, tmp_path):
    """The models and analyses steps of the demo, rerun in a fresh process (which forks: nothing
    fork-unsafe is loaded there) with two workers, write every table and figure byte for byte as
    the session's build (``test_pipeline.py`` compares that build with one that ran every part in
    one process)."""
    copy = copy_of_built_demo(built_demo, tmp_path / "study")
    shutil.rmtree(copy.reports_dir)
    done = subprocess.run(
        [sys.executable, "-c", _STEPS_ON_WORKERS, str(copy.path)],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    written = done.stdout.split()
    assert len(written) > 50 and any(p.startswith("figures/lisa_") for p in written)
    for name in written:
        assert (copy.reports_dir / name).read_bytes() == (
            built_demo.reports_dir / name
        ).read_bytes(), name


def test_a_step_that_fails_before_the_results_stops_its_workers(forking):
    """``with Jobs(...)``: the step's own error propagates and no worker outlives the step."""
    import multiprocessing
    import time

    before = set(multiprocessing.active_children())  # other tests' processes on this worker
    failing = pytest.raises(RuntimeError, match="a fit failed")
    with failing, Jobs([lambda: time.sleep(0.2)], workers=2, step="test", alongside=True):
        started = set(multiprocessing.active_children()) - before
        assert started  # the worker is running
        raise RuntimeError("a fit failed")
    assert not started & set(multiprocessing.active_children())
