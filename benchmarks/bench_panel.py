"""Two-way FE + firm-clustered CRV1 against pyfixest, linearmodels and a NumPy floor.

``python benchmarks/bench_panel.py`` (1 M firm-years) or ``--rows 10000000`` (10 M; needs about
6 GB, add ``--skip-linearmodels`` to spare the most memory-hungry peer).

A simulated balanced panel of ``--rows`` firm-years (10 years, ``rows / 10`` firms, seed
``--seed``), ``y ~ x0 + ... + x4`` with firm and year effects, errors clustered by firm;
``--unbalanced`` drops 1 % of the rows at random (the NumPy floor, which uses the balanced
formula, is then skipped). Cases, each timed as medians of ``--repeats`` runs after one warm-up:

* ``clusterdx``: ``cdx.panel.fit(frame, ..., model="fe", effects="twoways", cov="cluster")``,
  input checks and result assembly included;
* ``pyfixest``: ``pyfixest.feols("y ~ ... | firm + year", vcov={"CRV1": "firm"})``;
* ``linearmodels``: ``PanelOLS(..., entity_effects=True, time_effects=True)`` fitted with
  clustered errors, ``set_index`` included;
* ``numpy floor``: the balanced two-way within transformation by ``numpy.bincount``, OLS and CRV1
  on arrays (no checks, no labels): what the arithmetic itself costs.

Checks: coefficients equal to linearmodels' to 1e-10 (relative) and CRV1 standard errors equal to
pyfixest's sandwich times our documented factor G/(G-1)(n-1)/(n-K), K = k + T - 1, to 1e-8
(fixest's default K counts one more parameter, k + T). Set ``OMP_NUM_THREADS=1
NUMBA_NUM_THREADS=1`` for one-thread figures.
"""

from __future__ import annotations

import argparse
import warnings
from typing import Any

import numpy as np
import pandas as pd
from _timing import timed

from clusterdx.panel import fit

X = [f"x{j}" for j in range(5)]
FORMULA = "y ~ " + " + ".join(X)
YEARS = 10


def make_panel(rows: int, seed: int, unbalanced: bool) -> pd.DataFrame:
    """Firm-years with firm and year effects and regressors correlated with the firm effect."""
    rng = np.random.default_rng(seed)
    firms = rows // YEARS
    firm = np.repeat(np.arange(firms), YEARS)
    year = np.tile(np.arange(2010, 2010 + YEARS), firms)
    effect = rng.normal(size=firms)[firm]
    frame = pd.DataFrame({"firm": firm, "year": year})
    for name in X:
        frame[name] = rng.normal(size=len(frame)) + 0.5 * effect
    shock = rng.normal(size=YEARS)[year - 2010]
    beta = np.array([0.5, -0.3, 0.2, 0.1, -0.1])
    frame["y"] = frame[X].to_numpy() @ beta + effect + shock + rng.normal(size=len(frame))
    if unbalanced:
        frame = frame.drop(index=rng.choice(len(frame), len(frame) // 100, replace=False))
        frame = frame.reset_index(drop=True)
    return frame


def numpy_floor(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Balanced two-way within estimator with CRV1 by firm, on arrays."""
    firm = frame["firm"].to_numpy()
    year = frame["year"].to_numpy() - 2010
    z = np.vstack([frame[c].to_numpy() for c in [*X, "y"]])
    n, n_firms = z.shape[1], firm.max() + 1
    firm_means = np.vstack([np.bincount(firm, row, n_firms) for row in z]) / YEARS
    year_means = np.vstack([np.bincount(year, row, YEARS) for row in z]) / n_firms
    z = z - firm_means[:, firm] - year_means[:, year] + z.mean(axis=1, keepdims=True)
    x, y = z[:-1], z[-1]
    xtx_inv = np.linalg.inv(x @ x.T)
    beta = xtx_inv @ (x @ y)
    scores = x * (y - beta @ x)
    sums = np.vstack([np.bincount(firm, row, n_firms) for row in scores])
    k = len(X) + YEARS - 1
    factor = n_firms / (n_firms - 1) * (n - 1) / (n - k)
    cov = xtx_inv @ (sums @ sums.T) @ xtx_inv * factor
    return beta, np.sqrt(np.diag(cov))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--unbalanced", action="store_true")
    parser.add_argument("--skip-linearmodels", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    frame = make_panel(args.rows, args.seed, args.unbalanced)
    n_firms = frame["firm"].nunique()
    print(f"rows {len(frame):,}, firms {n_firms:,}, years {YEARS}, regressors {len(X)}")

    times: dict[str, float] = {}
    times["clusterdx"], ours = timed(
        lambda: fit(frame, FORMULA, entity="firm", time="year", model="fe", effects="twoways"),
        args.repeats,
    )
    import pyfixest as pf

    times["pyfixest"], ref_pf = timed(
        lambda: pf.feols(
            f"{FORMULA} | firm + year",
            data=frame,
            vcov={"CRV1": "firm"},
            ssc=pf.ssc(k_adj=False, G_adj=False),
        ),
        args.repeats,
    )
    n, k = len(frame), len(X) + YEARS - 1
    factor = n_firms / (n_firms - 1) * (n - 1) / (n - k)
    np.testing.assert_allclose(ours.bse, ref_pf.se().to_numpy() * np.sqrt(factor), rtol=1e-8)
    np.testing.assert_allclose(ours.params, ref_pf.coef().to_numpy(), rtol=1e-10)
    print("check: CRV1 SEs equal pyfixest's (its sandwich x our factor) to 1e-8: ok")
    if not args.skip_linearmodels:
        from linearmodels import PanelOLS

        def linearmodels_fit() -> Any:
            data = frame.set_index(["firm", "year"])
            model = PanelOLS(data["y"], data[X], entity_effects=True, time_effects=True)
            return model.fit(cov_type="clustered", cluster_entity=True)

        times["linearmodels"], ref_lm = timed(linearmodels_fit, args.repeats)
        np.testing.assert_allclose(ours.params, ref_lm.params.to_numpy(), rtol=1e-10)
        print("check: coefficients equal linearmodels' to 1e-10: ok")
    if not args.unbalanced:
        times["numpy floor"], (beta, se) = timed(lambda: numpy_floor(frame), args.repeats)
        np.testing.assert_allclose(ours.params, beta, rtol=1e-10)
        np.testing.assert_allclose(ours.bse, se, rtol=1e-10)
    print(f"\n{'case':<14}{'median':>10}{'clusterdx / case':>18}")
    for name, seconds in times.items():
        print(f"{name:<14}{seconds:>9.3f}s{times['clusterdx'] / seconds:>18.2f}")


if __name__ == "__main__":
    main()
