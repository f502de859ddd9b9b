"""Independent parts of a pipeline step run side by side in forked worker processes.

The models step's Moran's I / LISA outputs and the analyses step's ``[[analyses]]``, robustness
battery and spatial robustness each read the step's inputs and write their own files; nothing one
of them computes is used by another. `Jobs` runs such parts on ``[compute] workers`` processes
(null: one per CPU this process may use) and returns their results in job order, so a step's list
of files, every table and every figure are the same as when the parts run one after the other in
this process (tested: ``tests/tasks/test_forked.py`` reruns the demo's steps on forked workers and
``tests/tasks/test_pipeline.py`` rebuilds it in one process, each compared byte for byte with
the session's build).

Why forked processes and not a library pool: the workers must start from this process's memory,
the step's loaded panel and the modules it has imported (statsmodels, linearmodels, esda,
matplotlib: 2-3 s of imports per fresh interpreter, which made ``pytask-parallel``'s spawned
workers slower than one process on the province demo, ``benchmarks/README.md``). The standard
library's `concurrent.futures.ProcessPoolExecutor` with the ``fork`` start method does exactly that;
it also reports a worker that dies (`BrokenProcessPool`), which this module turns into a
`ClusterDXError` naming the step and the way around it.

Where the parts run in this process instead, one after the other, at the point `Jobs.results` is
called: one worker (``[compute] workers = 1``) or one job; not Linux (``fork`` is unsafe with the
macOS system libraries and absent on Windows); this process is itself a daemonic worker; or this
process has run a library whose native thread pool does not survive a fork (pyfixest's rayon
pool: the IV path; numba's parallel layer; `FORK_UNSAFE_MODULES`), because a worker forked then
would wait forever for threads it does not have. In ``clusterdx run`` the IV fits run in the
workers, so the step's own process stays fit to fork for the next run in the same session. Each
worker limits BLAS to its share of the CPUs (``threadpoolctl``), so two workers on two cores do not
run four BLAS threads, and the warnings a job raises are raised again in this process, in job
order, where pytask or the notebook shows them.
"""

from __future__ import annotations

import itertools
import multiprocessing
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from clusterdx.compute.backends import available_cpus
from clusterdx.errors import ClusterDXError

#: Jobs of every live `Jobs`, by key, for the forked workers (which inherit this dictionary).
_PENDING: dict[int, tuple[Sequence[Callable[[], Any]], int]] = {}
_KEYS = itertools.count()


#: Modules with native thread pools that a forked process does not inherit: once one has run
#: here, a worker forked from this process waits forever for threads that exist only in this one
#: (rayon: pyfixest's Rust core, polars; the deep-learning runtimes). Importing one is taken as
#: having run it; numba's threading layer is checked directly (esda imports numba without it).
FORK_UNSAFE_MODULES = ("pyfixest", "polars", "torch", "tensorflow", "jax")


def thread_pools_in_use() -> bool:
    """Whether one of `FORK_UNSAFE_MODULES` is loaded or numba's parallel threading layer has
    started in this process."""
    numba_threads = sys.modules.get("numba.np.ufunc.parallel")
    return any(name in sys.modules for name in FORK_UNSAFE_MODULES) or bool(
        getattr(numba_threads, "_is_initialized", False)
    )


def can_fork() -> bool:
    """Whether `Jobs` may fork workers here: Linux with ``fork``, not a daemonic worker, and no
    native thread pool in use (`thread_pools_in_use`)."""
    return (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
        and not thread_pools_in_use()
    )


def _run(key: int, index: int) -> tuple[Any, list[tuple[Any, type[Warning], str, int]]]:
    """In a worker: job ``index`` of ``_PENDING[key]`` under the worker's BLAS limit, with the
    warnings it raised."""
    from threadpoolctl import threadpool_limits

    jobs, threads = _PENDING[key]
    with threadpool_limits(limits=threads), warnings.catch_warnings(record=True) as caught:
        value = jobs[index]()
    return value, [(w.message, w.category, w.filename, w.lineno) for w in caught]


class Jobs:
    """Start ``jobs`` (callables without arguments) on up to ``workers`` forked processes.

    Parameters
    ----------
    jobs : sequence of callables
        Each returns a picklable value (the files it wrote). They must not depend on one another.
    workers : int or None
        Processes to use (``[compute] workers``); None: `available_cpus`. Never more than the jobs.
    step : str
        The step's name, for the message when a worker dies.
    alongside : bool
        This process does other work until `results` is called: it counts as one of the
        ``workers``, and even a single job gets a worker of its own.

    Examples
    --------
    >>> Jobs([lambda: 1, lambda: 2], workers=2, step="example").results()
    [1, 2]
    """

    def __init__(
        self,
        jobs: Sequence[Callable[[], Any]],
        workers: int | None,
        step: str,
        *,
        alongside: bool = False,
    ) -> None:
        self._jobs, self._step = list(jobs), step
        budget = available_cpus() if workers is None else workers
        count = min(budget - alongside, len(self._jobs))
        worth_it = count >= (1 if alongside else 2)  # else the jobs run here, one by one
        self._pool: ProcessPoolExecutor | None = None
        if worth_it and can_fork():
            self._key = next(_KEYS)
            _PENDING[self._key] = (self._jobs, max(1, available_cpus() // (count + alongside)))
            # the fork start method launches every worker at the first submit, before the
            # executor's manager thread exists: each worker is a copy of this process as it is now
            self._pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"))
            self._futures = [self._pool.submit(_run, self._key, i) for i in range(len(self._jobs))]

    def results(self, done: Callable[[], object] = lambda: None) -> list[Any]:
        """The jobs' values in job order (run here and now where no workers were started);
        ``done()`` is called after each job's value arrives (a progress bar's advance)."""
        values = []
        try:
            for value in self._values():
                values.append(value)
                done()
            return values
        except BrokenProcessPool as error:
            raise ClusterDXError(
                f"a worker process of the {self._step} step stopped without a result (killed, "
                "out of memory or crashed). Set [compute] workers = 1 in the study file to run "
                "the step in one process, which reports the failing part."
            ) from error
        finally:
            self.close()

    def _values(self) -> Iterator[Any]:
        """Each job's value, in job order: run here, or a worker's, with its warnings raised again."""
        if self._pool is None:
            yield from (job() for job in self._jobs)
            return
        for future in self._futures:
            value, caught = future.result()
            for message, category, filename, lineno in caught:
                warnings.warn_explicit(message, category, filename, lineno)
            yield value

    def close(self) -> None:
        """Stop the workers: jobs not yet started are dropped, running ones finish first."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            _PENDING.pop(self._key, None)

    def __enter__(self) -> Jobs:
        return self

    def __exit__(self, *exc: object) -> None:
        """`close`: where the step fails before `results`, its workers do not outlive it."""
        self.close()
