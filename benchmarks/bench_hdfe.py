"""Time of ``cdx.panel.fit(..., absorb=[...])`` against pyfixest itself: ``python benchmarks/bench_hdfe.py``.

A simulated firm panel of ``--rows`` firm-years (``--firms`` firms, 20 years, 60 industries, 31
provinces; seed ``--seed``), ``y ~ x1 + x2`` with firm, industry×year and province×year effects
absorbed and errors clustered by firm. ``clusterdx`` includes its input checks, the singleton pass
and the result assembly; ``pyfixest`` is ``pyfixest.feols`` on the same frame with the same
formula. Medians of ``--repeats`` runs after one warm-up each (numba compilation), and the ratio
clusterdx / pyfixest; the coefficients are checked equal to 1e-8.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
from _timing import timed

from clusterdx.panel import fit

ABSORB = ["firm", "industry^year", "province^year"]


def make_panel(rows: int, firms: int, seed: int) -> pd.DataFrame:
    """Firm-years with firm, industry-year and province-year effects."""
    rng = np.random.default_rng(seed)
    years = rows // firms
    firm = np.repeat(np.arange(firms), years)
    year = np.tile(np.arange(2000, 2000 + years), firms)
    industry = rng.integers(60, size=firms)[firm]
    province = rng.integers(31, size=firms)[firm]
    effect = rng.normal(size=firms)[firm]
    shock = rng.normal(size=(60, years))[industry, year - 2000]
    frame = pd.DataFrame({"firm": firm, "year": year, "industry": industry, "province": province})
    frame["x1"] = rng.normal(size=len(frame)) + 0.5 * effect
    frame["x2"] = rng.normal(size=len(frame)) + shock
    frame["y"] = (
        0.4 * frame["x1"] - 0.2 * frame["x2"] + effect + shock + rng.normal(size=len(frame))
    )
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--firms", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    frame = make_panel(args.rows, args.firms, args.seed)
    warnings.simplefilter("ignore")
    fml = "y ~ x1 + x2 | firm + industry^year + province^year"
    t_pf, ref = timed(lambda: pf.feols(fml, data=frame, vcov={"CRV1": "firm"}), args.repeats)
    t_cdx, res = timed(
        lambda: fit(frame, "y ~ x1 + x2", entity="firm", time="year", absorb=ABSORB), args.repeats
    )
    np.testing.assert_allclose(res.params.to_numpy(), ref.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(res.bse.to_numpy(), ref.se().to_numpy(), rtol=1e-8)
    print(f"rows {len(frame):,}, firms {args.firms:,}, absorbed {', '.join(ABSORB)}")
    print(f"pyfixest  median {t_pf:.2f} s")
    print(f"clusterdx median {t_cdx:.2f} s")
    print(f"ratio clusterdx / pyfixest: {t_cdx / t_pf:.2f}")


if __name__ == "__main__":
    main()
