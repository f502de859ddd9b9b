"""Execution backends: run one function over many partitions, locally or on a Dask cluster.

A reduction is written once as a per-partition function (pure, module-level, so it pickles) and a
combine step; `map_partitions` runs the function over the partitions on a backend and returns the
results in partition order, so the combine step, and therefore the result, is the same on every
backend. Two backends:

``LocalBackend``
    A pool of processes (`concurrent.futures.ProcessPoolExecutor`, spawn start method, so it behaves
    the same on Linux, macOS and Windows); ``workers=1`` runs the partitions in this process.
``DaskBackend``
    Dask distributed: a `distributed.Client` connected to an existing scheduler
    (``"tcp://host:8786"``) or to a `distributed.LocalCluster` started for the job.

Dask rather than Spark: it installs with pip, needs no JVM, runs the same pickled Python function as
the local pool (no rewrite into a DataFrame API), and its `LocalCluster` lets the tests run the
distributed code path on one machine.

Partitions are submitted through a window of ``2 × workers`` tasks in flight: a lazy iterable of
partitions (chunks streamed from a CSV file) is never materialised whole, so memory stays bounded
by the window, not by the input. Progress is one ``tqdm`` bar on stderr on both backends.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Literal, Protocol

from clusterdx.errors import DataError, StudySpecError

BackendName = Literal["local", "dask"]
BACKENDS = ("local", "dask")


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the system has one): the processes
    ``[compute] workers = null`` stands for, here and in `clusterdx.tasks.forked`."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class Backend(Protocol):
    """What `map_partitions` needs from a backend: submit a task, wait for some, close.

    Examples
    --------
    `LocalBackend` and `DaskBackend` implement it; any object with the same attributes works, such as
    this serial backend that runs each task when it is submitted:

    >>> from concurrent.futures import Future
    >>> class Serial:
    ...     name, workers = "serial", 1
    ...     def submit(self, func, item):
    ...         future = Future()
    ...         future.set_result(func(item))
    ...         return future
    ...     def wait_some(self, futures):
    ...         return set(futures), set()
    ...     def close(self):
    ...         pass
    >>> map_partitions(len, ["ab", "c", ""], Serial(), progress=False)
    [2, 1, 0]
    """

    name: str
    workers: int

    def submit(self, func: Callable[[Any], Any], item: Any) -> Any:
        """Start ``func(item)``; return a future with ``result()``."""

    def wait_some(self, futures: set) -> tuple[set, set]:
        """Block until at least one of ``futures`` is done; return (done, not done)."""

    def close(self) -> None:
        """Release the workers (a cluster the backend did not start is left running)."""


class LocalBackend:
    """Partitions on a local process pool (``workers`` processes; ``None``: one per CPU core).

    Parameters
    ----------
    workers
        Number of processes. ``1`` runs every partition in the calling process (no pool).

    Raises
    ------
    StudySpecError
        If ``workers`` is below 1.

    Examples
    --------
    >>> with LocalBackend(workers=1) as pool:
    ...     print(pool.name, pool.workers, pool.submit(abs, -2).result())
    ...     map_partitions(sum, [[1, 2], [3], [4, 5, 6]], pool, progress=False)
    local 1 2
    [3, 3, 15]
    """

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None and workers < 1:
            raise StudySpecError(
                f"compute.workers must be >= 1 or null (one per core), got {workers}"
            )
        self.workers = workers or available_cpus()
        self._pool: ProcessPoolExecutor | None = None
        if self.workers > 1:
            import multiprocessing

            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn")
            )

    def submit(self, func: Callable[[Any], Any], item: Any) -> Future:
        if self._pool is not None:
            return self._pool.submit(func, item)
        future: Future = Future()
        try:
            future.set_result(func(item))
        except Exception as exc:  # re-raised by future.result(), as from a pool
            future.set_exception(exc)
        return future

    def wait_some(self, futures: set) -> tuple[set, set]:
        done, pending = wait(futures, return_when=FIRST_COMPLETED)
        return set(done), set(pending)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DaskBackend:
    """Partitions on Dask distributed workers.

    Parameters
    ----------
    scheduler
        Address of a running scheduler (``"tcp://10.0.0.5:8786"``); ``None`` starts a
        `distributed.LocalCluster` of ``workers`` single-threaded worker processes for this job.
    workers
        Workers of the local cluster (ignored with ``scheduler``; ``None``: one per CPU core).
    timeout
        Seconds to wait for the scheduler before failing.

    Raises
    ------
    StudySpecError
        Dask is not installed, or no scheduler answers at ``scheduler`` within ``timeout``.

    Examples
    --------
    Not run by the doctests: starting a local cluster of worker processes takes seconds, and a
    remote scheduler needs a running cluster.

    >>> with DaskBackend(workers=2) as dask:  # doctest: +SKIP
    ...     map_partitions(abs, [-1, 2, -3], dask, progress=False)
    [1, 2, 3]
    >>> remote = DaskBackend("tcp://10.0.0.5:8786", timeout=5)  # doctest: +SKIP
    """

    name = "dask"

    def __init__(
        self, scheduler: str | None = None, workers: int | None = None, timeout: float = 10.0
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise StudySpecError(
                'compute.backend = "dask" needs Dask distributed: pip install "dask[distributed]" '
                '(or pip install "clusterdx[distributed]")'
            ) from None
        if workers is not None and workers < 1:
            raise StudySpecError(
                f"compute.workers must be >= 1 or null (one per core), got {workers}"
            )
        self._cluster = None
        if scheduler is None:
            self._cluster = LocalCluster(
                n_workers=workers or available_cpus(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
            )
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(scheduler, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                raise StudySpecError(
                    f"compute.scheduler {scheduler!r}: no Dask scheduler answered within "
                    f"{timeout:g} s ({type(exc).__name__}: {exc}). Start one there with "
                    "`dask scheduler` (and `dask worker <address>` on each machine), check the "
                    'address and port (default 8786), or set scheduler = null (or "local" backend) '
                    "to run on this machine"
                ) from None
        self.scheduler = scheduler
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    @property
    def client(self):
        """The `distributed.Client` (dashboard link: ``client.dashboard_link``)."""
        return self._client

    def submit(self, func: Callable[[Any], Any], item: Any) -> Any:
        return self._client.submit(func, item, pure=False)

    def wait_some(self, futures: set) -> tuple[set, set]:
        from distributed import wait as dask_wait

        done, pending = dask_wait(list(futures), return_when="FIRST_COMPLETED")
        return set(done), set(pending)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __enter__(self) -> DaskBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_backend(
    backend: BackendName = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    timeout: float = 10.0,
) -> LocalBackend | DaskBackend:
    """Start the backend named ``backend`` (``"local"`` or ``"dask"``); close it when done.

    Examples
    --------
    >>> with open_backend("local", workers=1) as pool:
    ...     map_partitions(abs, [-1, 2, -3], pool, progress=False)
    [1, 2, 3]
    """
    if backend not in BACKENDS:
        raise StudySpecError(f"compute.backend must be one of {list(BACKENDS)}, got {backend!r}")
    if backend == "local":
        if scheduler is not None:
            raise StudySpecError(
                f'compute.scheduler {scheduler!r} is only used with backend = "dask"; '
                'remove it or set backend = "dask"'
            )
        return LocalBackend(workers)
    return DaskBackend(scheduler, workers, timeout)


def from_spec(compute) -> LocalBackend | DaskBackend:
    """Start the backend of a study's ``[compute]`` section (`clusterdx.study.Compute`).

    Examples
    --------
    >>> from clusterdx.study import Compute
    >>> with from_spec(Compute(backend="local", workers=1)) as backend:
    ...     type(backend).__name__, backend.workers
    ('LocalBackend', 1)
    """
    return open_backend(compute.backend, compute.scheduler, compute.workers, compute.timeout)


def map_partitions(
    func: Callable[[Any], Any],
    partitions: Iterable[Any],
    backend: Backend | BackendName = "local",
    progress: bool = True,
    desc: str = "partitions",
    total: int | None = None,
) -> list[Any]:
    """``[func(p) for p in partitions]`` on ``backend``, in partition order, with a progress bar.

    Parameters
    ----------
    func
        A module-level (picklable) function of one partition.
    partitions
        Partition descriptors or data chunks; may be a lazy iterator: at most ``2 × workers`` are
        taken ahead of the finished ones.
    backend
        A started backend (left open), or ``"local"`` / ``"dask"`` to start one with default
        settings for this call (closed at the end).
    progress
        Show a ``tqdm`` bar on stderr, labelled with ``desc`` and the backend name.
    total
        Number of partitions for the bar (default: ``len(partitions)`` when it has one).

    Returns
    -------
    list
        One result per partition, in the order of ``partitions``. The first failing partition
        re-raises its exception here (remaining tasks are cancelled).

    Raises
    ------
    DataError
        A worker process of a local pool died (out of memory, or a script without the
        ``if __name__ == "__main__":`` guard).

    Examples
    --------
    A lazy iterator of partitions, results in partition order:

    >>> with LocalBackend(workers=1) as pool:
    ...     map_partitions(max, iter([(3, 1), (2, 7), (5,)]), pool, progress=False)
    [3, 7, 5]
    """
    if isinstance(backend, str):
        with open_backend(backend) as started:
            return map_partitions(func, partitions, started, progress, desc, total)
    from tqdm.auto import tqdm

    if total is None and hasattr(partitions, "__len__"):
        total = len(partitions)
    window = 2 * max(1, backend.workers)
    results: dict[int, Any] = {}
    position: dict[Any, int] = {}
    items = iter(enumerate(partitions))
    pending: set = set()
    bar = tqdm(total=total, desc=f"{desc} [{backend.name}]", unit="part", disable=not progress)
    try:
        while True:
            while len(pending) < window:
                nxt = next(items, None)
                if nxt is None:
                    break
                future = backend.submit(func, nxt[1])
                position[future] = nxt[0]
                pending.add(future)
            if not pending:
                break
            done, pending = backend.wait_some(pending)
            for future in done:
                try:
                    results[position.pop(future)] = future.result()
                except BrokenProcessPool:
                    raise DataError(
                        f"{desc}: a worker process of the {backend.name} backend ended abruptly: "
                        "out of memory (lower compute.partition_rows / documents_per_task or "
                        "workers), or a script started without the "
                        'if __name__ == "__main__": guard that process pools need'
                    ) from None
                bar.update(1)
    finally:
        for future in pending:
            future.cancel()
        bar.close()
    return [results[i] for i in range(len(results))]
