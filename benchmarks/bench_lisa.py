"""Local Moran's I (LISA) of the county-level map: clusterdx against esda, run by hand.

    python benchmarks/bench_lisa.py [--repeats 5] [--permutations 999]

One cross-section on China's 2,852 county-level units, queen contiguity (row-standardised), values
simulated with spatial dependence (ρ = 0.5, seed 1). Times `clusterdx.report.figures.lisa_clusters`
(the statistics of the pipeline's LISA map: alignment by id, checks, the conditional permutation
inference of `clusterdx.spatial.local_moran`, the cluster classes) against ``esda.Moran_Local``
alone with the same permutations and seed, both after a warm-up, medians of ``--repeats`` (and mean CPU seconds of as many more
calls); and,
once, esda's first call in this process (numba compiles its permutation kernel then, in every new
process; ours needs no compilation). Target: clusterdx / esda ≤ 1.2 warm. The local statistics
and pseudo p-values are checked equal.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from _timing import timed


def _cpu(func, repeats: int) -> float:
    """Mean CPU seconds (``time.process_time``) of ``repeats`` further calls of ``func``."""
    start = time.process_time()
    for _ in range(repeats):
        func()
    return (time.process_time() - start) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--permutations", type=int, default=999)
    args = parser.parse_args()
    import esda
    import libpysal

    from clusterdx import regions, weights
    from clusterdx.report.figures import lisa_clusters
    from clusterdx.spatial.logdet import filter_factor

    w = weights.contiguity(regions.counties(), rule="queen")
    n = w.n
    rng = np.random.default_rng(1)
    values = filter_factor(w.sparse, 0.5).solve(rng.standard_normal(n))
    frame = pd.DataFrame({"region": list(w.id_order), "year": 2023, "v": values})
    perms, seed = args.permutations, 0

    def ours():
        return lisa_clusters(frame, "v", w, permutations=perms, seed=seed)

    def peer():
        copy = libpysal.weights.W(dict(w.neighbors), dict(w.weights), silence_warnings=True)
        return esda.Moran_Local(values, copy, permutations=perms, seed=seed)

    start = time.process_time()
    peer()
    first_esda = time.process_time() - start
    t_ours, res = timed(ours, args.repeats)
    cpu_ours = _cpu(ours, args.repeats)
    t_esda, local = timed(peer, args.repeats)
    cpu_esda = _cpu(peer, args.repeats)
    assert np.allclose(res["Ii"].to_numpy(), local.Is, rtol=0, atol=1e-12)
    assert np.array_equal(res["p_sim"].to_numpy(), local.p_sim)
    print(f"N = {n} counties, {perms} permutations, medians of {args.repeats} after a warm-up")
    print(f"  clusterdx lisa_clusters   {t_ours:7.3f} s   (mean CPU {cpu_ours:.3f} s)")
    print(f"  esda.Moran_Local          {t_esda:7.3f} s   (mean CPU {cpu_esda:.3f} s)")
    print(f"  ratio clusterdx / esda    {t_ours / t_esda:7.2f}  (target <= 1.2)")
    print(f"  esda's first call (numba compilation included): {first_esda:.1f} CPU s")


if __name__ == "__main__":
    main()
