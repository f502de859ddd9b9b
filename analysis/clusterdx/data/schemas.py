"""Schema of the clean region-year panel (pandera), checked before ``panel.parquet`` is written.

A panel that plainly conforms (checked with numpy first) is returned without importing pandera,
whose import and back-end registration are a third of ``clusterdx validate``'s start-up; any
doubt goes to the pandera schema, which lists every failed check.

The readers already refuse bad cells one by one; this schema is the last guard on the assembled
panel: integer region codes from the registry, years inside the study window, one row per
region-year, float variables without missing or infinite values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from clusterdx.errors import PanelError
from clusterdx.regions.own import study_regions
from clusterdx.regions.registry import table as region_table
from clusterdx.study import Study

if TYPE_CHECKING:
    import pandera.pandas as pa


def panel_schema(study: Study, variables: list[str]) -> pa.DataFrameSchema:
    """The pandera schema of the clean panel of ``study`` with the given variable columns."""
    import pandera.pandas as pa

    first, last = study.spec.study.years
    codes = _codes(study)
    integer = all(isinstance(c, int) for c in codes)
    finite = pa.Check(lambda s: np.isfinite(s), element_wise=False, error="finite (no NaN or inf)")
    return pa.DataFrameSchema(
        {
            "region": pa.Column("int64" if integer else None, pa.Check.isin(codes)),
            "year": pa.Column("int64", pa.Check.in_range(first, last)),
            **{var: pa.Column("float64", finite) for var in variables},
        },
        unique=["region", "year"],
        strict=True,
    )


def validate_panel(study: Study, panel: pd.DataFrame) -> pd.DataFrame:
    """Validate the assembled panel; raise `PanelError` listing every failed check."""
    variables = [c for c in panel.columns if c not in ("region", "year")]
    if _conforms(study, panel, variables):
        return panel
    from pandera.errors import SchemaErrors

    try:
        return panel_schema(study, variables).validate(panel, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases.head(10)
        listing = "; ".join(
            f"column {row.column!r}: {row.check} failed for {row.failure_case!r}"
            for row in cases.itertuples(index=False)
        )
        raise PanelError(f"the clean panel violates its schema: {listing}") from None


def _codes(study: Study) -> list:
    """The region codes the panel may hold: the study's own regions or the registry level's."""
    own = study_regions(study)
    return own.codes if own is not None else region_table(study.spec.study.level)["code"].tolist()


def _conforms(study: Study, panel: pd.DataFrame, variables: list[str]) -> bool:
    """Whether ``panel`` passes every check of `panel_schema` for sure (numpy, no pandera): the
    dtypes, no missing cell, regions among the codes, years in range, finite variables, unique
    region-year pairs. False is no verdict: the schema then decides and names the failures."""
    first, last = study.spec.study.years
    codes = _codes(study)
    region, year = panel.get("region"), panel.get("year")
    if region is None or year is None or year.dtype != np.int64:
        return False
    if all(isinstance(c, int) for c in codes) and region.dtype != np.int64:
        return False
    if region.isna().any() or not region.isin(codes).all():
        return False
    if not ((year >= first) & (year <= last)).all():
        return False
    for var in variables:
        if panel[var].dtype != np.float64 or not np.isfinite(panel[var].to_numpy()).all():
            return False
    return not panel.duplicated(["region", "year"]).any()
