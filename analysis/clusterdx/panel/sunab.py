r"""Sun-Abraham interaction-weighted (IW) event study under staggered adoption.

Sun & Abraham (2021, *J. Econometrics* 225, 175-199): the saturated two-way FE regression
:math:`y_{it}=\alpha_i+\lambda_t+\sum_{e\ne C}\sum_{\ell\ne -1}\delta_{e\ell}\,1(E_i=e)
1(t-e=\ell)+u_{it}` with a clean control cohort C (the never treated, or else the last-treated
cohort with the periods from its adoption on dropped) estimates cohort-specific effects
:math:`\delta_{e\ell}` (their eq. 15); the IW estimate at relative period :math:`\ell` is
:math:`\hat\nu_\ell=\sum_e \widehat{\Pr}(E=e\mid E\in h_\ell)\hat\delta_{e\ell}` with the
cohort shares among the treated observations at :math:`\ell`. Every relative period gets its own
dummy (no binning), so no period contaminates another. The regression is pyfixest's (``absorb``
path of :func:`clusterdx.panel.fit`); standard errors by the delta method with the shares held
fixed (as fixest's ``sunab`` aggregation), from the clustered covariance. Why our own: pyfixest
has no Sun-Abraham aggregation; the regression itself is pyfixest's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from clusterdx.errors import EstimationError, PanelError
from clusterdx.options.panel import (
    DEFAULT_ALPHA,
    DEFAULT_ENTITY,
    DEFAULT_TIME,
)


def sun_abraham(
    panel: pd.DataFrame,
    y: str,
    treat_year: str,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    cluster: str | None = None,
    alpha: float = DEFAULT_ALPHA,
) -> pd.DataFrame:
    """IW event-study coefficients by relative period (``rel``, ``coef``, ``se``, ``lower``, ``upper``).

    Parameters
    ----------
    panel, y, treat_year, entity, time
        As :func:`clusterdx.panel.did` (never treated: missing, 0 or inf).
    cluster : str, optional
        Cluster variable (default the entity).
    alpha : float
        Level of the intervals (Student t with the fit's degrees of freedom, G−1 when clustered).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"region": np.repeat(np.arange(30), 6), "year": np.tile(range(6), 30)})
    >>> df["g"] = df["region"].map(lambda r: [2, 4, np.nan][r % 3])
    >>> df["y"] = (df["year"] >= df["g"]) * 1.0 + rng.normal(0, 0.1, 180)
    >>> table = sun_abraham(df, "y", "g", entity="region", time="year")
    >>> table.set_index("rel")["coef"].round(1).loc[[0, 1]].tolist()
    [1.0, 1.0]
    """
    from clusterdx.panel.models import fit

    if treat_year not in panel.columns:
        raise PanelError(f"treat_year column {treat_year!r} is not in the panel.")
    frame = panel.reset_index(drop=True)
    cohort = pd.to_numeric(frame[treat_year], errors="coerce").replace([0, np.inf], np.nan)
    t = pd.to_numeric(frame[time], errors="coerce").to_numpy(float)
    cohort = cohort.where(cohort <= np.nanmax(t))
    cohorts = sorted(cohort.dropna().unique())
    if not cohorts:
        raise EstimationError("no entity is ever treated.")
    if cohort.isna().any():
        control = np.nan
    else:
        control = cohorts[-1]
        keep = t < control
        frame, cohort, t = (
            frame.loc[keep].reset_index(drop=True),
            cohort[keep].reset_index(drop=True),
            t[keep],
        )
        cohorts = cohorts[:-1]
        if not cohorts:
            raise EstimationError(
                "one treated cohort and no never-treated units: no clean control."
            )
    rel = t - cohort.to_numpy(float)
    names: dict[tuple[float, float], str] = {}
    data = frame[
        [entity, time, y] + ([cluster] if cluster and cluster not in (entity, time) else [])
    ].copy()
    for e in cohorts:
        in_e = (cohort == e).to_numpy()
        for ell in np.unique(rel[in_e]):
            if ell == -1:
                continue
            name = f"sa_{len(names)}"
            names[(e, ell)] = name
            data[name] = (in_e & (rel == ell)).astype(float)
    kwargs = {} if cluster is None else {"cluster": cluster}
    res = fit(data, f"{y} ~ {' + '.join(names.values())}", entity=entity, time=time,
              absorb=[entity, time], **kwargs)  # fmt: skip
    rows = []
    q = stats.t.ppf(1 - alpha / 2, res.df_inference)
    for ell in sorted({ell for _, ell in names}):
        terms = [(e, names[(e, ell)]) for e in cohorts if (e, ell) in names]
        counts = np.array([data[name].sum() for _, name in terms])
        w = counts / counts.sum()
        cols = [name for _, name in terms]
        coef = float(w @ res.params[cols].to_numpy())
        se = float(np.sqrt(w @ res.cov.loc[cols, cols].to_numpy() @ w))
        rows.append({"rel": int(ell), "coef": coef, "se": se, "lower": coef - q * se,
                     "upper": coef + q * se, "cohorts": len(terms)})  # fmt: skip
    rows.append({"rel": -1, "coef": 0.0, "se": 0.0, "lower": 0.0, "upper": 0.0, "cohorts": 0})
    return pd.DataFrame(rows).sort_values("rel").reset_index(drop=True)
