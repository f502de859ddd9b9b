"""The benchmark scripts still run against the current API, on tiny inputs (their timings are not
checked: speed lives in the benchmarks' own output, `benchmarks/README.md`).

A benchmark is run by hand, so nothing else would notice when an API change breaks one
(``bench_spatial_large.py`` called `clusterdx.spatial.fit` positionally until 2026-12-02).
Scripts that need large inputs or peers' multi-gigabyte runs get their smallest sizes; the
pipeline, start-up, LISA (numba's 20-second compilation of esda's kernel), indicator/scale-out
and scheduler scripts are exercised by the pipeline, CLI, spatial and compute tests instead.
"""

from __future__ import annotations

import os
import subprocess
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
    "bench_spatial.py": ["--repeats", "1", "--skip-spreg"],
}


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_script_runs(script):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, script, *TINY[script]],
        cwd=BENCHMARKS,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert done.stdout.strip()
