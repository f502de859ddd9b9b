"""The study specification: load and validate ``analysis/study.toml``.

A study is declared in one TOML file: where the raw files are and how to read them, what each
variable is and in which unit it is stored, the cleaning policy, the indicator recipes, the spatial
weights, the models and the table layout. Researchers change the study by editing that file, never
the code. Every key is validated; an unknown key or a bad value fails with a `StudySpecError` that
names the file, the key path, the bad value and the allowed ones.

Paths inside the file are relative to ``paths.root``, itself relative to the folder of the TOML file
(default ``".."``: the project root when the file sits in ``analysis/``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from clusterdx.errors import StudySpecError
from clusterdx.expressions import parse, parse_model_formula
from clusterdx.options import panel as po
from clusterdx.options import spatial as so

#: Names of sources, indicators, variables, weights, models and analyses name output files and
#: columns: a letter (any script, e.g. Chinese) or ``_``, then letters, digits or ``_``, at most 64
#: characters. No path separators, dots, dashes or spaces, so no name can leave its folder.
NAME_PATTERN = re.compile(r"[^\W\d]\w{0,63}")


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ValueError(
            f"name {name!r} is not allowed: names start with a letter or '_' and hold only "
            "letters, digits and '_' (at most 64; no '/', '.', '-' or spaces)"
        )
    return name


def _check_names(names: dict[str, Any]) -> dict[str, Any]:
    for name in names:
        _check_name(name)
    return names


def _parsed_by(parser: Callable[[str], object]) -> Callable[[str | None], str | None]:
    """A validator passing ``text`` (or ``None``) on when ``parser`` accepts it."""

    def check(text: str | None) -> str | None:
        if text is not None:
            try:
                parser(text)
            except StudySpecError as exc:
                raise ValueError(str(exc)) from None
        return text

    return check


_check_expression = _parsed_by(parse)
_check_model_formula = _parsed_by(parse_model_formula)


Name = Annotated[str, AfterValidator(_check_name)]

#: Stems of the tables the pipeline writes itself: an analysis named so would overwrite one.
RESERVED_TABLES = frozenset(
    {"models", "descriptives", "correlations", "effects", "spatial_tests", "moran", "robustness"}
) | {"indicator_weights", "descriptives_by_type"}

Level = Literal["province", "city", "county"]
Language = Literal["zh", "en"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StudyMeta(_Spec):
    """``[study]``: the study's name, territorial level, year window, seed and language.

    ``exclude_regions`` (codes or names) are left out of the whole study; the audit records them.
    """

    name: str
    level: Level = "province"
    years: tuple[int, int]
    seed: int = Field(default=0, ge=0, lt=2**32)
    language: Language = "zh"
    exclude_regions: list[str | int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _years_ordered(self) -> StudyMeta:
        if self.years[0] > self.years[1]:
            raise ValueError(
                f"years must be [first, last] with first <= last, got {list(self.years)}"
            )
        return self


class Paths(_Spec):
    """``[paths]``: folders, relative to ``root`` (itself relative to the TOML file's folder).

    ``root`` defines the project and may be anywhere. Every other path (these folders, the sources'
    ``file``, the indicators' ``file`` / ``dictionary``, ``cleaning.crosswalk``) must resolve inside
    ``root``; ``allow_outside = true`` lets the raw inputs (``raw``, source files, indicator input
    files, the crosswalk) lie elsewhere (they are only read), never ``clean`` or ``reports``.
    """

    root: str = ".."
    raw: str = "data_raw/demo"
    clean: str = "data_clean"
    reports: str = "reports"
    allow_outside: bool = False


class Cleaning(_Spec):
    """``[cleaning]``: what to do with duplicates, missing cells and unit slips (all audited).

    ``balance``: an unbalanced panel is kept (``"error"``: the steps needing balance refuse it,
    naming the gaps), or the regions (``"drop_regions"``) or years (``"drop_years"``) with gaps are
    dropped (audited).
    """

    duplicates: Literal["error", "drop_exact"] = "drop_exact"
    missing: Literal["error", "drop", "interpolate"] = "error"
    unit_slip: Literal["error", "rescale"] = "error"
    unit_slip_factor: float = Field(default=1000.0, gt=1.0, allow_inf_nan=False)
    out_of_window: Literal["error", "drop"] = "error"
    crosswalk: str | None = None
    merged_units: Literal["error", "sum"] = "error"
    out_of_range: Literal["error", "drop"] = "error"
    balance: Literal["error", "drop_regions", "drop_years"] = "error"


class Variable(_Spec):
    """``[variables.<name>]``: the stored unit and the labels of one variable."""

    unit: str = "1"
    label_zh: str = ""
    label_en: str = ""
    min: float | None = None
    max: float | None = None
    nonnegative: bool | None = None

    @model_validator(mode="after")
    def _range_ordered(self) -> Variable:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is above max ({self.max:g})")
        return self


class SourceVariable(_Spec):
    """Where a variable sits in a raw file (``column`` for long files, ``sheet`` for wide XLSX; neither
    for a wide CSV, which holds one variable). ``unit`` defaults to the unit the header states
    (``GDP(亿元)``, a units row, the ``指标：`` line of a 国家数据 export), else ``"1"``."""

    column: str | None = None
    sheet: str | None = None
    unit: str | None = None

    @model_validator(mode="after")
    def _one_location(self) -> SourceVariable:
        if self.column is not None and self.sheet is not None:
            raise ValueError("give exactly one of 'column' (long layout) or 'sheet' (wide layout)")
        return self


class Source(_Spec):
    """``[[sources]]``: one raw file and how to read it.

    ``region`` names the column with region names or codes; ``year`` the year column (long layout);
    ``industry`` the industry column (kind ``region_industry_year``); ``id`` the firm or cluster
    identifier (kinds ``firm_year`` and ``cluster``); ``keep`` text columns carried along unchanged.
    A ``cluster`` source without ``year`` is the cluster registry (one row per cluster); with
    ``year`` it is a cluster-year table whose variables enter the cluster-year panel
    (`clusterdx.data.clusters`).
    """

    name: Name
    file: str
    kind: Literal["region_year", "region_industry_year", "firm_year", "cluster"] = "region_year"
    layout: Literal["long", "wide"] = "long"
    encoding: Literal["auto", "utf-8", "gbk", "gb18030"] = "auto"
    region: str
    year: str | None = None
    industry: str | None = None
    id: str | None = None
    keep: list[str] = Field(default_factory=list)
    variables: dict[str, SourceVariable] = Field(default_factory=dict)
    header_row: int | None = Field(default=None, ge=1)
    skip_rows: int | None = Field(default=None, ge=0)
    header_rows: int = Field(default=1, ge=1, le=3)
    units_row: int | None = Field(default=None, ge=1)
    footer: Literal["none", "auto"] = "none"
    drop_regions: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _layout_complete(self) -> Source:
        if self.header_row is not None and self.skip_rows is not None:
            raise ValueError(
                f"give header_row ({self.header_row}) or skip_rows ({self.skip_rows}), not both "
                "(header_row = skip_rows + 1)"
            )
        csv_file = not self.file.lower().endswith((".xlsx", ".xlsm", ".xls"))
        for var, loc in self.variables.items():
            if self.layout == "long" and loc.column is None:
                raise ValueError(f"variable '{var}': the long layout needs 'column'")
            if self.layout == "wide" and csv_file and loc.sheet is not None:
                raise ValueError(f"variable '{var}': a CSV file has no sheets; remove 'sheet'")
            if self.layout == "wide" and not csv_file and loc.sheet is None:
                raise ValueError(
                    f"variable '{var}': a wide workbook needs the 'sheet' of the variable"
                )
        if self.layout == "wide" and csv_file and len(self.variables) > 1:
            raise ValueError(
                "a wide CSV file (region column + one column per year) holds one variable; declare "
                "one [[sources]] entry per file"
            )
        return self

    @property
    def first_header_row(self) -> int:
        """1-based row of the (first) header row."""
        if self.header_row is not None:
            return self.header_row
        return (self.skip_rows or 0) + 1


class IndicatorDimension(_Spec):
    """``[[indicators.<name>.dimensions]]``: one dimension (一级指标) of an entropy composite, its
    labels and the components it groups, for the indicator-system table (``indicator_weights``)."""

    name: Name
    label_zh: str = ""
    label_en: str = ""
    indicators: list[str] = Field(min_length=1)


class Indicator(_Spec):
    """``[indicators.<name>]``: one derived variable and its recipe.

    Indicators are computed in the order they are declared; each may use the panel's variables and
    the indicators declared before it. ``source`` names a non-panel table (employment by industry,
    listed firms, the cluster registry) for the methods that aggregate one. ``topsis`` uses
    ``positive``/``negative``/``normalise``; ``coupling`` the coordination degree D of
    ``subsystems`` with weights ``alpha`` (equal when empty); ``herfindahl`` the HHI of the firms'
    ``value`` per region-year; ``leading_firms`` the number of distinct ``key`` entries (leading
    firms) of the registry designated (``since`` column) in or before the year.

    Two methods read large files through the ``[compute]`` backend instead of a loaded table:
    ``firm_aggregate`` reduces the firm-year ``file`` (Parquet / CSV or a glob, relative to the
    project root) to the region-year ``aggregate`` of ``value``; ``text_keywords`` counts the keywords
    of ``dictionary`` (a JSON file; default Wu et al. 2021) in the documents of ``file`` (a folder of
    ``<firm>_<year>.txt`` or a table with firm, year, text columns) with ``keyword_method``, and
    averages DT = ln(1 + count) over the firms of each region-year, the firms' regions coming from
    the ``source`` table (columns region, year and ``firm``), weighted by its ``weight`` column if
    given.
    """

    method: Literal[
        "formula",
        "entropy",
        "topsis",
        "coupling",
        "ratio",
        "location_quotient",
        "herfindahl",
        "firm_share",
        "leading_firms",
        "firm_keywords",
        "firm_aggregate",
        "text_keywords",
    ]
    formula: str | None = None
    positive: list[str] = Field(default_factory=list)
    negative: list[str] = Field(default_factory=list)
    standardise: Literal["pooled", "by_year"] = "pooled"
    shift: float = 0.0001
    numerator: str | None = None
    denominator: str | None = None
    denominator_lag: int = 0
    scale: float = 1.0
    source: str | None = None
    value: str | None = None
    industries: list[str] = Field(default_factory=list)
    top: int = 4
    keywords: list[str] = Field(default_factory=list)
    normalise: Literal["vector", "minmax"] = "vector"
    subsystems: list[str] = Field(default_factory=list)
    alpha: list[float] = Field(default_factory=list)
    key: str = "leading_firm"
    since: str = "designation_year"
    file: str | None = None
    aggregate: Literal["sum", "mean", "min", "max", "count", "hhi"] = "sum"
    dictionary: str | None = None
    keyword_method: Literal["jieba", "scan"] = "jieba"
    firm: str = "firm"
    weight: str | None = None
    label_zh: str = ""
    label_en: str = ""
    unit: str = ""
    dimensions: list[IndicatorDimension] = Field(default_factory=list)

    _formula_grammar = field_validator("formula")(_check_expression)

    @model_validator(mode="after")
    def _dimensions_partition(self) -> Indicator:
        """``dimensions`` of an entropy recipe list each of its components exactly once."""
        if not self.dimensions:
            return self
        if self.method != "entropy":
            raise ValueError(
                f"dimensions group the components of method 'entropy', not '{self.method}'"
            )
        listed = [c for d in self.dimensions for c in d.indicators]
        components = [*self.positive, *self.negative]
        missing = [c for c in components if c not in listed]
        unknown = [c for c in listed if c not in components]
        twice = sorted({c for c in listed if listed.count(c) > 1})
        if missing or unknown or twice:
            raise ValueError(
                "dimensions must list each positive/negative indicator exactly once: "
                f"missing {missing}, not a component {unknown}, listed twice {twice}"
            )
        return self

    @model_validator(mode="after")
    def _recipe_complete(self) -> Indicator:
        required = {
            "formula": ["formula"],
            "entropy": ["positive"],
            "topsis": ["positive"],
            "coupling": ["subsystems"],
            "ratio": ["numerator", "denominator"],
            "location_quotient": ["source", "value", "industries"],
            "herfindahl": ["source", "value"],
            "firm_share": ["source", "value"],
            "leading_firms": ["source"],
            "firm_keywords": ["source", "keywords"],
            "firm_aggregate": ["file", "value"],
            "text_keywords": ["file", "source"],
        }[self.method]
        missing = [key for key in required if not getattr(self, key)]
        if missing:
            raise ValueError(f"method '{self.method}' needs {', '.join(missing)}")
        return self


class Regions(_Spec):
    """``[regions]``: the study's own regions instead of China's registry (`clusterdx.regions.own`).

    ``file`` (CSV/XLSX, relative to the project root) has one row per region: ``code_column`` (codes,
    strings or integers) and ``name_column`` (the names the raw files use), optionally ``name_en``,
    ``lon``/``lat`` (degrees) and ``group`` (for trend figures and heterogeneity). ``geometry`` is a
    polygon file geopandas reads (shp, gpkg, geojson), joined to the regions by its ``geometry_key``
    column (holding codes or names; default: ``code_column``). ``study.level`` and the boundary
    crosswalk are then not used.
    """

    file: str
    geometry: str | None = None
    code_column: str = "code"
    name_column: str = "name"
    geometry_key: str | None = None


class Weights(_Spec):
    """``[weights.<name>]``: one spatial weights matrix.

    ``type = "file"`` reads ``file`` (a square matrix in CSV/XLSX, a GAL/GWT file or an edge list,
    see `clusterdx.weights.from_file`); ``transform`` ("row" or "none") and ``islands``
    ("error" or "keep") apply to it.
    """

    type: Literal["contiguity", "inverse_distance", "knn", "economic_distance", "nested", "file"]
    rule: Literal["queen", "rook"] = "queen"
    power: float = 1.0
    cutoff: float | None = None
    k: int = 4
    variable: str | None = None
    geo: str | None = None
    econ: str | None = None
    share: float = 0.5
    file: str | None = None
    transform: Literal["row", "none"] = "row"
    islands: Literal["error", "keep"] = "error"

    @model_validator(mode="after")
    def _file_given(self) -> Weights:
        if self.type == "file" and not self.file:
            raise ValueError(
                'type = "file" needs file = "<matrix .csv/.xlsx, .gal, .gwt or edge list>"'
            )
        return self


class Diagnostics(_Spec):
    """``[diagnostics]``: global Moran's I by year for these variables, under one weights matrix."""

    moran: list[Name] = Field(default_factory=list)
    weights: str | None = None
    permutations: int = Field(default=999, ge=0, le=99_999)


class PanelModel(_Spec):
    """``[[models]]`` with ``kind = "panel"``: a linear panel regression."""

    kind: Literal["panel"]
    name: Name
    title: str = ""
    title_en: str = ""  # English caption / column title (``title`` is in the study's language)
    formula: Annotated[str, AfterValidator(_check_model_formula)]
    model: po.Model = "fe"
    #: None: the estimator's default (individual for fe / re; no effects for the other models).
    effects: po.Effects | None = None
    #: None: the estimator's default (clustered by entity where the model allows it).
    cov: po.Cov | None = None
    #: cov = "cluster" only: "entity", "time", "both" or a column; None: the entity.
    cluster: str | None = None
    #: cov = "cluster" only; None: the estimator's default ("crv1", Stata / fixest).
    cluster_adjustment: po.ClusterAdjustment | None = None
    #: cov = "driscoll-kraay" only; None: the estimator's default floor(4 (T/100)^(2/9)).
    bandwidth: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    #: None: the estimator's default ("raise": a missing used value is an error).
    missing: po.Missing | None = None
    #: model = "fd" only; None: the estimator's default (an intercept, as plm and Stata).
    fd_intercept: bool | None = None
    #: "cluster": fit on the cluster-year panel (entity = cluster; `clusterdx.data.clusters`).
    unit: Literal["region", "cluster"] = "region"

    #: Fixed effects absorbed by pyfixest instead of ``effects`` (columns or ``"a^b"``
    #: interactions, e.g. ``["region", "industry^year"]``); model = "pooled" or "fe".
    absorb: list[str] | None = None

    @model_validator(mode="after")
    def _options_apply(self) -> PanelModel:
        takes = po.EFFECTS_BY_MODEL[self.model]
        if self.effects is not None and self.effects not in takes:
            fix = f"use one of {list(takes)}" if takes else "leave effects out"
            raise ValueError(
                f"effects = {self.effects!r} does not apply to model = {self.model!r}; {fix} "
                "(effects are only for model = 'fe' or 're')"
            )
        if self.cov is not None and self.cov not in po.COVS_BY_MODEL[self.model]:
            raise ValueError(
                f"cov = {self.cov!r} is not available for model = {self.model!r}; use one of "
                f"{list(po.COVS_BY_MODEL[self.model])}"
            )
        if self.fd_intercept is not None and self.model != "fd":
            raise ValueError("fd_intercept applies only to model = 'fd'; leave it out")
        clustered = self.cov == "cluster" or (self.cov is None and self.model != "between")
        if not clustered and (self.cluster or self.cluster_adjustment):
            raise ValueError(
                "cluster / cluster_adjustment apply only to cov = 'cluster'; leave them out"
            )
        if self.bandwidth is not None and self.cov != "driscoll-kraay":
            raise ValueError("bandwidth applies only to cov = 'driscoll-kraay'; leave it out")
        return self


class SpatialModel(_Spec):
    """``[[models]]`` with ``kind = "spatial"``: a spatial panel model by maximum likelihood."""

    kind: Literal["spatial"]
    name: Name
    title: str = ""
    title_en: str = ""  # English caption / column title (``title`` is in the study's language)
    y: Name
    x: list[Name]
    model: so.ModelName = "sar"
    effects: so.EffectsName = "individual"
    weights: str
    bias_correction: so.BiasCorrection = True
    convention: so.Convention = "ml"
    impacts_draws: int = Field(default=1000, ge=0, le=100_000)
    dynamic: so.DynamicName | None = None
    #: names of ``[weights.<name>]`` for the error process (sem / sac / sdem) and the Durbin
    #: terms (sdm / sdem / slx); None: ``weights``. ``durbin``: regressors with WX (None: all).
    weights_error: str | None = None
    weights_durbin: str | None = None
    durbin: list[Name] | None = None
    #: None: the estimator's default ("auto": eigenvalues up to N = 1000, then sparse LU).
    logdet: so.LogdetMethod | None = None
    #: None: the estimator's default (500 iterations of the optimiser).
    maxiter: int | None = Field(default=None, ge=1)
    #: Seed of the model's draws (stochastic log-determinants, impacts); None: ``study.seed``.
    seed: int | None = Field(default=None, ge=0, lt=2**32)


ModelSpec = Annotated[PanelModel | SpatialModel, Field(discriminator="kind")]


def _check_spatial_model_weights(model: SpatialModel, defined: list[str]) -> None:
    """``weights_error`` / ``weights_durbin`` / ``durbin`` name defined weights, fit the model."""
    parts = {
        "weights_error": (model.weights_error, ("sem", "sac", "sdem"), "a spatial error process"),
        "weights_durbin": (model.weights_durbin, ("sdm", "sdem", "slx"), "Durbin terms WX"),
        "durbin": (model.durbin, ("sdm", "sdem", "slx"), "Durbin terms WX"),
    }
    for key, (value, allowed, part) in parts.items():
        if value is None:
            continue
        if model.model not in allowed:
            raise ValueError(
                f"model '{model.name}': {key} is set but model '{model.model}' has no {part} "
                f"(models with one: {list(allowed)})"
            )
        if key != "durbin" and value not in defined:
            raise ValueError(
                f"model '{model.name}' uses {key} '{value}'; defined weights: {defined}"
            )
    if model.durbin is not None and model.dynamic is None:
        unknown = [v for v in model.durbin if v not in model.x]
        if unknown or not model.durbin:
            raise ValueError(
                f"model '{model.name}': durbin = {model.durbin} must list regressors of x = "
                f"{model.x}; not in x: {unknown}"
            )
    if model.dynamic is not None and (
        model.weights_error or model.weights_durbin or model.durbin is not None
    ):
        raise ValueError(
            f"model '{model.name}': weights_error / weights_durbin / durbin are not available "
            "for dynamic models; drop them"
        )


class HistoricalInstrument(_Spec):
    """``[[analyses.historical]]``: instrument ``name`` = ``base`` in ``base_year`` (per region) ×
    the cross-region mean of ``series`` lagged ``lag`` years (the national series)."""

    name: str
    base: str
    series: str
    base_year: int | None = None
    lag: int = Field(default=1, ge=0)


class SpatialRobustness(_Spec):
    """``[[spatial_robustness]]``: one spatial model re-fitted under each of several weights.

    Writes ``<name>.csv`` (effects, one column per matrix) and, when ``bands`` (km) are given, the
    spillover decay ``<name>_decay.csv`` and figure ``<name>_decay.png`` (inverse-distance weights
    with power ``decay_power`` truncated at each band).
    """

    name: Name
    title: str = ""
    y: str
    x: list[str]
    model: so.ImpactModelName = "sar"
    effects: so.EffectsName = "individual"
    weights: list[str] = Field(min_length=1)
    dynamic: so.DynamicName | None = None
    impacts_draws: int = Field(default=1000, ge=0, le=100_000)
    bands: list[float] = Field(default_factory=list)
    decay_power: float = 1.0


#: Analysis kinds that can run on the cluster-year panel (``unit = "cluster"``).
CLUSTER_UNIT_KINDS = ("heterogeneity", "moderation")


class Analysis(_Spec):
    """``[[analyses]]``: one mechanism, heterogeneity, threshold or policy-evaluation analysis.

    Required keys by ``kind``: mediation ``y, x, m``; moderation ``y, x, z``; heterogeneity
    ``formula, group``; threshold ``y, x, q`` (``x`` = regressor whose slope switches); did
    ``y, treat_year`` (a column with each region's first treatment year, e.g. ``designation_year``;
    Callaway-Sant'Anna options ``covariates``, ``est_method``, ``base_period``, ``bootstrap`` (multiplier
    draws) and ``multiplier``).
    Measurement kinds (`clusterdx.disparity`, `clusterdx.typology`): disparity ``var`` (Dagum Gini by
    ``group``, default ``macro_region``; Theil T; CV; 3-D kernel density); markov ``var`` (``classes``
    quantile classes; spatial Markov when ``weights`` is set); convergence ``var`` (σ trend, absolute
    and conditional β with ``controls``, spatial β with ``spatial = "sar"|"sdm"`` and ``weights``);
    typology ``drivers`` (market demand, government, technology, core-firm columns, in that order)
    compared with the ``declared`` type column; obstacle ``var`` (an entropy indicator: obstacle
    degrees of its components, top ``classes`` factors by year);
    iv ``y, x`` (``x`` the endogenous regressor) and ``instruments`` and/or ``historical``; placebo
    ``y, treat_year``; psm_did ``y, treat_year, covariates``.
    Region attributes available as columns: ``macro_region``, ``cluster_type`` (the dominant type of the
    region's registered clusters) and ``designation_year`` (first designation), when the study has a
    ``cluster`` source; with it also ``type_share_<type>`` (the share of the region's clusters of
    each type). ``unit = "cluster"`` (heterogeneity, moderation) runs on the cluster-year panel
    (`clusterdx.data.clusters`), where ``cluster_type`` and ``designation_year`` are the cluster's own.
    """

    #: A kind of the registry `clusterdx.tasks.kinds.KINDS` (its runner, outputs, required keys).
    kind: str
    name: Name
    title: str = ""
    title_en: str = ""  # English caption / column title (``title`` is in the study's language)
    y: str | None = None
    x: str | None = None
    m: str | None = None
    z: str | None = None
    q: str | None = None
    formula: Annotated[str | None, AfterValidator(_check_model_formula)] = None
    group: str | None = None
    treat_year: str | None = None
    controls: list[str] = Field(default_factory=list)
    # Estimator options (`clusterdx.options.panel`): None passes nothing, so the estimator's
    # default applies (e.g. bootstrap 1000 for mediation, 300 for threshold).
    effects: po.Effects | None = None
    cov: po.Cov | None = None
    method: po.MediationMethod | None = None
    bootstrap: int | None = Field(default=None, ge=0, le=99_999)
    n_thresholds: int | None = Field(default=None, ge=po.N_THRESHOLDS[0], le=po.N_THRESHOLDS[1])
    trim: float | None = Field(default=None, ge=po.TRIM[0], le=po.TRIM[1])
    grid: int | None = Field(default=None, ge=po.GRID_MIN)
    control_group: po.ControlGroup | None = None
    leads: int | None = Field(default=None, ge=po.LEADS_MIN)
    lags: int | None = Field(default=None, ge=po.LAGS_MIN)
    # measurement kinds (clusterdx.disparity, clusterdx.typology)
    var: str | None = None
    classes: int = Field(default=4, ge=2, le=10)
    weights: str | None = None
    #: convergence: "sar" / "sdm" spatial β; did: true = spatial DID (SDM, `clusterdx.spatial.did`)
    spatial: Literal["none", "sar", "sdm"] | bool = "none"
    drivers: list[str] = Field(default_factory=list)
    declared: str = "cluster_type"
    instruments: list[str] = Field(default_factory=list)
    historical: list[HistoricalInstrument] = Field(default_factory=list)
    placebo_kind: po.PlaceboKind | None = None
    draws: int | None = Field(default=None, ge=po.PLACEBO_DRAWS_MIN)
    covariates: list[str] = Field(default_factory=list)
    match: po.MatchMethod | None = None
    match_scope: po.MatchScope | None = None
    caliper: float | None = Field(default=None, gt=0.0)
    bandwidth: float | None = Field(default=None, gt=0.0)
    #: "cluster": heterogeneity / moderation on the cluster-year panel (entity = cluster).
    unit: Literal["region", "cluster"] = "region"
    # did: Callaway-Sant'Anna with ``covariates`` and ``bootstrap`` multiplier draws (0: none);
    # defaults are the estimator's (clusterdx.options.panel)
    est_method: po.EstMethod = po.DEFAULT_EST_METHOD
    base_period: po.BasePeriod = po.DEFAULT_BASE_PERIOD
    multiplier: po.MultiplierWeights = po.DEFAULT_MULTIPLIER

    @field_validator("kind")
    @classmethod
    def _registered(cls, kind: str) -> str:
        from clusterdx.tasks.kinds import KINDS

        if kind not in KINDS:
            raise ValueError(f"analysis kind {kind!r} is not one of {list(KINDS)}")
        return kind

    @model_validator(mode="after")
    def _inputs_complete(self) -> Analysis:
        from clusterdx.tasks.kinds import KINDS

        if self.unit == "cluster" and self.kind not in CLUSTER_UNIT_KINDS:
            raise ValueError(
                f"unit = 'cluster' applies to the analysis kinds {list(CLUSTER_UNIT_KINDS)}, not "
                f"'{self.kind}'; remove unit or use one of those kinds"
            )
        if isinstance(self.spatial, bool) and self.kind != "did":
            raise ValueError(
                f"spatial = {str(self.spatial).lower()} is for analysis kind 'did' (spatial DID); "
                f"kind '{self.kind}' takes spatial = 'none', 'sar' or 'sdm'"
            )
        kind = KINDS[self.kind]
        problem = kind.check(self) if kind.check else None
        if problem:
            raise ValueError(problem)
        missing = kind.missing(self)
        if missing:
            raise ValueError(f"analysis kind '{self.kind}' needs {', '.join(missing)}")
        return self


class RobustnessVariant(_Spec):
    """One column of the robustness table (see `clusterdx.panel.robustness.Variant`)."""

    name: str
    y: str | None = None
    winsorize: tuple[float, float] | None = None
    drop_entities: list[str | int] = Field(default_factory=list)
    lag: list[str] | bool = Field(default_factory=list)
    exclude_periods: list[int] = Field(default_factory=list)
    effects: po.Effects | None = None
    cov: po.Cov | None = None


class Robustness(_Spec):
    """``[robustness]``: the battery of variants of one panel model (``base`` = its name)."""

    base: str
    variants: list[RobustnessVariant] = Field(default_factory=list)


class Tables(_Spec):
    """``[tables]``: output formats and layout of regression tables."""

    formats: list[Literal["md", "tex", "docx", "html", "xlsx"]] = Field(
        default_factory=lambda: ["md", "tex", "docx", "html", "xlsx"]
    )
    stat: Literal["se", "t"] = "se"
    # "auto": at least two significant digits in every number (scientific notation below 1e-4)
    digits: Annotated[int, Field(ge=0, le=8)] | Literal["auto"] = "auto"


class Compute(_Spec):
    """``[compute]``: where firm- and document-level reductions run (`clusterdx.compute`).

    ``backend = "local"`` runs them on a process pool of ``workers`` processes (null: one per CPU
    core); ``"dask"`` on a Dask cluster: the scheduler at ``scheduler`` (``"tcp://host:8786"``,
    waiting at most ``timeout`` seconds for it) or, when null, a local cluster of ``workers``
    processes. ``partition_rows`` rows of a firm file and ``documents_per_task`` documents make one
    task. ``progress`` shows a progress bar on stderr.

    ``workers`` also caps the processes of the models and analyses steps, whose independent parts
    (Moran's I and the LISA maps beside the fits; each ``[[analyses]]`` entry, the robustness
    battery) run on forked copies of the step's process on Linux (`clusterdx.tasks.forked`;
    elsewhere, and with ``workers = 1``, one after the other): the outputs are the same bytes.
    """

    backend: Literal["local", "dask"] = "local"
    scheduler: str | None = None
    workers: int | None = Field(default=None, ge=1)
    partition_rows: int = Field(default=1_000_000, ge=1)
    documents_per_task: int = Field(default=200, ge=1)
    timeout: float = Field(default=10.0, gt=0)
    progress: bool = True

    @model_validator(mode="after")
    def _scheduler_needs_dask(self) -> Compute:
        if self.scheduler is not None and self.backend != "dask":
            raise ValueError(
                f'scheduler {self.scheduler!r} is only used with backend = "dask"; set '
                'backend = "dask" or remove scheduler'
            )
        if self.scheduler is not None and "://" not in self.scheduler:
            raise ValueError(
                f"scheduler {self.scheduler!r} needs a protocol, e.g. 'tcp://10.0.0.5:8786'"
            )
        return self


class StudySpec(_Spec):
    """The whole ``study.toml``."""

    study: StudyMeta
    paths: Paths = Field(default_factory=Paths)
    regions: Regions | None = None
    cleaning: Cleaning = Field(default_factory=Cleaning)
    variables: Annotated[dict[str, Variable], AfterValidator(_check_names)] = Field(
        default_factory=dict
    )
    sources: list[Source]
    indicators: Annotated[dict[str, Indicator], AfterValidator(_check_names)] = Field(
        default_factory=dict
    )
    weights: Annotated[dict[str, Weights], AfterValidator(_check_names)] = Field(
        default_factory=dict
    )
    diagnostics: Diagnostics = Field(default_factory=Diagnostics)
    models: list[ModelSpec] = Field(default_factory=list)
    analyses: list[Analysis] = Field(default_factory=list)
    robustness: Robustness | None = None
    spatial_robustness: list[SpatialRobustness] = Field(default_factory=list)
    tables: Tables = Field(default_factory=Tables)
    compute: Compute = Field(default_factory=Compute)

    @model_validator(mode="after")
    def _cross_references(self) -> StudySpec:
        sources = [s.name for s in self.sources]
        twice = sorted({n for n in sources if sources.count(n) > 1})
        if twice:
            raise ValueError(
                f"source names {twice} are repeated; each [[sources]] needs its own name (names "
                "name the clean files)"
            )
        for source in self.sources:
            for var in source.variables:
                if var not in self.variables:
                    raise ValueError(
                        f"source '{source.name}' declares variable '{var}' that has no "
                        f"[variables.{var}] entry (declare its unit and labels there)"
                    )
        for model in self.models:
            if isinstance(model, SpatialModel) and model.weights not in self.weights:
                raise ValueError(
                    f"model '{model.name}' uses weights '{model.weights}'; defined weights: "
                    f"{sorted(self.weights)}"
                )
            if isinstance(model, SpatialModel):
                _check_spatial_model_weights(model, sorted(self.weights))
        reserved = sorted({a.name for a in self.analyses} & RESERVED_TABLES)
        if reserved:
            raise ValueError(
                f"analysis names {reserved} are the names of the pipeline's own tables "
                f"{sorted(RESERVED_TABLES)}; rename the analyses"
            )
        for analysis in self.analyses:
            if analysis.weights is not None and analysis.weights not in self.weights:
                raise ValueError(
                    f"analysis '{analysis.name}' uses weights '{analysis.weights}'; defined "
                    f"weights: {sorted(self.weights)}"
                )
            if (
                analysis.kind in ("convergence", "did")
                and analysis.spatial not in ("none", False)
                and not analysis.weights
            ):
                raise ValueError(
                    f"analysis '{analysis.name}': spatial = '{analysis.spatial}' needs weights"
                )
        on_clusters = [m.name for m in self.models if getattr(m, "unit", "region") == "cluster"]
        on_clusters += [a.name for a in self.analyses if a.unit == "cluster"]
        registries = [s for s in self.sources if s.kind == "cluster" and not s.year]
        if on_clusters and not registries:
            raise ValueError(
                f"{on_clusters} set unit = 'cluster' but no [[sources]] entry is a cluster registry "
                "(kind = 'cluster' without a year column); add one or remove unit"
            )
        if len(registries) > 1:
            raise ValueError(
                f"sources {[s.name for s in registries]} are all cluster registries (kind = "
                "'cluster' without year); keep one, or give the cluster-year tables their year"
            )
        names = [m.name for m in self.models] + [a.name for a in self.analyses]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(
                f"model / analysis names {repeated} are repeated; names name output files"
            )
        if self.robustness is not None:
            panel_models = [m.name for m in self.models if isinstance(m, PanelModel)]
            if self.robustness.base not in panel_models:
                raise ValueError(
                    f"robustness.base '{self.robustness.base}' is not a panel model; panel models: "
                    f"{panel_models}"
                )
            if self.robustness.base in on_clusters:
                raise ValueError(
                    f"robustness.base '{self.robustness.base}' runs on clusters (unit = "
                    "'cluster'); the robustness battery runs on regions: choose a region model"
                )
        for check in self.spatial_robustness:
            unknown = [w for w in check.weights if w not in self.weights]
            if unknown:
                raise ValueError(
                    f"spatial_robustness '{check.name}' uses weights {unknown}; defined weights: "
                    f"{sorted(self.weights)}"
                )
        if self.diagnostics.moran and self.diagnostics.weights not in self.weights:
            raise ValueError(
                f"diagnostics.weights '{self.diagnostics.weights}' is not one of the defined weights "
                f"{sorted(self.weights)}"
            )
        return self


def _format_error(path: Path, error: Any) -> str:
    loc = ".".join(str(part) for part in error["loc"] if not str(part).startswith("function-"))
    if error["type"] == "extra_forbidden":
        return f"{path}: unknown key '{loc}' (check the spelling against README's study spec reference)"
    value = error.get("input")
    shown = "" if isinstance(value, dict) else f"; got {value!r}"
    return f"{path}: key '{loc}': {error['msg']}{shown}"


def _apply_override(raw: dict[str, Any], item: str, path: Path) -> None:
    """Set ``raw[a][b]... = VALUE`` from ``"a.b=VALUE"`` (VALUE parsed as TOML)."""
    key, sep, text = item.partition("=")
    if not sep or not key.strip():
        raise StudySpecError(f'override {item!r} is not KEY=VALUE (e.g. study.level="county")')
    try:
        value = tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        raise StudySpecError(
            f"override {item!r}: {text!r} is not a TOML value; quote strings, e.g. "
            f"{key.strip()}='\"{text}\"' on the command line"
        ) from None
    parts = key.strip().split(".")
    node = raw
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise StudySpecError(f"{path}: override {item!r}: '{part}' is not a table")
        node = child
    node[parts[-1]] = value


class Study:
    """A validated study: the spec plus the folder it was loaded from.

    Examples
    --------
    >>> from pathlib import Path
    >>> import clusterdx as cdx
    >>> default = Path(cdx.__file__).parents[1] / "study.toml"   # analysis/study.toml of the repository
    >>> study = cdx.Study.load(default)
    >>> study.spec.study.years, study.spec.study.level, study.label("dt", "en")
    ((2011, 2023), 'province', 'Cluster digital transformation')
    >>> cdx.Study.load(default, overrides=['study.level="county"']).spec.study.level
    'county'
    """

    def __init__(self, spec: StudySpec, path: Path) -> None:
        self.spec = spec
        self.path = path
        self.root = (path.parent / spec.paths.root).resolve()
        self._confine()

    def _confine(self) -> None:
        """Refuse any path of the spec that resolves outside ``paths.root`` (see `Paths`)."""
        spec, outside = self.spec, self.spec.paths.allow_outside
        checks = [
            ("paths.raw", self.root, spec.paths.raw, outside),
            ("paths.clean", self.root, spec.paths.clean, False),
            ("paths.reports", self.root, spec.paths.reports, False),
        ]
        raw = self.root / spec.paths.raw
        checks += [
            (f"sources.{i}.file ({s.name})", raw, s.file, outside)
            for i, s in enumerate(spec.sources)
        ]
        for name, recipe in spec.indicators.items():
            for key in ("file", "dictionary"):
                if getattr(recipe, key):
                    checks.append(
                        (f"indicators.{name}.{key}", self.root, getattr(recipe, key), outside)
                    )
        if spec.cleaning.crosswalk:
            checks.append(("cleaning.crosswalk", self.root, spec.cleaning.crosswalk, outside))
        if spec.regions is not None:
            checks.append(("regions.file", self.root, spec.regions.file, outside))
            if spec.regions.geometry:
                checks.append(("regions.geometry", self.root, spec.regions.geometry, outside))
        checks += [
            (f"weights.{name}.file", self.root, w.file, outside)
            for name, w in spec.weights.items()
            if w.file
        ]
        for key, base, value, allowed in checks:
            target = Path(os.path.normpath(base / value))
            fixed = Path(*[p for p in target.parts if not any(c in p for c in "*?[")] or ["/"])
            resolved = fixed.resolve()
            if key in ("paths.clean", "paths.reports") and resolved == self.root:
                raise StudySpecError(
                    f"{self.path}: key '{key}': {value!r} is the project root itself; outputs go "
                    f"to a folder of their own inside it (default {Paths().model_dump()[key[6:]]!r})"
                )
            if allowed or (target.is_relative_to(self.root) and resolved.is_relative_to(self.root)):
                continue
            rule = (
                "outputs must stay inside it (paths.allow_outside only applies to raw inputs)"
                if key in ("paths.clean", "paths.reports")
                else "move the file into the project or set paths.allow_outside = true to read "
                "raw inputs kept elsewhere"
            )
            raise StudySpecError(
                f"{self.path}: key '{key}': {value!r} resolves to {resolved}, outside the project "
                f"root {self.root} (paths.root); {rule}"
            )

    @classmethod
    def load(cls, path: str | Path, overrides: list[str] | None = None) -> Study:
        """Read and validate a study TOML file, optionally overriding keys.

        Parameters
        ----------
        path
            The TOML file.
        overrides
            ``"key.path=VALUE"`` strings, VALUE in TOML syntax (``study.level="county"``,
            ``study.years=[2015, 2023]``, ``cleaning.missing="drop"``), applied before validation;
            ``clusterdx run --set`` passes them.

        Raises
        ------
        StudySpecError
            If the file is missing, is not valid TOML, or has an unknown key or a bad value; the message
            names the file, the key path, the bad value and the allowed values.
        """
        path = Path(path).resolve()
        if not path.exists():
            raise StudySpecError(f"study file {path} does not exist")
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            try:
                data.decode("gb18030")
                guess = " (it looks like GBK / GB18030)"
            except UnicodeDecodeError:
                guess = ""
            raise StudySpecError(
                f"{path}: not UTF-8 text{guess}: byte 0x{data[exc.start]:02x} at line {line}; "
                "TOML files must be UTF-8: re-save it as UTF-8 in your editor"
            ) from None
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise StudySpecError(f"{path}: not valid TOML: {exc}") from exc
        for item in overrides or []:
            _apply_override(raw, item, path)
        return cls.from_dict(raw, path)

    @classmethod
    def from_dict(cls, raw: dict[str, Any], path: Path) -> Study:
        """Validate an already-parsed study mapping (``path`` is used for messages and paths)."""
        try:
            spec = StudySpec.model_validate(raw)
        except ValidationError as exc:
            lines = [_format_error(path, err) for err in exc.errors()]
            raise StudySpecError("\n".join(lines)) from None
        return cls(spec, path)

    @property
    def raw_dir(self) -> Path:
        """Folder of the raw input files."""
        return self.root / self.spec.paths.raw

    @property
    def clean_dir(self) -> Path:
        """Folder of the cleaned data and the audit log."""
        return self.root / self.spec.paths.clean

    @property
    def reports_dir(self) -> Path:
        """Folder of tables, figures and the manifest."""
        return self.root / self.spec.paths.reports

    def section_hash(self, *names: str) -> str:
        """SHA-256 of the named top-level sections, so a step reruns only when its part changes."""
        dumped = self.spec.model_dump(mode="json")
        payload = json.dumps(
            {name: dumped[name] for name in names}, sort_keys=True, ensure_ascii=False
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def label(self, name: str, lang: Language | None = None) -> str:
        """Label of a variable or indicator in the study language (falls back to its name)."""
        lang = lang or self.spec.study.language
        entry = self.spec.variables.get(name) or self.spec.indicators.get(name)
        if entry is None:
            return name
        text = entry.label_zh if lang == "zh" else entry.label_en
        return text or name
