"""Raw data in, clean tables out: readers (CSV/XLSX, UTF-8/GBK), units, panel builder, audit, demo."""

from clusterdx.data.audit import Audit
from clusterdx.data.panel import CleanData, build_clean, build_panel, merge_region_year, read_source
from clusterdx.data.readers import detect_encoding, parse_numeric, read_csv, read_xlsx_sheet
from clusterdx.data.units import UNITS, conversion_factor

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
