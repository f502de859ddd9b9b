"""The analyses step: ``[[analyses]]`` (mediation, moderation, heterogeneity, threshold, DID) and
the ``[robustness]`` battery of the study, each written as tables (every ``[tables].formats``) plus
CSV detail and figures. `analysis_outputs` lists the files so the pipeline can declare them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.progress import Progress

from clusterdx import panel as panel_models
from clusterdx import report
from clusterdx.report import analysis_rows, captions, figures
from clusterdx.report import labels as lab
from clusterdx.study import Analysis, PanelModel, Study

ENTITY, TIME = "region", "year"

#: Per kind of analysis: (CSV suffixes, figure suffixes) written besides the ``<name>`` table.
EXTRA_OUTPUTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "mediation": (("indirect",), ("path",)),
    "moderation": (("marginal",), ()),
    "heterogeneity": (("tests",), ()),
    "threshold": (("tests",), ()),
    "did": (("event_study",), ("event_study",)),
}


def analysis_outputs(study: Study) -> dict[str, Path]:
    """Every file `run_analyses` writes, derived from the study spec."""
    tables, figs = study.reports_dir / "tables", study.reports_dir / "figures"
    formats = study.spec.tables.formats
    out: dict[str, Path] = {}
    for analysis in study.spec.analyses:
        csvs, pngs = EXTRA_OUTPUTS[analysis.kind]
        out |= {f"{analysis.name}.{f}": tables / f"{analysis.name}.{f}" for f in formats}
        out |= {f"{analysis.name}_{c}.csv": tables / f"{analysis.name}_{c}.csv" for c in csvs}
        out |= {f"{analysis.name}_{g}.png": figs / f"{analysis.name}_{g}.png" for g in pngs}
    if study.spec.robustness is not None:
        out |= {f"robustness.{f}": tables / f"robustness.{f}" for f in formats}
    return out


def _labels(study: Study, names) -> dict[str, str]:
    return {name: study.label(name) for name in names if study.label(name) != name}


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, float_format="%.6f", lineterminator="\n")
    return path


def _run_one(
    study: Study, a: Analysis, frame: pd.DataFrame, tables: Path, figs: Path
) -> list[Path]:
    """Fit one analysis; write its table (all formats), CSV detail and figure."""
    spec = study.spec
    lang, seed = spec.study.language, spec.study.seed
    common = {"entity": ENTITY, "time": TIME}
    written: list[Path] = []
    if a.kind == "mediation":
        res = panel_models.mediation(
            frame,
            a.y,
            a.x,
            a.m,
            a.controls,
            effects=a.effects,
            cov=a.cov,
            method=a.method,
            bootstrap=a.bootstrap,
            seed=seed,
            **common,
        )
        results, titles = res.results, None
        written.append(_csv(res.table, tables / f"{a.name}_indirect.csv"))
        path = figs / f"{a.name}_path.png"
        figures.mediation_diagram(
            res, names=tuple(study.label(v) for v in (a.x, a.m, a.y)), lang=lang, path=path
        )
        written.append(path)
    elif a.kind == "moderation":
        res = panel_models.moderation(
            frame, a.y, a.x, a.z, a.controls, effects=a.effects, cov=a.cov, **common
        )
        results, titles = [res.fit], [captions.spec_title(a, lang)]
        written.append(_csv(res.marginal, tables / f"{a.name}_marginal.csv"))
    elif a.kind == "heterogeneity":
        res = panel_models.heterogeneity(
            frame, a.formula, a.group, effects=a.effects, cov=a.cov, **common
        )
        results = [*res.subsamples.values(), res.interacted]
        titles = [*res.subsamples, "interaction"]
        written.append(_csv(res.tests, tables / f"{a.name}_tests.csv"))
    elif a.kind == "threshold":
        res = panel_models.threshold(
            frame,
            a.y,
            a.x,
            a.q,
            a.controls,
            n_thresholds=a.n_thresholds,
            trim=a.trim,
            grid=a.grid,
            bootstrap=a.bootstrap,
            seed=seed,
            cov=a.cov,
            **common,
        )
        results, titles = [res.fit], [captions.spec_title(a, lang)]
        written.append(_csv(res.tests, tables / f"{a.name}_tests.csv"))
    else:
        twfe = panel_models.did(
            frame, a.y, a.treat_year, controls=a.controls, cov=a.cov, effects=a.effects, **common
        )
        cs = panel_models.callaway_santanna(
            frame, a.y, a.treat_year, control_group=a.control_group, **common
        )
        events = panel_models.event_study(
            frame,
            a.y,
            a.treat_year,
            leads=a.leads,
            lags=a.lags,
            controls=a.controls,
            cov=a.cov,
            effects=a.effects,
            **common,
        )
        results, titles = [twfe, cs], ["TWFE", "Callaway-Sant'Anna"]
        written.append(_csv(events.coefs, tables / f"{a.name}_event_study.csv"))
        path = figs / f"{a.name}_event_study.png"
        figures.event_study_plot(events, label=study.label(a.y), lang=lang, path=path)
        written.append(path)
    names = lab.label_names({n for r in results for n in [*r.params.index, r.depvar]})
    table = report.RegressionTable(
        results,
        lang=lang,
        labels=_labels(study, names),
        column_titles=titles,
        stat=spec.tables.stat,
        digits=spec.tables.digits,
        title=captions.caption(a.kind, lang, a.title, a.title_en),
    )
    extra = {"threshold": analysis_rows.threshold_rows, "mediation": analysis_rows.mediation_rows}
    if a.kind in extra:
        table = table.with_rows(extra[a.kind](res, lang, spec.tables.digits, table.grid.ncols))
    return written + table.save(tables / a.name, spec.tables.formats, strict=True)


def run_analyses(study: Study, indicators_path: Path) -> list[Path]:
    """Run ``[[analyses]]`` and ``[robustness]``; return the files written (= `analysis_outputs`)."""
    frame = pd.read_parquet(indicators_path)
    spec = study.spec
    tables, figs = study.reports_dir / "tables", study.reports_dir / "figures"
    tables.mkdir(parents=True, exist_ok=True)
    figs.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with Progress(transient=True) as progress:
        job = progress.add_task("mechanism analyses", total=len(spec.analyses) + 1)
        for analysis in spec.analyses:
            written += _run_one(study, analysis, frame, tables, figs)
            progress.advance(job)
        if spec.robustness is not None:
            written += _robustness(study, frame, tables)
        progress.advance(job)
    return written


def _robustness(study: Study, frame: pd.DataFrame, tables: Path) -> list[Path]:
    spec = study.spec
    base = next(
        m for m in spec.models if isinstance(m, PanelModel) and m.name == spec.robustness.base
    )
    variants = []
    for v in spec.robustness.variants:
        options = {k: val for k, val in (("effects", v.effects), ("cov", v.cov)) if val is not None}
        variants.append(
            {
                "name": v.name,
                "y": v.y,
                "winsorize": v.winsorize,
                "drop_entities": v.drop_entities,
                "lag": v.lag,
                "exclude_periods": v.exclude_periods,
                "fit": options or None,
            }
        )
    runs = panel_models.robustness(
        frame,
        {"formula": base.formula, "model": base.model, "effects": base.effects, "cov": base.cov},
        variants,
        entity=ENTITY,
        time=TIME,
    )
    names = lab.label_names({n for r in runs.values() for n in [*r.params.index, r.depvar]})
    table = report.RegressionTable(
        list(runs.values()),
        lang=spec.study.language,
        labels=_labels(study, names),
        column_titles=list(runs),
        stat=spec.tables.stat,
        digits=spec.tables.digits,
    )
    caption = captions.caption("robustness", spec.study.language)
    return table.captioned(caption).save(tables / "robustness", spec.tables.formats, strict=True)
