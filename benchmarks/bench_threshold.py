"""Benchmark of the Hansen (1999) panel threshold search and its bootstrap (`clusterdx.panel.threshold`).

Run by hand (not part of the test suite), from the repository root::

    python benchmarks/bench_threshold.py             # 500 entities x 10 years, grid 300, 100 draws

The case was a wall-clock assert (< 8 s) in ``tests/panel/test_threshold.py``; timings on a shared
machine belong here. Prints the median and minimum of ``--repeat`` runs after one warm-up, on the
test's simulated panel (``_simulate(500, 10, (0.5,), (1.0, -1.0), seed=3)``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clusterdx.panel import threshold
from tests.panel.test_threshold import _simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    frame = _simulate(500, 10, (0.5,), (1.0, -1.0), seed=3)

    def once() -> float:
        start = time.perf_counter()
        threshold(
            frame,
            "y",
            "x",
            "q",
            controls=["c"],
            entity="id",
            time="year",
            grid=300,
            bootstrap=100,
            seed=1,
        )
        return time.perf_counter() - start

    once()
    times = [once() for _ in range(args.repeat)]
    print(
        f"threshold search + 100 bootstrap draws, N = 500, T = 10, grid 300: "
        f"median {statistics.median(times):.2f} s, min {min(times):.2f} s ({args.repeat} runs)"
    )


if __name__ == "__main__":
    main()
