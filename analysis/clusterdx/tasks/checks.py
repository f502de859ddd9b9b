"""Cross-check the study spec against the indicator panel before any estimation.

`check_spec_against_panel` runs in ``clusterdx validate`` (on the panel it builds in memory) and at
the start of the models and analyses steps, so a model variable that is not a column, a robustness
variant dropping a region the panel does not have, or a period that is not in the study window
fails with the key that names it rather than deep inside an estimator (or, for ``drop_entities``,
not at all: an unknown code would silently drop nothing).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from clusterdx.errors import StudySpecError
from clusterdx.expressions import parse_model_formula
from clusterdx.study import PanelModel, Study

ENTITY, TIME = "region", "year"

#: The registry columns of the units that contain a city or county (China's registry only).
_ENCLOSING = {"city": ("province_code",), "county": ("province_code", "city_code")}
_UNIT_NAMES = {"province_code": "provinces", "city_code": "cities"}


def _enclosing(study: Study) -> tuple[str, ...]:
    """The registry columns of the units enclosing the study's regions (none for own regions)."""
    return _ENCLOSING.get(study.spec.study.level, ()) if study.spec.regions is None else ()


def dropped_regions(
    study: Study, codes: Sequence[str | int], regions: set[str]
) -> dict[str | int, list[str]]:
    """The panel regions (as strings) that each ``drop_entities`` code of a robustness variant drops.

    A code (a number, or a text such as a study's own region code ``"DE11"``) that is a region of
    the panel, compared as text, drops that region. With China's registry (no
    ``[regions]``) at city level a province's code, and at county level a province's or a city's
    code, drops the panel's regions inside that unit, so a study's "剔除直辖市" variant (the four
    municipalities' codes 110000, 120000, 310000, 500000) means the same at every level. A code
    that drops nothing maps to an empty list (`check_spec_against_panel` reports it).

    Examples
    --------
    >>> from pathlib import Path
    >>> study = Study.from_dict({"study": {"name": "d", "years": [2020, 2020], "level": "county"},
    ...     "sources": [{"name": "m", "file": "m.csv", "region": "region"}]}, Path("study.toml"))
    >>> dropped_regions(study, [110000, 130102, 999999, "北京"],
    ...                 {"110101", "110102", "130102", "130104"})
    {110000: ['110101', '110102'], 130102: ['130102'], 999999: [], '北京': []}
    """
    parents = _enclosing(study)
    inside: dict[int, set[str]] = {}
    if parents and any(str(c) not in regions for c in codes):
        from clusterdx.regions import registry

        table = registry.table(study.spec.study.level, include_sar_taiwan=True)
        for column in parents:
            for parent, code in zip(table[column], table["code"], strict=True):
                inside.setdefault(int(parent), set()).add(str(code))

    def members(code: str | int) -> list[str]:
        text = str(code)
        if text in regions:
            return [text]
        if text.isascii() and text.isdigit():  # a registry code of an enclosing unit
            return sorted(inside.get(int(text), set()) & regions)
        return []

    return {c: members(c) for c in codes}


def _uses_by_unit(study: Study) -> list[tuple[str, str, str]]:
    """(key, column, unit) for every column read; unit "cluster": on the cluster-year panel."""
    spec = study.spec
    uses: list[tuple[str, str, str]] = []
    for i, model in enumerate(spec.models):
        if isinstance(model, PanelModel) and model.unit == "cluster":
            y, x = parse_model_formula(model.formula)
            uses += [(f"models.{i}.formula ({model.name})", v, "cluster") for v in (y, *x)]
    for i, a in enumerate(spec.analyses):
        if a.unit != "cluster":
            continue
        for key in ("y", "x", "z", "group"):
            if getattr(a, key):
                uses.append((f"analyses.{i}.{key} ({a.name})", getattr(a, key), "cluster"))
        uses += [(f"analyses.{i}.controls ({a.name})", v, "cluster") for v in a.controls]
        if a.formula:
            y, x = parse_model_formula(a.formula)
            uses += [(f"analyses.{i}.formula ({a.name})", v, "cluster") for v in (y, *x)]
    return uses + [(key, name, "region") for key, name in _region_uses(study)]


def _region_uses(study: Study) -> list[tuple[str, str]]:
    """(key, column) for every column the region models, diagnostics, analyses and robustness read."""
    spec = study.spec
    uses: list[tuple[str, str]] = [(f"diagnostics.moran ({v})", v) for v in spec.diagnostics.moran]
    for i, model in enumerate(spec.models):
        if isinstance(model, PanelModel) and model.unit == "cluster":
            continue
        if isinstance(model, PanelModel):
            y, x = parse_model_formula(model.formula)
            uses += [(f"models.{i}.formula ({model.name})", v) for v in (y, *x)]
        else:
            uses += [(f"models.{i}.y ({model.name})", model.y)]
            uses += [(f"models.{i}.x ({model.name})", v) for v in model.x]
    for i, a in enumerate(spec.analyses):
        if a.unit == "cluster":
            continue
        for key in ("y", "x", "m", "z", "q", "group", "treat_year"):
            if getattr(a, key):
                uses.append((f"analyses.{i}.{key} ({a.name})", getattr(a, key)))
        uses += [(f"analyses.{i}.controls ({a.name})", v) for v in a.controls]
        if a.formula:
            y, x = parse_model_formula(a.formula)
            uses += [(f"analyses.{i}.formula ({a.name})", v) for v in (y, *x)]
    for name, w in spec.weights.items():
        if w.type == "economic_distance" and w.variable:
            uses.append((f"weights.{name}.variable", w.variable))
    if spec.robustness is not None:
        for i, v in enumerate(spec.robustness.variants):
            if v.y:
                uses.append((f"robustness.variants.{i}.y ({v.name})", v.y))
    return uses


def check_spec_against_panel(
    study: Study, frame: pd.DataFrame, clusters: pd.DataFrame | None = None
) -> None:
    """Raise `StudySpecError` for the first spec key naming a column, region or year ``frame`` lacks.

    Keys of ``unit = "cluster"`` models and analyses are checked against ``clusters`` (the
    cluster-year panel), when given.

    Examples
    --------
    >>> from pathlib import Path
    >>> study = Study.from_dict(
    ...     {"study": {"name": "demo", "years": [2020, 2021]},
    ...      "sources": [{"name": "macro", "file": "macro.csv", "region": "region"}],
    ...      "models": [{"kind": "panel", "name": "fe", "formula": "dt ~ gov + tehc"}]},
    ...     Path("study.toml"))
    >>> frame = pd.DataFrame({"region": [1, 2], "year": [2020, 2020], "dt": [0.1, 0.2],
    ...                       "gov": [1.0, 2.0]})
    >>> check_spec_against_panel(study, frame)
    Traceback (most recent call last):
    clusterdx.errors.StudySpecError: key 'models.0.formula (fe)': 'tehc' is not a variable or indicator of the panel; available: ['dt', 'gov', 'region', 'year']
    """
    for name, w in study.spec.weights.items():
        if w.type == "economic_distance" and not w.variable:
            raise StudySpecError(
                f"key 'weights.{name}.variable': type 'economic_distance' needs the variable "
                'whose distance defines the weights, e.g. variable = "gdp"'
            )
        if w.type == "nested":
            for key in ("geo", "econ"):
                other = getattr(w, key)
                if other not in study.spec.weights or other == name:
                    raise StudySpecError(
                        f"key 'weights.{name}.{key}': {other!r} is not one of the other defined "
                        f"weights {sorted(set(study.spec.weights) - {name})}"
                    )
    panels = {"region": frame, "cluster": clusters}
    for key, name, unit in _uses_by_unit(study):
        if panels[unit] is None:
            continue
        columns = {str(c) for c in panels[unit].columns}
        if name not in columns:
            where = "panel" if unit == "region" else "cluster-year panel"
            raise StudySpecError(
                f"key '{key}': {name!r} is not a variable or indicator of the {where}; "
                f"available: {sorted(columns)}"
            )
    if study.spec.robustness is None:
        return
    regions = set(frame[ENTITY].astype(str))
    years = set(frame[TIME].astype(int))
    for i, v in enumerate(study.spec.robustness.variants):
        members = dropped_regions(study, v.drop_entities, regions)
        unknown = [code for code in v.drop_entities if not members[code]]
        if unknown:
            units = " or ".join(_UNIT_NAMES[p] for p in _enclosing(study))
            also = f", or codes of the {units} that contain them" if units else ""
            raise StudySpecError(
                f"key 'robustness.variants.{i}.drop_entities' ({v.name}): {unknown} are not "
                f"regions of the panel; use region codes such as {sorted(regions)[:3]}{also}"
            )
        absent = [p for p in v.exclude_periods if int(p) not in years]
        if absent:
            raise StudySpecError(
                f"key 'robustness.variants.{i}.exclude_periods' ({v.name}): {absent} are not "
                f"years of the panel ({min(years)}–{max(years)})"
            )
