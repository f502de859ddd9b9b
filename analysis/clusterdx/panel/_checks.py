"""Check the rank of the design of the panel estimators.

Every failure raises a ``clusterdx`` error that names the regressors at fault and says
how to fix it, before linearmodels sees the data. The panel itself (keys, duplicates, missing
values) is checked once by :class:`clusterdx.paneldata.PanelFrame`, the options by
`clusterdx.options.common.check_option`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clusterdx.errors import EstimationError


def check_rank(design: pd.DataFrame, what: str) -> None:
    """Raise ``EstimationError`` naming the regressors of ``design`` that are linearly dependent.

    The columns are scaled to unit norm before the singular value decomposition so the check does
    not depend on units; a right singular vector of a (near) zero singular value shows which
    columns combine to zero.
    """
    x = design.to_numpy(dtype=float)
    norms = np.linalg.norm(x, axis=0)
    zero = [str(c) for c, n in zip(design.columns, norms, strict=True) if n <= 1e-12]
    if zero:
        raise EstimationError(
            f"regressors {zero} are identically zero {what}; drop them from the formula."
        )
    _, sing, vt = np.linalg.svd(x / norms, full_matrices=False)
    tol = sing.max() * max(x.shape) * np.finfo(float).eps * 1e3
    if sing.min() > tol:
        return
    null = vt[sing <= tol]
    involved = np.abs(null).max(axis=0) > 1e-6
    names = [str(c) for c, flag in zip(design.columns, involved, strict=True) if flag]
    raise EstimationError(
        f"the design is singular {what}: regressors {names} are linearly dependent "
        "(collinear, or constant within the absorbed effects); drop one of them."
    )
