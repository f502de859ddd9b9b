"""The indicator system of a study (指标体系): each entropy composite's components with their
dimension, direction, unit and entropy weight, for the paper's indicator-system table.

The weights are those `clusterdx.indicators.recipes.compute_indicators` uses to build the index:
`clusterdx.indicators.entropy.entropy_weights` of the recipe's components over all region-years
(``standardise = "pooled"``), or the mean over years of the per-year weights (``"by_year"``, whose
index uses each year's own weights). A component's unit is the recipe's ``unit``, else the
variable's stored unit, else, for a formula ``a / b`` of two variables, ``unit(a)/unit(b)``
(``"1"`` when both are the same unit), else unknown (``""``).
"""

from __future__ import annotations

import pandas as pd

from clusterdx.expressions import parse
from clusterdx.indicators.entropy import entropy_weights
from clusterdx.study import Study

SYSTEM_COLUMNS = ("index", "dimension", "indicator", "direction", "unit", "weight")


def component_unit(study: Study, name: str) -> str:
    """Display unit of variable or indicator ``name`` (module docstring; ``""`` when unknown).

    >>> from pathlib import Path
    >>> study = Study.from_dict(
    ...     {"study": {"name": "demo", "years": [2020, 2021]},
    ...      "variables": {"gdp": {"unit": "亿元"}, "pop": {"unit": "万人"}},
    ...      "sources": [{"name": "macro", "file": "macro.csv", "region": "region",
    ...                   "variables": {"gdp": {"column": "gdp"}, "pop": {"column": "pop"}}}],
    ...      "indicators": {"gdp_pc": {"method": "formula", "formula": "gdp / pop"},
    ...                     "lq": {"method": "formula", "formula": "log(gdp)", "unit": "%"}}},
    ...     Path("study.toml"))
    >>> component_unit(study, "gdp"), component_unit(study, "gdp_pc"), component_unit(study, "lq")
    ('亿元', '亿元/万人', '%')
    """
    spec = study.spec
    if name in spec.variables:
        return spec.variables[name].unit
    recipe = spec.indicators.get(name)
    if recipe is None:
        return ""
    if recipe.unit:
        return recipe.unit
    if recipe.method == "formula" and recipe.formula:
        node = parse(recipe.formula)
        if node.kind == "binary" and node.value == "/":
            parts = [a.value for a in node.args if a.kind == "name" and a.value in spec.variables]
            if len(parts) == 2:
                top, bottom = (spec.variables[p].unit for p in parts)
                return "1" if top == bottom else f"{top}/{bottom}"
    return ""


def indicator_system(study: Study, frame: pd.DataFrame, time: str = "year") -> pd.DataFrame:
    """One row per component of each entropy recipe of ``study`` (columns `SYSTEM_COLUMNS`).

    ``index`` is the composite's name, ``dimension`` the name of its ``dimensions`` entry holding
    the component (the composite's name when it declares none), ``direction`` ``"positive"`` or
    ``"negative"``; ``weight`` sums to 1 within each composite. ``frame`` holds the components
    (the ``indicators.parquet`` of the pipeline).

    Examples
    --------
    >>> from pathlib import Path
    >>> study = Study.from_dict(
    ...     {"study": {"name": "demo", "years": [2020, 2021]},
    ...      "variables": {"a": {"unit": "件"}, "b": {"unit": "index"}},
    ...      "sources": [{"name": "s", "file": "s.csv", "region": "region",
    ...                   "variables": {"a": {"column": "a"}, "b": {"column": "b"}}}],
    ...      "indicators": {"dt": {"method": "entropy", "positive": ["a"], "negative": ["b"]}}},
    ...     Path("study.toml"))
    >>> frame = pd.DataFrame({"year": [2020, 2020, 2021], "a": [1.0, 2.0, 3.0], "b": [1.0, 1.0, 4.0]})
    >>> system = indicator_system(study, frame)
    >>> system[["indicator", "direction", "unit"]].to_dict("list")
    {'indicator': ['a', 'b'], 'direction': ['positive', 'negative'], 'unit': ['件', 'index']}
    >>> system["weight"].round(3).tolist()   # entropy_weights(frame, ["a"], ["b"])
    [0.533, 0.467]
    """
    rows = []
    for name, recipe in study.spec.indicators.items():
        if recipe.method != "entropy":
            continue
        if recipe.standardise == "by_year":
            weights = pd.concat(
                [
                    entropy_weights(g, recipe.positive, recipe.negative, recipe.shift)
                    for _, g in frame.groupby(time, sort=True)
                ],
                axis=1,
            ).mean(axis=1)
        else:
            weights = entropy_weights(frame, recipe.positive, recipe.negative, recipe.shift)
        dimension = {c: d.name for d in recipe.dimensions for c in d.indicators}
        order = [c for d in recipe.dimensions for c in d.indicators] or list(weights.index)
        for component in order:
            rows.append(
                {
                    "index": name,
                    "dimension": dimension.get(component, name),
                    "indicator": component,
                    "direction": "positive" if component in recipe.positive else "negative",
                    "unit": component_unit(study, component),
                    "weight": float(weights[component]),
                }
            )
    return pd.DataFrame(rows, columns=list(SYSTEM_COLUMNS))
