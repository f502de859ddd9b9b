"""The benchmark scripts still run against the current API, on tiny inputs (their timings are not
checked: speed lives in the benchmarks' own output, `benchmarks/README.md`).

A benchmark is run by hand, so nothing else would notice when an API change breaks one
(``bench_spatial_large.py`` called `clusterdx.spatial.fit` positionally until 2026-12-02).
Scripts that need large inputs or peers' multi-gigabyte runs get their smallest sizes; the
pipeline, start-up, LISA (numba's 20-second compilation of esda's kernel), indicator/scale-out
and scheduler scripts are exercised by the pipeline, CLI, spatial and compute tests instead.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

TINY = {
    "bench_spatial_large.py": ["--side", "12", "--periods", "2", "--repeats", "1"],
    "bench_spatial_re.py": ["--side", "10", "--repeats", "1", "--skip-spreg"],
    "bench_dynamic.py": ["--side", "10", "--repeats", "3"],
    "bench_hdfe.py": ["--rows", "4000", "--firms", "400", "--repeats", "1"],
    "bench_panel.py": ["--rows", "5000", "--repeats", "1"],
    "bench_threshold.py": ["--repeat", "1"],
    "bench_spatial.py": ["--repeats", "1", "--skip-spreg", "--sides", "8", "10"],
}


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_script_runs(script, monkeypatch, capsys):
    """Each script as ``python benchmarks/<script> <tiny arguments>`` would run it, in this process
    (its imports are then this test session's: seconds less per script)."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.chdir(BENCHMARKS)
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # the scripts import benchmarks/_timing.py
    monkeypatch.setattr(sys, "argv", [script, *TINY[script]])
    runpy.run_path(str(BENCHMARKS / script), run_name="__main__")
    assert capsys.readouterr().out.strip()
