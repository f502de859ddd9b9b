"""The whole study on the county demo (N = 2,852 counties, T = 13), end to end: wall time per step.

Run by hand::

    python benchmarks/bench_pipeline.py [--level county|city] [--repeats 3] [--keep DIR] [--traced]
                                        [--workers N]

Generates the demo at the level into a temporary folder (not timed), then runs the pipeline's steps
one by one, ``--repeats`` times, each time in a fresh interpreter as `clusterdx run` does (imports,
numba's compilation of esda's permutation kernel and every read included; the same functions
`clusterdx run` calls, without pytask's bookkeeping, the models and analyses steps forking their
workers as there), and prints the median wall and CPU time (``time.process_time`` plus the
finished forked workers', steadier on a shared machine) of each step and of the total, the share
of the total wall time spent in `clusterdx.panel.fit` (every call in this process: with
``--workers 1`` all of them), and the target (total ≤ 15 s at county level). "max RSS" is the
process's high-water mark after the step (a step's own peak is where the column jumps). With
``--traced`` each step also runs under `tracemalloc` (several times slower: times are then not
representative).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import tracemalloc
from pathlib import Path

from clusterdx.data.demo import write_demo
from clusterdx.regions.registry import table as region_table
from clusterdx.study import Study
from clusterdx.tasks import steps
from clusterdx.tasks.analyses import run_analyses
from clusterdx.tasks.pipeline import source_outputs
from clusterdx.tasks.spatial_inputs import build_spatial_inputs, spatial_outputs

REPO = Path(__file__).resolve().parents[1]
TARGET_S = {"county": 15.0}


class PanelFitTimer:
    """Wraps `clusterdx.panel.fit` wherever a module holds it and adds up its outermost calls."""

    def __init__(self) -> None:
        from clusterdx.panel import models

        self.seconds, self._depth, original = 0.0, 0, models.fit

        @functools.wraps(original)
        def timed(*args, **kwargs):
            self._depth += 1
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self.seconds += time.perf_counter() - start

        for module in list(sys.modules.values()):
            if getattr(module, "fit", None) is original:
                module.fit = timed


def load_study(level: str, folder: Path, workers: int | None = None) -> Study:
    path = REPO / "analysis" / "study.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    raw["study"]["level"] = level
    if workers is not None:
        raw.setdefault("compute", {})["workers"] = workers
    raw["paths"] = {"root": folder.as_posix(), "raw": "raw", "clean": "clean", "reports": "reports"}
    return Study.from_dict(raw, path)


def pipeline_steps(study: Study) -> list[tuple[str, object, tuple]]:
    """(label, function, arguments) of every step, in the order `clusterdx run` runs them."""
    out, tables, audits = [], {}, {}
    for source in study.spec.sources:
        table, audit = source_outputs(study, source.name)
        tables[source.name], audits[source.name] = table, audit
        out.append((f"clean:{source.name}", steps.clean_source, (study, source.name, table, audit)))
    kinds = {s.name: s.kind for s in study.spec.sources}
    others = {n: p for n, p in tables.items() if kinds[n] != "region_year"}
    panel, audit = study.clean_dir / "panel.parquet", study.clean_dir / "audit.json"
    indicators = study.clean_dir / "indicators.parquet"
    out += [
        ("panel", steps.assemble_panel, (study, tables, audits, panel, audit)),
        ("indicators", steps.build_indicators, (study, panel, others, indicators)),
        ("spatial (weights, map shapes)", build_spatial_inputs,
         (study, indicators, spatial_outputs(study))),
        ("models (+ Moran, LISA, figures)", steps.fit_models, (study, indicators)),
        ("analyses + robustness", run_analyses, (study, indicators)),
    ]  # fmt: skip
    return out


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the steps' forked workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def one_run(level: str, folder: Path, traced: bool, workers: int | None) -> dict:
    """Every step once in this process: {label: (wall, CPU)} and the seconds in panel.fit."""
    study = load_study(level, folder, workers)
    timer = PanelFitTimer()
    times: dict[str, tuple[float, float]] = {}
    for label, func, func_args in pipeline_steps(study):
        if traced:
            tracemalloc.start()
        begin, cpu = time.perf_counter(), _cpu()
        func(*func_args)
        times[label] = (time.perf_counter() - begin, _cpu() - cpu)
        peak = tracemalloc.get_traced_memory()[1] / 1024**3 if traced else float("nan")
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        print(
            f"  {label:<32} {times[label][0]:7.2f} s  CPU {times[label][1]:7.2f} s  "
            f"traced {peak:6.3f} GB  max RSS {rss:5.2f} GB",
            file=sys.stderr,
            flush=True,
        )
    return {"times": times, "panel_fit": timer.seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--level", default="county", choices=["county", "city", "province"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the outputs in")
    parser.add_argument("--traced", action="store_true", help="also report tracemalloc peaks")
    parser.add_argument(
        "--workers", type=int, default=None,
        help="[compute] workers (default: the study's, one per CPU); 1 runs every part of a step "
        "in one process, which the share of clusterdx.panel.fit needs (it is timed in this "
        "process only)",
    )  # fmt: skip
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix=f"clusterdx_{args.level}_"))
    if args.one_run:
        print(json.dumps(one_run(args.level, folder, args.traced, args.workers)))
        return
    start = time.perf_counter()
    write_demo(folder / "raw", 20241123, args.level)
    print(f"generate the demo (not timed): {time.perf_counter() - start:.1f} s", flush=True)
    runs, shares = [], []
    command = [sys.executable, __file__, "--one-run", "--level", args.level, "--keep", str(folder)]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    # with bytecode caches, as an installed package runs (a container's PYTHONDONTWRITEBYTECODE
    # would add the compilation of the package's modules to every run)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for repeat in range(args.repeats):
        print(f"run {repeat + 1} (fresh process)", flush=True)
        done = subprocess.run(
            command + (["--traced"] if args.traced else []),
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        runs.append(result["times"])
        shares.append(result["panel_fit"] / sum(t[0] for t in result["times"].values()))
    print(f"\nmedians of {args.repeats} runs ({args.level}, N = "
          f"{len(region_table(args.level))} regions):")  # fmt: skip
    print(f"  {'step':<34} {'wall':>9} {'CPU':>9}")
    for label in runs[0]:
        wall, cpu = (statistics.median(r[label][i] for r in runs) for i in (0, 1))
        print(f"  {label:<34} {wall:7.2f} s {cpu:7.2f} s")
    wall, cpu = (statistics.median(sum(t[i] for t in r.values()) for r in runs) for i in (0, 1))
    target = TARGET_S.get(args.level, "-")
    print(f"  {'pipeline total':<34} {wall:7.2f} s {cpu:7.2f} s (target <= {target} s)")
    where = "" if args.workers == 1 else " (calls in forked workers not counted: --workers 1)"
    print(f"  share of the total wall time in clusterdx.panel.fit{where}: "
          f"{statistics.median(shares):.0%}")  # fmt: skip
    print(f"outputs in {folder}")


if __name__ == "__main__":
    main()
