"""Schema of the clean region-year panel (pandera), checked before ``panel.parquet`` is written.

The readers already refuse bad cells one by one; this schema is the last guard on the assembled
panel: integer region codes from the registry, years inside the study window, one row per
region-year, float variables without missing or infinite values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from clusterdx.errors import PanelError
from clusterdx.regions.own import study_regions
from clusterdx.regions.registry import table as region_table
from clusterdx.study import Study


def panel_schema(study: Study, variables: list[str]) -> pa.DataFrameSchema:
    """The pandera schema of the clean panel of ``study`` with the given variable columns."""
    first, last = study.spec.study.years
    own = study_regions(study)
    codes = own.codes if own is not None else region_table(study.spec.study.level)["code"].tolist()
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
    try:
        return panel_schema(study, variables).validate(panel, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases.head(10)
        listing = "; ".join(
            f"column {row.column!r}: {row.check} failed for {row.failure_case!r}"
            for row in cases.itertuples(index=False)
        )
        raise PanelError(f"the clean panel violates its schema: {listing}") from None
