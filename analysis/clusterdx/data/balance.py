"""Gaps of the region-year panel: excluded regions, missing region-years, balancing policies.

The clean panel may be unbalanced (a region lacking some years): non-spatial panel estimators
(linearmodels, pyfixest) handle that. The steps that need a balanced panel (spatial ML, Moran's I
by year, the Hansen threshold model) call `require_balanced`, which names the gaps and the study
keys that settle them: ``[study].exclude_regions`` (study-wide) or ``[cleaning].balance``
(``"drop_regions"`` / ``"drop_years"``, applied by the panel builder). Every region-year left
out is recorded in the audit.
"""

from __future__ import annotations

from collections.abc import Hashable

import pandas as pd

from clusterdx.data.audit import Audit
from clusterdx.errors import PanelError, StudySpecError
from clusterdx.study import Study

_SHOWN = 8


def region_names(study: Study) -> dict[Hashable, str]:
    """Display name of each region code: ``[regions]`` names, or the registry's Chinese names."""
    from clusterdx.regions.own import study_regions
    from clusterdx.regions.registry import table

    own = study_regions(study)
    if own is not None:
        return dict(zip(own.codes, own.frame["name"], strict=True))
    registry = table(study.spec.study.level, include_sar_taiwan=True)
    return dict(zip(registry["code"].tolist(), registry["name_zh"], strict=True))


def region_code(study: Study, value: object) -> Hashable:
    """Code of a region named or coded in the study spec (own regions or the registry)."""
    from clusterdx.regions import lookup
    from clusterdx.regions.own import study_regions

    own = study_regions(study)
    return own.lookup(value) if own is not None else lookup(value, level=study.spec.study.level)


def excluded_codes(study: Study) -> list[Hashable]:
    """Codes of ``[study].exclude_regions``; an unknown entry is a `StudySpecError`."""
    codes = []
    for value in study.spec.study.exclude_regions:
        try:
            codes.append(region_code(study, value))
        except Exception as exc:
            raise StudySpecError(f"{study.path}: [study].exclude_regions: {exc}") from None
    return codes


def gaps(panel: pd.DataFrame, entity: str = "region", time: str = "year") -> pd.DataFrame:
    """Region-years absent from a long panel, over its regions x its years (columns entity, time)."""
    grid = pd.MultiIndex.from_product(
        [sorted(panel[entity].unique()), sorted(panel[time].unique())], names=[entity, time]
    )
    present = pd.MultiIndex.from_frame(panel[[entity, time]])
    return grid.difference(present).to_frame(index=False)


def describe(missing: pd.DataFrame, names: dict[Hashable, str]) -> str:
    """``540000 西藏: 2013, 2014; ...`` for the first regions with gaps."""
    by_region = missing.groupby("region", sort=True)["year"].agg(list)
    parts = []
    for region, years in list(by_region.items())[:_SHOWN]:
        name = names.get(region)
        label = f"{region} {name}" if name and str(name) != str(region) else f"{region}"
        parts.append(f"{label}: {', '.join(str(y) for y in years)}")
    more = f"; and {len(by_region) - _SHOWN} more region(s)" if len(by_region) > _SHOWN else ""
    return "; ".join(parts) + more


def settle(study: Study, panel: pd.DataFrame, seen: dict[str, str], audit: Audit) -> pd.DataFrame:
    """Keep the complete region-years of a merged panel (indexed region, year over the full grid).

    Region-years lacking any variable are left out and listed in ``audit.tables["panel"]``
    (``missing_region_years``, with the variables lacking); ``[cleaning].balance`` then drops the
    regions or the years with gaps (audited), or leaves the panel unbalanced (``"error"``: the steps
    needing balance refuse it).
    """
    incomplete = panel.isna().any(axis=1)
    missing = [
        {"region": region, "year": int(year), "variables": [c for c, f in flags.items() if f]}
        for (region, year), flags in panel.loc[incomplete].isna().iterrows()
    ]
    panel = panel.loc[~incomplete].reset_index()
    policy = study.spec.cleaning.balance
    holes = gaps(panel)
    before = len(panel)
    dropped_regions: list = []
    dropped_years: list = []
    if len(holes) and policy == "drop_regions":
        dropped_regions = sorted(holes["region"].unique().tolist())
        panel = panel[~panel["region"].isin(dropped_regions)]
    elif len(holes) and policy == "drop_years":
        dropped_years = sorted(int(y) for y in holes["year"].unique())
        panel = panel[~panel["year"].isin(dropped_years)]
    entry = audit.tables.setdefault("panel", {})
    entry["missing_region_years"] = [
        {**m, "from": sorted({seen[v] for v in m["variables"]})} for m in missing
    ]
    entry["balance"] = {
        "policy": policy,
        "dropped_regions": [_py(r) for r in dropped_regions],
        "dropped_years": dropped_years,
        "rows_dropped": before - len(panel),
    }
    return panel.reset_index(drop=True)


def _py(value):
    return value.item() if hasattr(value, "item") else value


def require_balanced(
    study: Study, frame: pd.DataFrame, purpose: str, entity: str = "region", time: str = "year"
) -> None:
    """Raise `PanelError` naming the gaps and the keys that settle them if ``frame`` is unbalanced."""
    holes = gaps(frame, entity, time)
    if holes.empty:
        return
    codes = sorted(holes[entity].unique().tolist())
    shown = ", ".join(repr(c) if isinstance(c, str) else str(c) for c in codes[:_SHOWN])
    raise PanelError(
        f"{purpose} needs a balanced panel, but {len(holes)} region-year(s) are missing: "
        f"{describe(holes.rename(columns={entity: 'region', time: 'year'}), region_names(study))}. "
        f"Declare how to balance it in the study file: [study].exclude_regions = [{shown}] "
        'drops these regions from the whole study, or [cleaning].balance = "drop_regions" '
        '(every region with a gap) or "drop_years" (every year with a gap); both are recorded '
        "in audit.json"
    )
