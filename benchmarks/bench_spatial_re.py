"""Spatial-lag random effects against spreg: ``python benchmarks/bench_spatial_re.py``.

SAR with random individual effects on a simulated panel (``clusterdx.spatial._simulate``, seed 1,
queen lattice ``--side`` × ``--side`` row-standardised, default N = 2,809, T = 15, k = 5): clusterdx
``spatial.fit(..., model="sar", effects="random")`` (the nested 1-D searches of
``spatial/_random_effects.py``) against ``spreg.Panel_RE_Lag`` 1.9 on the same data stacked period
by period. clusterdx: median of ``--repeats`` runs after a warm-up; spreg: one run
(``--skip-spreg`` leaves it out; it needs several GB at N = 2,809). The estimates of ρ and β are
compared (spreg stops at its own tolerance ``epsilon=1e-7``).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np

X = [f"x{j}" for j in range(1, 6)]
BETA = [1.0, -1.0, 0.5, 0.3, -0.2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=53)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-spreg", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    import libpysal

    from clusterdx.spatial import fit
    from clusterdx.spatial._simulate import simulate_panel

    w = libpysal.weights.lat2W(args.side, args.side, rook=False)
    w.transform = "r"
    frame = simulate_panel(w.sparse, 15, BETA, rho=0.4, seed=1)
    ids = (w.sparse, list(range(w.n)))

    def ours():
        return fit(
            frame, y="y", x=X, w=ids, entity="entity", time="time", model="sar", effects="random"
        )

    res = ours()
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        res = ours()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"SAR RE, N = {w.n:,}, T = 15: clusterdx median {median:.3f} s (min {min(times):.3f} s)")
    if args.skip_spreg:
        return
    import spreg

    stacked = frame.sort_values(["time", "entity"])
    start = time.perf_counter()
    peer = spreg.Panel_RE_Lag(stacked[["y"]].to_numpy(), stacked[X].to_numpy(), w)
    peer_time = time.perf_counter() - start
    ours_est = res.params[["const", *X, "rho"]].to_numpy()
    # spreg's betas: CONSTANT, x1..x5, W_y (rho), then phi
    theirs = np.asarray(peer.betas).ravel()[: len(ours_est)]
    worst = np.max(np.abs(ours_est - theirs) / np.maximum(np.abs(theirs), 1e-12))
    print(f"spreg.Panel_RE_Lag {spreg.__version__}: {peer_time:.2f} s (one run)")
    print(f"spreg / clusterdx time ratio: {peer_time / median:.1f}x")
    print(f"worst relative difference of const, betas and rho vs spreg: {worst:.1e}")


if __name__ == "__main__":
    main()
