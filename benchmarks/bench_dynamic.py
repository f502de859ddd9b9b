"""Speed of the dynamic spatial Durbin model, run by hand: ``python benchmarks/bench_dynamic.py``.

Issue 14's acceptance figure: a dynamic SDM (τ y_{t−1} + ψ W y_{t−1}) with two-way fixed effects,
the Yu, de Jong & Lee (2008) bias correction and short- and long-run impacts
(``impacts(draws=1000)``) at N = 2,809 (53 × 53 rook lattice, ``libpysal.weights.lat2W``,
row-standardised), T = 15, k = 5 regressors, in ≤ 2 s median; and, in the same run, the static
SDM with two-way fixed effects (Lee-Yu corrected) + ``impacts(draws=1000)`` on the same panel, with
the ratio of the two medians.

Data: ``clusterdx.spatial._simulate.simulate_dynamic_panel`` (seed 1; ρ = 0.3, τ = 0.4, ψ = 0.1,
β = (1, −1, 0.5, 0.3, −0.2), θ = (0.5, −0.3, 0.2, 0.1, 0)). Timings exclude the simulation; each
case runs once as a warm-up, then ``--repeats`` times (median and minimum printed: the machine is
shared, so compare the ratio measured in one run). BLAS threads are limited to ``--threads``
(threadpoolctl); set ``OMP_NUM_THREADS`` too for SuperLU-free parts of SciPy.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

X = [f"x{j}" for j in range(1, 6)]
BETA = [1.0, -1.0, 0.5, 0.3, -0.2]
THETA = [0.5, -0.3, 0.2, 0.1, 0.0]


def _data(side: int):
    import libpysal

    from clusterdx.spatial._simulate import simulate_dynamic_panel

    w = libpysal.weights.lat2W(side, side)
    w.transform = "r"
    frame = simulate_dynamic_panel(
        w.sparse, 15, BETA, theta=THETA, rho=0.3, tau=0.4, psi=0.1, seed=1
    )
    return frame, (w.sparse, list(range(w.n)))


def _jobs(side: int):
    from clusterdx.spatial import fit

    frame, w = _data(side)

    def dynamic() -> None:
        res = fit(
            frame,
            y="y",
            x=X,
            w=w,
            entity="entity",
            time="time",
            model="sdm",
            effects="twoways",
            dynamic="both",
        )
        res.impacts(draws=1000, seed=0)

    def static() -> None:
        res = fit(
            frame, y="y", x=X, w=w, entity="entity", time="time", model="sdm", effects="twoways"
        )
        res.impacts(draws=1000, seed=0)

    return {
        "dynamic SDM two-way FE + short/long-run impacts": dynamic,
        "static SDM two-way FE + impacts": static,
    }


def _accuracy(side: int) -> list[tuple[str, float, float, float, float]]:
    """Estimates and SEs of the dynamic SDM with stochastic (default) and exact traces."""
    import clusterdx.spatial._information as information
    import clusterdx.spatial.dynamic as dyn

    frame, w = _data(side)
    fits = [dyn.fit_dynamic(frame, "y", X, w, entity="entity", time="time")]
    saved = dyn.EXACT_MAX_N, information.EXACT_MAX_N
    dyn.EXACT_MAX_N = information.EXACT_MAX_N = 10**7
    try:
        fits.append(dyn.fit_dynamic(frame, "y", X, w, entity="entity", time="time"))
    finally:
        dyn.EXACT_MAX_N, information.EXACT_MAX_N = saved
    keys = ["x1", "W_x1", "tau", "psi", "rho", "sigma2"]
    return [(k, fits[0].params[k], fits[1].params[k], fits[0].bse[k], fits[1].bse[k]) for k in keys]


def _time(job, repeats: int) -> list[float]:
    job()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--side", type=int, default=53, help="lattice side (N = side²)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    parser.add_argument(
        "--accuracy", action="store_true", help="also compare stochastic with exact traces"
    )
    args = parser.parse_args()
    if args.repeats < 3:
        parser.error("--repeats must be at least 3 (medians of three or more runs)")
    print(f"python {platform.python_version()}, numpy {np.__version__}, N = {args.side**2}, T = 15")
    with threadpool_limits(limits=args.threads):
        results = {name: _time(job, args.repeats) for name, job in _jobs(args.side).items()}
    print(f"\n{'case':52s} {'median s':>9s} {'min s':>7s}")
    for name, times in results.items():
        print(f"{name:52s} {statistics.median(times):9.3f} {min(times):7.3f}")
    dyn, sta = (statistics.median(t) for t in results.values())
    print(f"\ndynamic / static time ratio (medians): {dyn / sta:.2f}")
    if args.accuracy:
        print("\nstochastic vs exact traces (bias correction, information, Omega): rel. diff")
        for key, est, est_x, se, se_x in _accuracy(args.side):
            print(f"  {key:7s} estimate {est / est_x - 1:+.1e}   se {se / se_x - 1:+.1e}")


if __name__ == "__main__":
    main()
