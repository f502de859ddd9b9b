"""Write ``csdid_reference.json``: group-time ATTs and aggregations from the Python package csdid.

Provenance: csdid 0.4.3 (PyPI; d2cml-ai's port of R ``did``, independent of ClusterDX), run in a
separate virtual environment that is **not** a ClusterDX dependency::

    python -m venv /tmp/csdid_ref_venv && /tmp/csdid_ref_venv/bin/pip install csdid==0.4.3
    /tmp/csdid_ref_venv/bin/python tests/validation/reference/make_csdid_reference.py

Data: ``mpdta.csv`` in this folder (R ``did``'s county teen-employment panel, 500 counties ×
2003-2007, outcome ``lemp``, cohort ``first.treat``, covariate ``lpop``), plus a simulated
staggered panel written here as ``csdid_sim.csv`` (seeded; a time-varying covariate ``x`` that
shifts both the cohort and the trend, so the three estimators differ). Calls::

    ATTgt(yname, tname, idname, gname, data, control_group=cg, xformla="y~x")
        .fit(est_method=m, base_period=bp, bstrap=False)
    .aggte(typec=t, bstrap=False)   for t in simple, group, dynamic

for every est_method m in dr / ipw / reg, control group cg and base period bp listed in
SCENARIOS. ClusterDX never imports csdid: the tests read the JSON.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def simulated(seed: int = 20261202, n: int = 400) -> pd.DataFrame:
    """Staggered panel, 6 periods, cohorts 3/4/5 and never treated; x shifts cohort and trend."""
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=n)
    score = 0.8 * x0 + rng.normal(size=n)
    cohort = np.select([score > 1.0, score > 0.2, score > -0.4], [3, 4, 5], default=0)
    ids = np.repeat(np.arange(1, n + 1), 6)
    period = np.tile(np.arange(1, 7), n)
    g = cohort[ids - 1]
    x = x0[ids - 1] + 0.2 * rng.normal(size=len(ids))  # time-varying covariate
    effect = np.where((g > 0) & (period >= g), 1.0 + 0.5 * (period - g), 0.0)
    y = (
        rng.normal(size=n)[ids - 1]
        + 0.3 * period
        + 0.4 * x0[ids - 1] * period
        + 0.5 * x
        + effect
        + rng.normal(scale=0.5, size=len(ids))
    )
    return pd.DataFrame({"id": ids, "period": period, "G": g, "x": x, "y": y})


# scenario -> data file, columns (y, t, id, g, covariate), est_method, control group, base
SCENARIOS = {
    f"{data}_{m}_{cg}_{bp}": (data, m, cg, bp)
    for data in ("mpdta", "sim")
    for m in ("dr", "ipw", "reg")
    for cg in ("nevertreated", "notyettreated")
    for bp in ("varying", "universal")
}
COLUMNS = {
    "mpdta": ("lemp", "year", "countyreal", "first.treat", "lpop"),
    "sim": ("y", "period", "id", "G", "x"),
}


def main() -> None:
    from importlib.metadata import version

    from csdid.att_gt import ATTgt

    sim = simulated()
    sim.to_csv(HERE / "csdid_sim.csv", index=False, float_format="%.17g", lineterminator="\n")
    frames = {"mpdta": pd.read_csv(HERE / "mpdta.csv"), "sim": pd.read_csv(HERE / "csdid_sim.csv")}
    out: dict = {"package": "csdid", "version": version("csdid"), "scenarios": {}}
    for name, (data, method, cg, bp) in SCENARIOS.items():
        yname, tname, idname, gname, cov = COLUMNS[data]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            att = ATTgt(
                yname=yname, tname=tname, idname=idname, gname=gname,
                data=frames[data].copy(), control_group=cg, xformla=f"{yname}~{cov}",
            ).fit(est_method=method, base_period=bp, bstrap=False)  # fmt: skip
            cells = [
                {"group": float(g), "time": float(t), "att": float(a), "se": float(s)}
                for g, t, a, s in zip(
                    att.MP["group"],
                    att.MP["t"],
                    att.results["att"],
                    att.results["se"],
                    strict=True,
                )
            ]
            aggs = {}
            for kind in ("simple", "group", "dynamic"):
                agg = att.aggte(typec=kind, bstrap=False).atte
                entry = {
                    "overall_att": float(agg["overall_att"]),
                    "overall_se": float(agg["overall_se"]),
                }
                if kind != "simple":
                    entry["egt"] = [float(e) for e in agg["egt"]]
                    entry["att_egt"] = [float(e) for e in agg["att_egt"]]
                    entry["se_egt"] = [float(e) for e in np.asarray(agg["se_egt"]).ravel()]
                aggs[kind] = entry
        out["scenarios"][name] = {
            "data": data, "est_method": method, "control_group": cg, "base_period": bp,
            "covariate": cov, "att_gt": cells, "aggregations": aggs,
        }  # fmt: skip
        print("ran", name)
    path = HERE / "csdid_reference.json"
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print("wrote", path)


if __name__ == "__main__":
    main()
