"""Throughput and peak memory of the scale-out reductions per backend: ``python benchmarks/bench_scale.py``.

Inputs (generated once, deterministically, by `bench_indicators.make_documents` and
`bench_indicators.make_firms`, seed ``--seed``, into ``--workdir``):

- a corpus of ``--docs`` synthetic Chinese annual reports of about ``--doc-kb`` KB each (Parquet,
  row groups of 500 documents), keyword-counted with ``count_documents(method="scan")`` and, on the
  first ``--jieba-docs`` documents (row groups of a quarter of them), ``method="jieba"``; one task
  is one row group;
- ``--rows`` firm-years (Parquet, row groups of 1,048,576 rows) reduced with ``reduce_firms`` to
  region-year sum, mean and HHI of employment.

Backends: ``duckdb`` (``backend=None``: one process, DuckDB query or record batches), ``local``
(process pool of ``--workers``), ``dask`` (Dask ``LocalCluster`` of ``--workers`` single-threaded
processes), and for the firm file ``pandas`` (whole file read into memory, then grouped) as the
unbounded baseline. Each case runs in a fresh child process. ``seconds`` is the reduction alone;
``start`` the time to start the backend's workers and run one warm-up task on each (imports).
``peak tree`` is the largest total resident memory of the child and all its worker processes,
sampled every 20 ms (psutil); ``driver`` the child's own sampled peak (not ``ru_maxrss``, which
Linux carries over from the parent across ``exec``). The local and Dask results are compared with
``pandas.testing.assert_frame_equal`` (exact), and the dask / local time ratio is printed from the
same run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench_indicators import make_documents, make_firms

AGGREGATES = {"employment": ["sum", "mean", "hhi"]}


class TreeMemory:
    """Peak resident memory of this process plus its children, sampled in a thread."""

    def __init__(self, every: float = 0.02) -> None:
        import psutil

        self._me = psutil.Process()
        self._every = every
        self.peak = 0
        self.peak_self = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> int:
        total = self._me.memory_info().rss
        self.peak_self = max(self.peak_self, total)
        for child in self._me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except Exception:  # a worker may exit between listing and reading
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            time.sleep(self._every)

    def stop(self) -> tuple[float, float]:
        """Peaks of the tree and of this process alone, in MiB."""
        self._stop.set()
        self._thread.join()
        return self.peak / 2**20, self.peak_self / 2**20


def _warm(seconds: float) -> None:
    """Warm-up task: start a worker and import the reductions there (not timed)."""
    import clusterdx.indicators.scale  # noqa: F401

    time.sleep(seconds)


def phase(task: str, backend_name: str, path: Path, workers: int, out: Path) -> dict:
    """Run one case in this (child) process; write its result frame to ``out``."""
    import pandas as pd
    import pyarrow.parquet as pq

    from clusterdx.compute import map_partitions, open_backend
    from clusterdx.indicators import count_documents, reduce_firms

    memory = TreeMemory()
    start = time.perf_counter()
    backend = None
    if backend_name not in ("duckdb", "pandas"):
        backend = open_backend(backend_name, None, workers)
        map_partitions(_warm, [0.5] * workers, backend, progress=False)
    started = time.perf_counter()
    if task == "firms" and backend_name == "pandas":
        frame = pd.read_parquet(path, columns=["region", "year", "employment"])
        groups = frame.groupby(["region", "year"])["employment"]
        result = pd.DataFrame(
            {
                "employment_sum": groups.sum(),
                "employment_mean": groups.mean(),
                "employment_hhi": (frame["employment"] ** 2)
                .groupby([frame["region"], frame["year"]])
                .sum()
                / groups.sum() ** 2,
            }
        )
    elif task == "firms":
        result = reduce_firms(path, AGGREGATES, backend=backend, progress=False)
    else:
        method = "jieba" if task == "jieba" else "scan"
        per_task = pq.ParquetFile(path).metadata.row_group(0).num_rows
        result = count_documents(
            path, method=method, backend=backend, documents_per_task=per_task, progress=False
        )
    seconds = time.perf_counter() - started
    if backend is not None:
        backend.close()
    result.to_parquet(out)
    tree, driver = memory.stop()
    return {"start": started - start, "seconds": seconds, "peak_tree_mb": tree, "driver_mb": driver}


def _child(task: str, backend: str, path: Path, workers: int, workdir: Path) -> dict:
    out = workdir / f"result_{task}_{backend}.parquet"
    command = [sys.executable, __file__, "--phase", task, "--backend", backend, "--path", str(path)]
    command += ["--workers", str(workers), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{task} on {backend} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]) | {"out": out}


def _jieba_subset(docs: Path, n: int) -> Path:
    import pyarrow.parquet as pq

    small = docs.with_name(f"docs_first_{n}.parquet")
    if not small.exists():
        table = pq.ParquetFile(docs).read_row_groups([0]).slice(0, n)
        pq.write_table(table, small, row_group_size=max(1, n // 4))
    return small


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--doc-kb", type=int, default=50)
    parser.add_argument("--jieba-docs", type=int, default=400)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--cases", default="scan,jieba,firms", help="comma-separated subset of scan, jieba, firms"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/clusterdx_bench_scale"))
    parser.add_argument("--phase")
    parser.add_argument("--backend")
    parser.add_argument("--path", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.backend, args.path, args.workers, args.out)))
        return
    import pandas as pd

    work = args.workdir / f"d{args.docs}_kb{args.doc_kb}_r{args.rows}_s{args.seed}"
    work.mkdir(parents=True, exist_ok=True)
    docs, firms = work / "docs.parquet", work / "firms.parquet"
    size_file = work / "text_bytes.json"
    if not docs.exists():
        size_file.write_text(json.dumps(make_documents(docs, args.docs, args.doc_kb, args.seed)))
    if not firms.exists():
        make_firms(firms, args.rows, args.seed)
    text_mb = json.loads(size_file.read_text()) / 1e6
    jieba_docs = _jieba_subset(docs, min(args.jieba_docs, args.docs))
    cases = [
        ("keywords scan", "scan", docs, args.docs, "docs", ["duckdb", "local", "dask"]),
        (
            "keywords jieba",
            "jieba",
            jieba_docs,
            min(args.jieba_docs, args.docs),
            "docs",
            ["duckdb", "local", "dask"],
        ),
        (
            "firm-year reduction",
            "firms",
            firms,
            args.rows,
            "rows",
            ["pandas", "duckdb", "local", "dask"],
        ),
    ]
    print(
        f"{args.docs:,} documents ({text_mb:,.0f} MB of text), {args.rows:,} firm-years, "
        f"{args.workers} workers, Python {sys.version.split()[0]}"
    )
    header = f"{'reduction':<20} {'backend':<7} {'size':>12} {'start s':>8} {'seconds':>8} "
    header += f"{'throughput':>16} {'peak tree MB':>13} {'driver MB':>10}"
    print(header)
    for label, task, path, size, unit, backends in cases:
        if task not in args.cases.split(","):
            continue
        runs = {b: _child(task, b, path, args.workers, work) for b in backends}
        for backend, res in runs.items():
            rate = size / res["seconds"]
            shown = f"{rate / 1e6:,.2f} M {unit}/s" if unit == "rows" else f"{rate:,.0f} {unit}/s"
            if unit == "docs":
                shown = f"{rate:,.0f} docs/s"
            print(
                f"{label:<20} {backend:<7} {size:>12,} {res['start']:>8.2f} {res['seconds']:>8.2f} "
                f"{shown:>16} {res['peak_tree_mb']:>13,.0f} {res['driver_mb']:>10,.0f}"
            )
        local, dask = (pd.read_parquet(runs[b]["out"]) for b in ("local", "dask"))
        pd.testing.assert_frame_equal(local, dask, check_exact=True)
        ratio = runs["dask"]["seconds"] / runs["local"]["seconds"]
        print(f"{'':<20} dask / local time {ratio:.2f}; local and dask results identical")


if __name__ == "__main__":
    main()
