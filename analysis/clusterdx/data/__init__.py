"""Raw data in, clean tables out: readers (CSV/XLSX, UTF-8/GBK), units, panel builder, audit, demo.

The names below are imported from their modules on first use (PEP 562), so that importing one
module (e.g. ``clusterdx.data.audit`` for the pipeline) does not import pandera and the readers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clusterdx._lazy import exported

if TYPE_CHECKING:
    from clusterdx.data.audit import Audit
    from clusterdx.data.panel import (
        CleanData,
        build_clean,
        build_panel,
        merge_region_year,
        read_source,
    )
    from clusterdx.data.readers import detect_encoding, parse_numeric, read_csv, read_xlsx_sheet
    from clusterdx.data.units import UNITS, conversion_factor

_HOMES = {
    "Audit": "audit",
    "CleanData": "panel",
    "build_clean": "panel",
    "build_panel": "panel",
    "merge_region_year": "panel",
    "read_source": "panel",
    "detect_encoding": "readers",
    "parse_numeric": "readers",
    "read_csv": "readers",
    "read_xlsx_sheet": "readers",
    "UNITS": "units",
    "conversion_factor": "units",
}

__all__ = [
    "UNITS",
    "Audit",
    "CleanData",
    "build_clean",
    "build_panel",
    "conversion_factor",
    "detect_encoding",
    "merge_region_year",
    "parse_numeric",
    "read_csv",
    "read_source",
    "read_xlsx_sheet",
]


__getattr__, __dir__ = exported(__name__, _HOMES)
