"""The pipeline steps as plain functions: inputs in, files out, no knowledge of the task runner.

`clusterdx.tasks.pipeline` wires them to pytask with their declared inputs and products, so that a
changed raw file reruns only the steps that depend on it. Each step can also be called directly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from rich.progress import Progress

from clusterdx import indicators, report, weights
from clusterdx import panel as panel_models
from clusterdx.data.audit import Audit, FileAudit
from clusterdx.data.panel import merge_region_year, read_source
from clusterdx.errors import StudySpecError
from clusterdx.regions.registry import table as region_table
from clusterdx.report.figures import index_trends, moran_trend
from clusterdx.spatial.diagnostics import moran_by_year
from clusterdx.study import PanelModel, SpatialModel, Study

ENTITY, TIME = "region", "year"

#: Spatial models whose coefficients are not marginal effects: the step writes their impacts.
IMPACT_MODELS = ("sar", "sdm", "sac", "sdem", "slx")


def clean_source(study: Study, name: str, out_table: Path, out_audit: Path) -> None:
    """Read and clean one raw source; write its clean table (parquet) and its audit entry (JSON)."""
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
    """Compute the ``[indicators]`` recipes on the clean panel; write ``indicators.parquet``."""
    panel = pd.read_parquet(panel_path)
    others = {n: pd.read_parquet(p) for n, p in tables.items()}
    indicators.compute_indicators(study, panel, others).to_parquet(out, index=False)


def study_weights(study: Study, name: str, frame: pd.DataFrame):
    """The spatial weights matrix ``[weights.<name>]`` for the regions of ``frame``."""
    spec = study.spec.weights[name]
    registry = region_table(study.spec.study.level)
    registry = registry[registry["code"].isin(frame[ENTITY].unique())]
    if spec.type == "contiguity":
        return weights.contiguity(registry, rule=spec.rule)
    if spec.type == "inverse_distance":
        return weights.inverse_distance(registry, power=spec.power, cutoff=spec.cutoff)
    if spec.type == "knn":
        return weights.knn(registry, k=spec.k)
    if spec.type == "economic_distance":
        return weights.economic_distance(frame, spec.variable, entity=ENTITY, time=TIME)
    if spec.type == "nested":
        return weights.nested(
            study_weights(study, spec.geo, frame),
            study_weights(study, spec.econ, frame),
            share=spec.share,
        )
    raise StudySpecError(f"weights type {spec.type!r} is not supported")


def _labels(study: Study, names) -> dict[str, str]:
    """Labels of the study's variables and indicators among ``names`` (others keep the renderer's)."""
    return {name: study.label(name) for name in names if study.label(name) != name}


def fit_models(
    study: Study, indicators_path: Path, tables_dir: Path, figures_dir: Path
) -> list[Path]:
    """Estimate ``[[models]]`` and ``[diagnostics]``; write tables and figures. Returns the files written."""
    frame = pd.read_parquet(indicators_path)
    spec = study.spec
    lang = spec.study.language
    tables_dir.mkdir(parents=True, exist_ok=True)
    figures_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    results = []
    with Progress(transient=True) as progress:
        job = progress.add_task("estimating models", total=len(spec.models) + 1)
        for model in spec.models:
            if isinstance(model, PanelModel):
                res = panel_models.fit(
                    frame,
                    model.formula,
                    entity=ENTITY,
                    time=TIME,
                    model=model.model,
                    effects=model.effects,
                    cov=model.cov,
                )
            elif isinstance(model, SpatialModel):
                w = study_weights(study, model.weights, frame)
                from clusterdx.spatial.models import fit as spatial_fit

                res = spatial_fit(
                    frame,
                    y=model.y,
                    x=model.x,
                    w=w,
                    entity=ENTITY,
                    time=TIME,
                    model=model.model,
                    effects=model.effects,
                    bias_correction=model.bias_correction,
                )
                path = tables_dir / f"effects_{model.name}.csv"
                if model.model in IMPACT_MODELS:
                    res.impacts(draws=model.impacts_draws, seed=spec.study.seed).to_csv(
                        path, float_format="%.6f", lineterminator="\n"
                    )
                    written.append(path)
            results.append((model, res))
            progress.advance(job)
        if spec.diagnostics.moran:
            w = study_weights(study, spec.diagnostics.weights, frame)
            moran = pd.concat(
                [
                    moran_by_year(
                        frame,
                        var,
                        w,
                        entity=ENTITY,
                        time=TIME,
                        permutations=spec.diagnostics.permutations,
                        seed=spec.study.seed,
                    ).assign(variable=var)
                    for var in spec.diagnostics.moran
                ],
                ignore_index=True,
            )
            path = tables_dir / "moran_by_year.csv"
            moran.to_csv(path, index=False, float_format="%.6f", lineterminator="\n")
            written.append(path)
            for var in spec.diagnostics.moran:
                path = figures_dir / f"moran_{var}.png"
                moran_trend(
                    moran[moran["variable"] == var], label=study.label(var), lang=lang, path=path
                )
                written.append(path)
        progress.advance(job)
    if results:
        variables = sorted({n for _, r in results for n in r.params.index})
        table = report.RegressionTable(
            [r for _, r in results],
            lang=lang,
            labels=_labels(study, variables),
            column_titles=[m.title or m.name for m, _ in results],
            stat=spec.tables.stat,
            digits=spec.tables.digits,
        )
        written += table.save(tables_dir / "models", spec.tables.formats)
    for var in {
        m.y if isinstance(m, SpatialModel) else m.formula.split("~")[0].strip() for m in spec.models
    } | set(spec.diagnostics.moran):
        path = figures_dir / f"trend_{var}.png"
        index_trends(
            frame, var, level=spec.study.level, label=study.label(var), lang=lang, path=path
        )
        written.append(path)
    return written


def _jsonable(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")
