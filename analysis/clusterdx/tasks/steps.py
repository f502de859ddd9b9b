"""The pipeline steps as plain functions: inputs in, files out, no knowledge of the task runner.

`clusterdx.tasks.pipeline` wires them to pytask with their declared inputs and products, so that a
changed raw file reruns only the steps that depend on it. Each step can also be called directly.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from rich.progress import Progress

from clusterdx import report, spatial, typology
from clusterdx.data.audit import Audit, FileAudit
from clusterdx.errors import ClusterDXError, StudySpecError
from clusterdx.study import PanelModel, SpatialModel, Study
from clusterdx.tasks import study_tables
from clusterdx.tasks.checks import check_spec_against_panel
from clusterdx.tasks.forked import Jobs
from clusterdx.tasks.spatial_inputs import read_map_shapes, read_weights

if TYPE_CHECKING:
    from clusterdx.weights.matrix import SparseWeights

# The estimators, readers, weights and figures are imported inside the steps that use them, so
# that collecting the pipeline (`model_outputs`, `region_inputs`, ...) and ``clusterdx validate``
# do not import linearmodels, libpysal, esda or matplotlib.

ENTITY, TIME = "region", "year"
CLUSTER = "cluster"  # entity of the cluster-year panel

#: Spatial models whose coefficients are not marginal effects: the step writes their impacts.
IMPACT_MODELS = ("sar", "sdm", "sac", "sdem", "slx")


def panel_fit_options(model: PanelModel) -> dict:
    """Keyword arguments of `clusterdx.panel.fit` for a ``[[models]]`` panel entry.

    Options the spec leaves out are not passed, so the estimator's own defaults apply (e.g. no
    ``effects`` for ``model = "pooled"``, an intercept for ``"fd"``).
    """
    keys = ("effects", "cov", "cluster", "cluster_adjustment", "bandwidth", "missing")
    return {"model": model.model, **given(model, *keys, "fd_intercept", "absorb")}


def given(entry, *keys: str) -> dict:
    """The options among ``keys`` that a spec entry sets (not None), as keyword arguments.

    Spec fields left out are None and are not passed, so the estimator's default applies.
    """
    return passed(**{key: getattr(entry, key) for key in keys})


def passed(**options) -> dict:
    """``options`` without those that are None (left out of the spec: the estimator's default)."""
    return {key: value for key, value in options.items() if value is not None}


def clean_source(study: Study, name: str, out_table: Path, out_audit: Path) -> None:
    """Read and clean one raw source; write its clean table (parquet) and its audit entry (JSON)."""
    from clusterdx.data.panel import read_source

    source = next(s for s in study.spec.sources if s.name == name)
    audit = Audit()
    frame = read_source(study, source, audit)
    out_table.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(out_table, index=False)
    out_audit.write_text(
        json.dumps(
            audit.file(source.file).__dict__,
            ensure_ascii=False,
            indent=2,
            sort_keys=True,
            default=_jsonable,
        )
        + "\n",
        encoding="utf-8",
    )


def assemble_panel(
    study: Study, tables: dict[str, Path], audits: dict[str, Path], out_panel: Path, out_audit: Path
) -> None:
    """Join the region-year sources into ``panel.parquet``; merge the per-file audits into ``audit.json``."""
    from clusterdx.data.panel import merge_region_year

    audit = Audit()
    for path in audits.values():
        entry = FileAudit(**json.loads(path.read_text(encoding="utf-8")))
        audit.files[entry.file] = entry
    kinds = {s.name: s.kind for s in study.spec.sources}
    region_year = {n: pd.read_parquet(p) for n, p in tables.items() if kinds[n] == "region_year"}
    for name, path in tables.items():
        if kinds[name] != "region_year":
            audit.tables[name] = {"rows": len(pd.read_parquet(path)), "kind": kinds[name]}
    panel = merge_region_year(study, region_year, audit)
    panel.to_parquet(out_panel, index=False)
    audit.write(out_audit)


def build_indicators(study: Study, panel_path: Path, tables: dict[str, Path], out: Path) -> None:
    """Compute the ``[indicators]`` recipes on the clean panel, add the region attributes, write
    ``indicators.parquet``; with a cluster registry also the cluster-year panel
    (`cluster_panel_path`)."""
    from clusterdx import indicators

    panel = pd.read_parquet(panel_path)
    others = {n: pd.read_parquet(p) for n, p in tables.items()}
    frame = indicators.compute_indicators(study, panel, others)
    attributes = region_attributes(study, others)
    frame = frame.merge(attributes, on=ENTITY, how="left", validate="m:1")
    frame.to_parquet(out, index=False)
    clusters = cluster_frame(study, frame, others)
    if clusters is not None:
        clusters.to_parquet(cluster_panel_path(study), index=False)


def cluster_registries(study: Study) -> list:
    """The ``cluster`` sources without a year column: the cluster registry (at most one)."""
    return [s for s in study.spec.sources if s.kind == "cluster" and not s.year]


def cluster_frame(
    study: Study, frame: pd.DataFrame, tables: dict[str, pd.DataFrame]
) -> pd.DataFrame | None:
    """The cluster-year panel of the study (`clusterdx.data.clusters.cluster_panel`): its cluster
    registry expanded over the region rows of ``frame`` (the indicator panel with the region
    attributes) and its cluster-year sources; None without a registry."""
    from clusterdx.data.clusters import cluster_panel

    registry = [tables[s.name] for s in cluster_registries(study) if s.name in tables]
    if not registry:
        return None
    years = {
        s.name: tables[s.name]
        for s in study.spec.sources
        if s.kind == "cluster" and s.year and s.name in tables
    }
    return cluster_panel(registry[0], frame, years)


def cluster_panel_path(study: Study) -> Path:
    """Where the indicators step writes the cluster-year panel (studies with a cluster registry)."""
    return study.clean_dir / "cluster_panel.parquet"


def read_cluster_panel(study: Study) -> pd.DataFrame | None:
    """The cluster-year panel the indicators step wrote, or None for a study without a registry."""
    return pd.read_parquet(cluster_panel_path(study)) if cluster_registries(study) else None


def region_attributes(study: Study, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Time-invariant region columns for heterogeneity and policy analyses.

    ``macro_region`` (NBS east / central / west / northeast) from the registry, or ``group`` from
    the study's own ``[regions]``; from a ``cluster``
    source, ``cluster_type`` = the most frequent type among the region's registered clusters (ties go
    to the earliest-registered cluster, by id) and ``designation_year`` = its first designation year
    (missing for regions without a designated cluster: never treated); ``type_share_<type>`` = the
    share of the region's registered clusters of each type (`clusterdx.typology.type_shares`), so a
    region can carry several types.
    """
    from clusterdx.regions.own import study_regions
    from clusterdx.regions.registry import table as region_table

    own = study_regions(study)
    if own is not None:
        out = own.frame[["code", "group"]].rename(columns={"code": ENTITY})
    else:
        registry = region_table(study.spec.study.level)
        out = registry[["code", "macro_region"]].rename(columns={"code": ENTITY})
    clusters = [tables[s.name] for s in cluster_registries(study) if s.name in tables]
    if clusters:
        registry_rows = clusters[0].sort_values("cluster", kind="stable")
        if "cluster_type" in registry_rows.columns:
            dominant = _dominant_type(registry_rows)
            out = out.merge(
                dominant.rename("cluster_type"), left_on=ENTITY, right_index=True, how="left"
            )
            shares = typology.type_shares(registry_rows, ENTITY, "cluster_type").add_prefix(
                "type_share_"
            )
            out = out.merge(shares, left_on=ENTITY, right_index=True, how="left")
        if "designation_year" in registry_rows.columns:
            first = registry_rows.groupby(ENTITY)["designation_year"].min()
            out = out.merge(
                first.rename("designation_year"), left_on=ENTITY, right_index=True, how="left"
            )
    return out


def _dominant_type(registry_rows: pd.DataFrame) -> pd.Series:
    """Most frequent ``cluster_type`` of each region's clusters (rows sorted by cluster id); ties go
    to the type that appears first, i.e. of the earliest-registered cluster. Regions whose types
    are all missing are left out."""
    rows = registry_rows[[ENTITY, "cluster_type"]].assign(order=np.arange(len(registry_rows)))
    counts = rows.groupby([ENTITY, "cluster_type"], sort=False).agg(
        n=("order", "size"), first=("order", "min")
    )
    counts = counts.reset_index().sort_values(
        [ENTITY, "n", "first"], ascending=[True, False, True], kind="stable"
    )
    best = counts.drop_duplicates(ENTITY)
    return pd.Series(best["cluster_type"].to_numpy(), index=pd.Index(best[ENTITY], name=ENTITY))


def study_weights(study: Study, name: str, frame: pd.DataFrame):
    """The spatial weights matrix ``[weights.<name>]`` for the regions of ``frame`` (a libpysal ``W``).

    The regions are China's registry, or the study's own ``[regions]`` (contiguity from their
    polygons, distances from their lon/lat or polygon centroids); ``type = "file"`` reads the
    matrix and matches its ids to the panel's region codes (or names). Built from
    `study_weights_matrix`, except ``nested``, which combines the two ``W`` (their libpysal
    transforms).
    """
    spec = study.spec.weights[name]
    if spec.type == "nested":
        from clusterdx import weights

        return weights.nested(
            study_weights(study, spec.geo, frame),
            study_weights(study, spec.econ, frame),
            share=spec.share,
        )
    return study_weights_matrix(study, name, frame).to_w()


def study_weights_matrix(study: Study, name: str, frame: pd.DataFrame) -> SparseWeights:
    """`study_weights` as a ``clusterdx.weights.matrix.SparseWeights`` (scipy matrix + ids) with
    the same checks and errors, without importing libpysal (``clusterdx validate``); libpysal is
    loaded only for contiguity of the study's own polygons and for .gal / .gwt files."""
    from clusterdx.regions.own import study_regions
    from clusterdx.regions.registry import table as region_table
    from clusterdx.weights.contiguity import contiguity_weights
    from clusterdx.weights.distance import inverse_distance_weights, knn_weights
    from clusterdx.weights.economic import economic_distance_weights, nested_weights
    from clusterdx.weights.file import file_weights

    spec = study.spec.weights[name]
    own = study_regions(study, with_geometry=True)
    codes = sorted(frame[ENTITY].unique().tolist())
    if spec.type == "file":
        return file_weights(
            study.root / spec.file,
            ids=codes,
            transform=spec.transform,
            islands=spec.islands,
            aliases=own.index() if own is not None else _registry_alias(study),
        )
    if own is None:
        registry = region_table(study.spec.study.level)
        registry = registry[registry["code"].isin(codes)]
    else:
        registry = own.table(codes)
        if spec.type == "contiguity" and "geometry" not in registry.columns:
            raise StudySpecError(
                f"[weights.{name}] type = 'contiguity' needs the polygons of the study's regions: "
                "set [regions].geometry (a shp, gpkg or geojson file), or use type = 'knn' / "
                "'inverse_distance' (lon/lat) or 'file'"
            )
    if spec.type == "contiguity":
        return contiguity_weights(registry, rule=spec.rule)
    if spec.type == "inverse_distance":
        return inverse_distance_weights(registry, power=spec.power, cutoff=spec.cutoff)
    if spec.type == "knn":
        return knn_weights(registry, k=spec.k)
    if spec.type == "economic_distance":
        return economic_distance_weights(frame, spec.variable, entity=ENTITY, time=TIME)
    if spec.type == "nested":
        return nested_weights(
            study_weights_matrix(study, spec.geo, frame),
            study_weights_matrix(study, spec.econ, frame),
            share=spec.share,
        )
    raise StudySpecError(f"weights type {spec.type!r} is not supported")


def _registry_alias(study: Study):
    """Registry look-up of a weights file's ids given as region names (None when unknown)."""
    from clusterdx.regions import lookup as registry_lookup

    level = study.spec.study.level

    def alias(key: str):
        try:
            return registry_lookup(key, level=level)
        except ClusterDXError:
            return None

    return alias


def _transform_of(w) -> str:
    """How the weights enter the models: row-standardised or as given."""
    sums = w.sparse.sum(axis=1)
    return "row" if abs(sums - 1).max() < 1e-10 else "none"


#: Chinese names of the weights types (the matrix's own name is a key, often Latin, so the Chinese
#: note describes the matrix by its type).
WEIGHTS_TYPE_ZH = {
    ("contiguity", "queen"): "后式邻接矩阵",
    ("contiguity", "rook"): "车式邻接矩阵",
    "inverse_distance": "地理距离倒数矩阵",
    "knn": "最近邻矩阵",
    "economic_distance": "经济距离矩阵",
    "nested": "经济地理嵌套矩阵",
    "file": "自定义权重矩阵（文件）",
}


def weights_note(study: Study, used: list[tuple[str, str]], lang: str | None = None) -> str:
    """Table note naming each spatial weights matrix of the models and its transform (in
    ``lang``, default the study's language)."""
    parts = []
    zh = (lang or study.spec.study.language) == "zh"
    for name, transform in used:
        if zh:
            spec = study.spec.weights.get(name)
            kind = spec.type if spec is not None else None
            label = WEIGHTS_TYPE_ZH.get((kind, spec.rule) if kind == "contiguity" else kind, "")
            parts.append(
                f"{label or name}（{'行标准化' if transform == 'row' else '未标准化，按原值'}）"
            )
        else:
            parts.append(
                f"{name} ({'row-standardised' if transform == 'row' else 'not standardised, as given'})"
            )
    if zh:
        return "空间权重矩阵：" + "；".join(parts) + "。"
    return "Spatial weights: " + "; ".join(parts) + "."


def _labels(study: Study, names) -> dict[str, str]:
    """Labels of the study's variables and indicators among ``names`` (others keep the renderer's)."""
    return {name: study.label(name) for name in names if study.label(name) != name}


def _dependent(model: PanelModel | SpatialModel) -> str:
    return model.y if isinstance(model, SpatialModel) else model.formula.split("~")[0].strip()


def _on_regions(models: list) -> list:
    """The ``[[models]]`` fitted on the region panel (not ``unit = "cluster"``)."""
    return [m for m in models if getattr(m, "unit", "region") == "region"]


def model_variables(study: Study) -> list[str]:
    """Dependent variables and regressors of the region ``[[models]]``, in order of first appearance."""
    names: list[str] = []
    for model in _on_regions(study.spec.models):
        if isinstance(model, SpatialModel):
            used = [model.y, *model.x]
        else:
            y, x = model.formula.split("~")
            used = [y.strip(), *(term.strip() for term in x.split("+"))]
        names += [n for n in used if n not in names]
    return names


def model_outputs(study: Study) -> dict[str, Path]:
    """Every table and figure `fit_models` writes, derived from the study spec (pytask products)."""
    spec = study.spec
    tables, figures = study.reports_dir / "tables", study.reports_dir / "figures"
    formats = spec.tables.formats
    out: dict[str, Path] = {}
    spatial = [m for m in spec.models if isinstance(m, SpatialModel)]
    with_impacts = [m for m in spatial if m.model in IMPACT_MODELS]
    if spec.models:
        for stem in ("models", "descriptives", "correlations"):
            out |= {f"{stem}.{f}": tables / f"{stem}.{f}" for f in formats}
        out["coefficients.png"] = figures / "coefficients.png"
    out |= study_tables.outputs(study)
    out |= {f"effects_{m.name}.csv": tables / f"effects_{m.name}.csv" for m in with_impacts}
    if with_impacts:
        out |= {f"effects.{f}": tables / f"effects.{f}" for f in formats}
    if spatial:
        out |= {f"spatial_tests.{f}": tables / f"spatial_tests.{f}" for f in formats}
    if spec.diagnostics.moran:
        out["moran_by_year.csv"] = tables / "moran_by_year.csv"
        out |= {f"moran.{f}": tables / f"moran.{f}" for f in formats}
        for v in spec.diagnostics.moran:
            for stem in (f"moran_{v}", f"moran_scatter_{v}", f"lisa_{v}"):
                out[f"{stem}.png"] = figures / f"{stem}.png"
    for v in sorted(
        {_dependent(m) for m in _on_regions(spec.models)} | set(spec.diagnostics.moran)
    ):
        for stem in (f"trend_{v}", f"density_{v}"):
            out[f"{stem}.png"] = figures / f"{stem}.png"
    return out


def fit_models(study: Study, indicators_path: Path) -> list[Path]:
    """Estimate ``[[models]]`` and ``[diagnostics]``; write the tables and figures of `model_outputs`."""
    from clusterdx.data.balance import require_balanced
    from clusterdx.report import captions, figures  # matplotlib: both processes draw
    from clusterdx.report.figures import index_trends

    frame = pd.read_parquet(indicators_path)
    clusters = read_cluster_panel(study)
    check_spec_against_panel(study, frame, clusters)
    spec = study.spec
    lang, formats, seed = spec.study.language, spec.tables.formats, spec.study.seed
    tables_dir, figures_dir = study.reports_dir / "tables", study.reports_dir / "figures"
    tables_dir.mkdir(parents=True, exist_ok=True)
    figures_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    results: list[tuple[PanelModel | SpatialModel, object]] = []
    impacts: dict[str, pd.DataFrame] = {}
    used_weights: dict[str, str] = {}
    for model in spec.models:
        if isinstance(model, SpatialModel):
            require_balanced(study, frame, f"spatial model '{model.name}'")
    if spec.diagnostics.moran:
        require_balanced(study, frame, "Moran's I by year ([diagnostics].moran)")
    # Moran's I, its figures and the LISA maps need none of the fits nor the tables below: a
    # worker writes them meanwhile (clusterdx.tasks.forked), started before the progress bar's
    # thread, after the plotting imports both need and before those only the fits need
    with Jobs(
        [functools.partial(_moran_outputs, study, frame, tables_dir, figures_dir)]
        if spec.diagnostics.moran
        else [],
        spec.compute.workers,
        step="models",
        alongside=True,
    ) as moran:
        from clusterdx import panel as panel_models
        from clusterdx.regions.own import study_regions
        from clusterdx.report import labels as lab

        with Progress(transient=True) as progress:
            job = progress.add_task("estimating models", total=len(spec.models))
            for model in spec.models:
                if isinstance(model, PanelModel):
                    on_clusters = model.unit == "cluster"
                    res = panel_models.fit(
                        clusters if on_clusters else frame,
                        model.formula,
                        entity=CLUSTER if on_clusters else ENTITY,
                        time=TIME,
                        **panel_fit_options(model),
                    )
                else:
                    w = read_weights(study, model.weights)
                    used_weights[model.weights] = _transform_of(w)
                    extra = {}
                    for key, name in (
                        ("w_error", model.weights_error),
                        ("w_durbin", model.weights_durbin),
                    ):
                        if name is not None:
                            extra[key] = read_weights(study, name)
                            used_weights[name] = _transform_of(extra[key])
                    model_seed = seed if model.seed is None else model.seed
                    res = spatial.fit(
                        frame,
                        y=model.y,
                        x=model.x,
                        w=w,
                        entity=ENTITY,
                        time=TIME,
                        model=model.model,
                        effects=model.effects,
                        bias_correction=model.bias_correction,
                        convention=model.convention,
                        seed=model_seed,
                        dynamic=model.dynamic,
                        durbin=model.durbin,
                        **extra,
                        **given(model, "logdet", "maxiter"),
                    )
                    if model.model in IMPACT_MODELS:
                        imp = res.impacts(draws=model.impacts_draws, seed=model_seed)
                        path = tables_dir / f"effects_{model.name}.csv"
                        imp.to_csv(path, float_format="%.6f", lineterminator="\n")
                        written.append(path)
                        if model.dynamic:  # short- and long-run effects as two panels
                            for horizon in ("short", "long"):
                                title = captions.spec_title(model, lang)
                                key = lab.text(lang, f"{horizon}_run").format(name=title)
                                impacts[key] = imp[horizon]
                        else:
                            impacts[captions.spec_title(model, lang)] = imp
                results.append((model, res))
                progress.advance(job)
        if results:
            names = sorted(
                lab.label_names({n for _, r in results for n in [*r.params.index, r.depvar]})
            )
            labels = _labels(study, names)
            titles = [captions.spec_title(m, lang) for m, _ in results]
            table = report.RegressionTable(
                [r for _, r in results],
                lang=lang,
                labels=labels,
                column_titles=titles,
                stat=spec.tables.stat,
                digits=spec.tables.digits,
                notes=[weights_note(study, list(used_weights.items()))] if used_weights else None,
            )
            written += table.captioned(captions.caption("models", lang)).save(
                tables_dir / "models", formats, strict=True
            )
            used = model_variables(study)
            used_labels = _labels(study, used)
            written += (
                report.descriptive_table(frame, used, used_labels, lang)
                .captioned(captions.caption("descriptives", lang))
                .save(tables_dir / "descriptives", formats, strict=True)
            )
            written += (
                report.correlation_table(frame, used, used_labels, lang)
                .captioned(captions.caption("correlations", lang))
                .save(tables_dir / "correlations", formats, strict=True)
            )
            path = figures_dir / "coefficients.png"
            figures.coef_plot(
                dict(zip(titles, [r for _, r in results], strict=True)),
                labels=labels,
                lang=lang,
                path=path,
            )
            written.append(path)
        if impacts:
            labels = _labels(study, {v for imp in impacts.values() for v in imp.index})
            note = [weights_note(study, list(used_weights.items()))]
            written += (
                report.effects_table(impacts, lang, labels=labels, notes=note)
                .captioned(captions.caption("effects", lang))
                .save(tables_dir / "effects", formats, strict=True)
            )
        written += study_tables.write(study, frame, model_variables(study))
        spatial_results = [(m, r) for m, r in results if isinstance(m, SpatialModel)]
        if spatial_results:
            written += (
                _spatial_tests(study, frame, spatial_results)
                .captioned(captions.caption("spatial_tests", lang))
                .save(tables_dir / "spatial_tests", formats, strict=True)
            )
        own = study_regions(study)
        groups = None if own is None else own.frame.set_index("code")["group"]
        for var in sorted(
            {_dependent(m) for m in _on_regions(spec.models)} | set(spec.diagnostics.moran)
        ):
            label = study.label(var)
            path = figures_dir / f"trend_{var}.png"
            index_trends(
                frame, var, level=spec.study.level, label=label, lang=lang, path=path, groups=groups
            )
            path_density = figures_dir / f"density_{var}.png"
            figures.index_density(frame, var, time=TIME, label=label, lang=lang, path=path_density)
            written += [path, path_density]
        return written + [path for files in moran.results() for path in files]


def _moran_outputs(
    study: Study, frame: pd.DataFrame, tables_dir: Path, figures_dir: Path
) -> list[Path]:
    """Moran's I by year (CSV and table), its trend, the Moran scatter and the LISA map per variable."""
    from clusterdx.regions.own import study_regions
    from clusterdx.report import captions, figures
    from clusterdx.report.figures import moran_trend
    from clusterdx.spatial.diagnostics import moran_by_year

    spec = study.spec
    lang, seed, permutations = spec.study.language, spec.study.seed, spec.diagnostics.permutations
    w = read_weights(study, spec.diagnostics.weights)
    # one reading of the map shapes for every variable's map: the study's own regions are drawn
    # in their coordinates (shapes=), China's polygons in the China projection (polygons=)
    shapes = read_map_shapes(study)
    maps = {"shapes": shapes} if study_regions(study) is not None else {"polygons": shapes}
    moran = pd.concat(
        [
            moran_by_year(
                frame, var, w, entity=ENTITY, time=TIME, permutations=permutations, seed=seed
            ).assign(variable=var)
            for var in spec.diagnostics.moran
        ],
        ignore_index=True,
    )
    path = tables_dir / "moran_by_year.csv"
    moran.to_csv(path, index=False, float_format="%.6f", lineterminator="\n")
    written = [path]
    written += (
        report.moran_table(moran, lang, labels=_labels(study, spec.diagnostics.moran))
        .captioned(captions.caption("moran", lang))
        .save(tables_dir / "moran", spec.tables.formats, strict=True)
    )
    for var in spec.diagnostics.moran:
        label = study.label(var)
        paths = [figures_dir / f"{stem}_{var}.png" for stem in ("moran", "moran_scatter", "lisa")]
        moran_trend(moran[moran["variable"] == var], label=label, lang=lang, path=paths[0])
        figures.moran_scatter(
            frame, var, w, entity=ENTITY, time=TIME, label=label, lang=lang, path=paths[1]
        )
        figures.lisa_map(
            frame,
            var,
            w,
            level=spec.study.level,
            entity=ENTITY,
            time=TIME,
            permutations=max(permutations, 99),
            seed=seed,
            label=label,
            lang=lang,
            path=paths[2],
            **maps,
        )
        written += paths
    return written


def _spatial_tests(study: Study, frame: pd.DataFrame, fitted: list) -> report.Table:
    """LM and Baltagi-Song-Koh tests of the first spatial model; Wald / LR tests of each SDM."""
    from clusterdx.report.spatial_tables import BSK_LABELS, BSK_NOTE

    first = fitted[0][0]
    effects = "individual" if first.effects == "random" else first.effects
    w_first = read_weights(study, first.weights)
    lm = spatial.lm_tests(
        frame, first.y, first.x, w_first, entity=ENTITY, time=TIME, effects=effects
    )
    # Baltagi, Song & Koh (2003) joint, marginal and conditional LM tests (splm bsktest)
    tests: dict[str, object] = {
        label: spatial.bsk_test(
            frame, first.y, first.x, w_first, entity=ENTITY, time=TIME, test=test
        )
        for test, label in BSK_LABELS[study.spec.study.language].items()
    }
    for model, res in fitted:
        if model.model != "sdm":
            continue
        name = model.title or model.name
        tests[f"Wald {name} → SAR"] = spatial.wald_test(res, "sar")
        tests[f"Wald {name} → SEM"] = spatial.wald_test(res, "sem")
        for other, other_res in fitted:
            alike = (other.y, other.x, other.effects, other.weights, other.bias_correction) == (
                model.y,
                model.x,
                model.effects,
                model.weights,
                model.bias_correction,
            ) and other.dynamic == model.dynamic
            if other.model in ("sar", "sem") and alike:
                tests[f"LR {name} → {other.model.upper()}"] = spatial.lr_test(res, other_res)
    lang = study.spec.study.language
    return report.tests_table(lm, tests, lang, notes=BSK_NOTE[lang])


def _jsonable(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")
