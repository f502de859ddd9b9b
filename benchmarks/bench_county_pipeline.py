"""The whole study on the county demo (N ≈ 2,850 counties, T = 13): wall time and peak memory per step.

Run by hand::

    python benchmarks/bench_county_pipeline.py [--level county|city] [--keep DIR]

Generates the demo at the level into a temporary folder, then runs the pipeline's steps one by one
(the same functions `clusterdx run` calls), timing each and reporting the process's maximum resident
set size after it (a high-water mark: a step's own peak is where the column jumps). With ``--traced``
each step also runs under `tracemalloc` (its peak of Python and NumPy allocations), which slows the
step several times, so times are then not representative.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from clusterdx.data.demo import write_demo
from clusterdx.study import Study
from clusterdx.tasks import steps
from clusterdx.tasks.analyses import run_analyses
from clusterdx.tasks.pipeline import source_outputs

REPO = Path(__file__).resolve().parents[1]


def measure(label: str, rows: list, traced: bool, func, *args) -> None:
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    func(*args)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 1024**3 if traced else float("nan")
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    rows.append((label, seconds, peak, rss))
    print(f"{label:<34} {seconds:8.2f} s {peak:8.3f} GB {rss:8.2f} GB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--level", default="county", choices=["county", "city", "province"])
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the outputs in")
    parser.add_argument("--traced", action="store_true", help="also report tracemalloc peaks")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix=f"clusterdx_{args.level}_"))
    rows: list = []
    print(f"{'step':<34} {'wall':>10} {'traced peak':>11} {'max RSS':>11}")
    measure("generate demo", rows, args.traced, write_demo, folder / "raw", 20241123, args.level)
    study = Study.load(
        REPO / "analysis" / "study.toml",
        overrides=[
            f'study.level="{args.level}"',
            f'paths.root="{folder.as_posix()}"',
            'paths.raw="raw"',
            'paths.clean="clean"',
            'paths.reports="reports"',
        ],
    )
    tables, audits = {}, {}
    for source in study.spec.sources:
        table, audit = source_outputs(study, source.name)
        tables[source.name], audits[source.name] = table, audit
        measure(
            f"clean:{source.name}",
            rows,
            args.traced,
            steps.clean_source,
            study,
            source.name,
            table,
            audit,
        )
    kinds = {s.name: s.kind for s in study.spec.sources}
    region_year = {n: p for n, p in tables.items() if kinds[n] == "region_year"}
    others = {n: p for n, p in tables.items() if kinds[n] != "region_year"}
    panel, audit = study.clean_dir / "panel.parquet", study.clean_dir / "audit.json"
    measure(
        "panel",
        rows,
        args.traced,
        steps.assemble_panel,
        study,
        region_year | others,
        audits,
        panel,
        audit,
    )
    indicators = study.clean_dir / "indicators.parquet"
    measure(
        "indicators", rows, args.traced, steps.build_indicators, study, panel, others, indicators
    )
    measure(
        "models (+ Moran, LISA, figures)", rows, args.traced, steps.fit_models, study, indicators
    )
    measure("analyses + robustness", rows, args.traced, run_analyses, study, indicators)
    total = sum(r[1] for r in rows[1:])
    print(f"{'pipeline total (without generation)':<34} {total:8.2f} s")
    print(f"outputs in {folder}")


if __name__ == "__main__":
    main()
