"""Input checks shared by the disparity measures: columns present, values finite and positive."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from clusterdx.errors import DataError


def columns(frame: pd.DataFrame, names: Sequence[str], where: str) -> None:
    """Raise a DataError naming the absent columns of ``frame``."""
    absent = [c for c in names if c not in frame.columns]
    if absent:
        raise DataError(f"{where}: column(s) {absent} absent; available {list(frame.columns)}")


def finite(frame: pd.DataFrame, var: str, where: str, *, positive: bool = False) -> np.ndarray:
    """``frame[var]`` as floats; missing, infinite (or, if ``positive``, non-positive) values fail."""
    values = pd.to_numeric(frame[var], errors="coerce").to_numpy(dtype="float64")
    bad = ~np.isfinite(values)
    if positive:
        bad |= values <= 0
    if bad.any():
        rows = frame.index[bad][:5].tolist()
        need = "finite and > 0" if positive else "finite"
        raise DataError(f"{where}: column '{var}' must be {need}; rows {rows} are not")
    return values
