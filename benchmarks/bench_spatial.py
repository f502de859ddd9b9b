"""Speed and memory of clusterdx.spatial against spreg, run by hand: ``python benchmarks/bench_spatial.py``.

Cases (simulated with ``clusterdx.spatial._simulate.simulate_panel``, seed 1, k = 5 regressors,
T = 15, queen lattices row-standardised):

1. N = 2,809 (53 × 53): SDM two-way FE fit + ``impacts(draws=1000)`` (target: median ≤ 1 s,
   peak memory < 0.5 GB).
2. N = 2,809: SAR individual FE fit, clusterdx against ``spreg.Panel_FE_Lag`` (same model; target
   ratio ≥ 40, issue 19): ``--peer-repeats`` rounds (default 3), each a clusterdx process
   (``--repeats`` fits) followed by a spreg process (one fit), each ``--settle`` seconds after the
   last process ended, so that the two sides alternate under the same load; the ratio is that of
   the medians over all rounds.
3. N = 10,000 (100 × 100): SDM two-way FE fit + impacts (target < 60 s, < 2 GB).
4. Accuracy of the stochastic traces used above N = 1,500: SEs with Hutchinson traces against
   exact traces at N = 2,809.

Each case runs in a fresh process (``multiprocessing``, spawn) so that its peak resident memory
(``resource.getrusage(...).ru_maxrss``, which includes the interpreter and imported libraries) and
its ``tracemalloc`` peak (Python and NumPy allocations only; SuperLU's internal memory is not
traced) belong to it alone. Timings (data simulation excluded) are medians over ``--repeats`` runs after one warm-up run;
the minimum is shown too, as other processes on a shared machine inflate the median; the peak
RSS includes the simulated data.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import resource
import statistics
import time
import tracemalloc

import numpy as np

X = [f"x{j}" for j in range(1, 6)]
BETA = [1.0, -1.0, 0.5, 0.3, -0.2]
THETA = [0.5, -0.3, 0.2, 0.1, 0.0]


def _data(side: int, model: str):
    import libpysal

    from clusterdx.spatial._simulate import simulate_panel

    w = libpysal.weights.lat2W(side, side, rook=False)
    w.transform = "r"
    theta = THETA if model == "sdm" else None
    frame = simulate_panel(w.sparse, 15, BETA, theta=theta, rho=0.4, seed=1)
    return frame, w


def _clusterdx(side: int, model: str, effects: str, with_impacts: bool):
    """Prepare the data, return the timed job: clusterdx fit (+ impacts)."""
    from clusterdx.spatial import fit

    frame, w = _data(side, model)
    ids = (w.sparse, list(range(w.n)))

    def job() -> None:
        res = fit(
            frame,
            y="y",
            x=X,
            w=ids,
            entity="entity",
            time="time",
            model=model,
            effects=effects,
            bias_correction=False,
        )
        if with_impacts:
            res.impacts(draws=1000, seed=0)

    return job


def _spreg(side: int):
    """Prepare the data, return the timed job: spreg.Panel_FE_Lag (stacked period by period)."""
    import spreg

    frame, w = _data(side, "sar")
    stacked = frame.sort_values(["time", "entity"])
    y, x = stacked[["y"]].to_numpy(), stacked[X].to_numpy()

    def job() -> None:
        spreg.Panel_FE_Lag(y, x, w)

    return job


def _timed(make, args, repeats: int, light: bool, queue) -> None:
    """Child process: build the data, warm up, time ``repeats`` runs, one traced run for memory.

    ``light`` (for the slow peer): no warm-up and no traced run; memory from ru_maxrss only.
    """
    job = make(*args)
    if not light:
        job()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    traced = float("nan")
    if not light:
        tracemalloc.start()
        job()
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    queue.put((statistics.median(times), times, traced, rss))


def _run(make, args, repeats: int, light: bool = False):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_timed, args=(make, args, repeats, light, queue))
    proc.start()
    out = queue.get()
    proc.join()
    return out


def _pooled(runs: list[tuple]) -> tuple[float, list[float], float, float]:
    """One row from several `_run` results: median of all their times, the largest memory."""
    times = [t for _, ts, _, _ in runs for t in ts]
    return statistics.median(times), times, max(r[2] for r in runs), max(r[3] for r in runs)


def _trace_accuracy(side: int) -> list[tuple[str, float, float]]:
    """SEs of an SDM two-way fit with stochastic and with exact traces (patched in for the run)."""
    from clusterdx.spatial import _information, fit

    frame, w = _data(side, "sdm")
    ids = (w.sparse, list(range(w.n)))
    stochastic = fit(
        frame, y="y", x=X, w=ids, entity="entity", time="time", model="sdm", effects="twoways"
    )
    original = _information.spatial_traces

    def exact(*args, **kwargs):
        return original(*args, **{**kwargs, "exact": True})

    _information.spatial_traces = exact
    try:
        exact_fit = fit(
            frame, y="y", x=X, w=ids, entity="entity", time="time", model="sdm", effects="twoways"
        )
    finally:
        _information.spatial_traces = original
    keys = ["x1", "W_x1", "rho", "sigma2"]
    return [(k, float(stochastic.bse[k]), float(exact_fit.bse[k])) for k in keys]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-spreg", action="store_true", help="spreg needs ~6 GB and ~20 s")
    parser.add_argument(
        "--peer-repeats", type=int, default=3, help="spreg runs, alternating with clusterdx's"
    )
    parser.add_argument(
        "--settle", type=float, default=5.0, help="seconds of pause between the SAR processes"
    )
    parser.add_argument(
        "--sides", type=int, nargs=2, default=(53, 100), help="lattice sides of the two sizes"
    )
    args = parser.parse_args()
    small, large = args.sides
    at = {side: f"N={side * side:,} T=15" for side in args.sides}
    gb = 1024**3
    print(f"python {platform.python_version()}, numpy {np.__version__}, {mp.cpu_count()} CPUs")
    rows = []
    sdm = _run(_clusterdx, (small, "sdm", "twoways", True), args.repeats)
    rows.append((f"SDM two-way FE + impacts, {at[small]}", sdm))
    # the ratio's two sides alternate, each process after the other's, so that both see the
    # same load: clusterdx's `--repeats` runs, then one spreg run, `--peer-repeats` times; each
    # process starts `--settle` seconds after the last one ended (the exit of spreg's 6 GB
    # process slowed the next process's first second by up to 40 % on a 2-core machine)
    sar_runs, peer_runs = [], []
    for _ in range(1 if args.skip_spreg else args.peer_repeats):
        if peer_runs:
            time.sleep(args.settle)
        sar_runs.append(_run(_clusterdx, (small, "sar", "individual", False), args.repeats))
        if not args.skip_spreg:
            time.sleep(args.settle)
            peer_runs.append(_run(_spreg, (small,), 1, light=True))
    sar = _pooled(sar_runs)
    rows.append((f"SAR individual FE, {at[small]} (clusterdx)", sar))
    if not args.skip_spreg:
        peer = _pooled(peer_runs)
        rows.append((f"SAR individual FE, {at[small]} (spreg.Panel_FE_Lag)", peer))
    big = _run(_clusterdx, (large, "sdm", "twoways", True), max(1, args.repeats // 2))
    rows.append((f"SDM two-way FE + impacts, {at[large]}", big))

    print(f"\n{'case':58s} {'median s':>9s} {'min s':>7s} {'traced GB':>10s} {'peak RSS GB':>12s}")
    for name, (median, times, traced, rss) in rows:
        print(f"{name:58s} {median:9.3f} {min(times):7.3f} {traced / gb:10.3f} {rss / gb:12.3f}")
    if not args.skip_spreg:
        print(
            f"\nspreg / clusterdx time ratio (SAR FE, {at[small]}): {peer[0] / sar[0]:.1f}x on "
            f"medians, {min(peer[1]) / min(sar[1]):.1f}x on minima"
        )

    print(f"\nstochastic vs exact traces, SDM two-way FE, {at[small]}: standard errors")
    for key, approx, exact in _trace_accuracy(small):
        print(
            f"  {key:8s} stochastic {approx:.6g}  exact {exact:.6g}  rel diff {approx / exact - 1:+.2e}"
        )


if __name__ == "__main__":
    main()
