"""How long ``open_backend("dask", scheduler=...)`` takes to give up on an unreachable scheduler.

Run by hand (not part of the test suite), from the repository root::

    python benchmarks/bench_scheduler_timeout.py             # timeout=1 s, 5 runs after a warm-up

The bound (< 15 s with ``timeout=1``) was a wall-clock assert in
``tests/compute/test_backends.py::test_unreachable_scheduler_names_address_and_fix``, which still
checks the message; timings on a shared machine belong here. Prints the median of ``--repeat``
attempts to reach ``tcp://127.0.0.1:9`` (nothing listens there) and whether it stayed under 15 s.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import timed

from clusterdx.compute import open_backend
from clusterdx.errors import StudySpecError

BOUND = 15.0


def attempt(timeout: float) -> str:
    """One connection attempt; the message of the `StudySpecError` it must raise."""
    try:
        open_backend("dask", scheduler="tcp://127.0.0.1:9", timeout=timeout)
    except StudySpecError as error:
        return str(error)
    raise SystemExit("a scheduler answered at tcp://127.0.0.1:9: nothing should listen there")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    median, message = timed(lambda: attempt(args.timeout), args.repeat)
    verdict = "within" if median < BOUND else "OVER"
    print(
        f"unreachable scheduler, timeout={args.timeout:g} s: median {median:.2f} s "
        f"({args.repeat} runs, {verdict} the {BOUND:g} s bound)\n{message}"
    )


if __name__ == "__main__":
    main()
