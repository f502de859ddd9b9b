"""The analyses step: ``[[analyses]]`` (mediation, moderation, heterogeneity, threshold, DID) and
the ``[robustness]`` battery of the study, each written as tables (every ``[tables].formats``) plus
CSV detail and figures. `analysis_outputs` lists the files so the pipeline can declare them.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
from rich.progress import Progress

from clusterdx import report, spatial
from clusterdx.data.balance import require_balanced
from clusterdx.report import analysis_rows, captions
from clusterdx.report import labels as lab
from clusterdx.study import Analysis, PanelModel, Study
from clusterdx.tasks import kinds, measurement
from clusterdx.tasks.checks import check_spec_against_panel, dropped_regions
from clusterdx.tasks.forked import Jobs
from clusterdx.tasks.spatial_inputs import read_weights
from clusterdx.tasks.spatial_robustness import run_spatial_robustness, spatial_robustness_outputs
from clusterdx.tasks.steps import (
    CLUSTER,
    _labels,
    _transform_of,
    given,
    panel_fit_options,
    passed,
    read_cluster_panel,
    weights_note,
)

ENTITY, TIME = "region", "year"

#: Per kind of analysis: (CSV suffixes, figure suffixes) written besides the ``<name>`` table
#: (a view of the registry `clusterdx.tasks.kinds.KINDS`).
EXTRA_OUTPUTS = kinds.OutputsView()


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
        out |= measurement.extra_tables(study, analysis, tables)
        if analysis.kind == "did" and analysis.spatial is True:
            stem = f"{analysis.name}_spatial"
            other = "en" if study.spec.study.language == "zh" else "zh"
            for s in (stem, f"{stem}_{other}"):
                out |= {f"{s}.{f}": tables / f"{s}.{f}" for f in formats}
            out[f"{stem}_effects.csv"] = tables / f"{stem}_effects.csv"
    if study.spec.robustness is not None:
        out |= {f"robustness.{f}": tables / f"robustness.{f}" for f in formats}
    out |= spatial_robustness_outputs(study)
    return out


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, float_format="%.6f", lineterminator="\n")
    return path


def _run_one(
    study: Study, a: Analysis, frame: pd.DataFrame, tables: Path, figs: Path
) -> list[Path]:
    """Fit one analysis with its kind's runner (`clusterdx.tasks.kinds`); return the files."""
    return kinds.KINDS[a.kind].run(study, a, frame, tables, figs)


def run_regression(
    study: Study, a: Analysis, frame: pd.DataFrame, tables: Path, figs: Path
) -> list[Path]:
    """Fit a mediation, moderation, heterogeneity, threshold or DID analysis; write its table
    (all formats), CSV detail and figure."""
    from clusterdx import panel as panel_models
    from clusterdx.report import figures

    spec = study.spec
    lang, seed = spec.study.language, spec.study.seed
    common = {"entity": CLUSTER if a.unit == "cluster" else ENTITY, "time": TIME}
    written: list[Path] = []
    notes: list[str] = []
    if a.kind == "mediation":
        res = panel_models.mediation(
            frame,
            a.y,
            a.x,
            a.m,
            controls=a.controls,
            seed=seed,
            **given(a, "effects", "cov", "method", "bootstrap"),
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
            frame, a.y, a.x, a.z, controls=a.controls, **given(a, "effects", "cov"), **common
        )
        results, titles = [res.fit], [captions.spec_title(a, lang)]
        written.append(_csv(res.marginal, tables / f"{a.name}_marginal.csv"))
    elif a.kind == "heterogeneity":
        res = panel_models.heterogeneity(
            frame, a.formula, a.group, **given(a, "effects", "cov"), **common
        )
        results = [*res.subsamples.values(), res.interacted]
        titles = [*res.subsamples, "interaction"]
        written.append(_csv(res.tests, tables / f"{a.name}_tests.csv"))
    elif a.kind == "threshold":
        require_balanced(study, frame, f"threshold analysis '{a.name}' (Hansen 1999)")
        res = panel_models.threshold(
            frame,
            a.y,
            a.x,
            a.q,
            controls=a.controls,
            seed=seed,
            **given(a, "n_thresholds", "trim", "grid", "bootstrap", "cov", "effects"),
            **common,
        )
        results, titles = [res.fit], [captions.spec_title(a, lang)]
        written.append(_csv(res.tests, tables / f"{a.name}_tests.csv"))
    else:
        twfe = panel_models.did(
            frame, a.y, a.treat_year, controls=a.controls, **given(a, "cov", "effects"), **common
        )
        cs = panel_models.callaway_santanna(
            frame, a.y, a.treat_year, covariates=a.covariates, est_method=a.est_method,
            base_period=a.base_period, multiplier=a.multiplier, seed=seed,
            **given(a, "control_group", "bootstrap"), **common,
        )  # fmt: skip
        events = panel_models.event_study(
            frame,
            a.y,
            a.treat_year,
            controls=a.controls,
            **given(a, "leads", "lags", "cov", "effects"),
            **common,
        )
        results, titles = [twfe, cs], ["TWFE", "Callaway-Sant'Anna"]
        cs_labels = {c: study.label(c) for c in a.covariates}
        zh_lead = "异质性稳健DID（Callaway和Sant'Anna，2021）："
        lead = zh_lead if lang == "zh" else "Callaway-Sant'Anna: "
        notes.append(lead + cs.method_note(lang, cs_labels))
        written.append(_csv(events.coefs, tables / f"{a.name}_event_study.csv"))
        cells = cs.att_gt.set_index(["group", "time"])
        written.append(_csv(cells, tables / f"{a.name}_att_gt.csv"))
        written.append(_csv(cs.dynamic, tables / f"{a.name}_cs_dynamic.csv"))
        path = figs / f"{a.name}_event_study.png"
        figures.event_study_plot(events, label=study.label(a.y), lang=lang, path=path)
        written.append(path)
        if a.spatial is True:
            written += _spatial_did(study, a, frame, tables)
    names = lab.label_names({n for r in results for n in [*r.params.index, r.depvar]})
    table = report.RegressionTable(
        results,
        lang=lang,
        labels=_labels(study, names),
        column_titles=titles,
        stat=spec.tables.stat,
        digits=spec.tables.digits,
        title=captions.caption(a.kind, lang, a.title, a.title_en),
        notes=notes,
    )
    extra = {"threshold": analysis_rows.threshold_rows, "mediation": analysis_rows.mediation_rows}
    if a.kind in extra:
        table = table.with_rows(extra[a.kind](res, lang, spec.tables.digits, table.grid.ncols))
    return written + table.save(tables / a.name, spec.tables.formats, strict=True)


def _spatial_did(study: Study, a: Analysis, frame: pd.DataFrame, tables: Path) -> list[Path]:
    """``did`` with ``spatial = true``: the SDM-DID effects (`clusterdx.spatial.spatial_did`)."""
    spec = study.spec
    lang = spec.study.language
    require_balanced(study, frame, f"spatial DID '{a.name}'")
    w = read_weights(study, a.weights)
    res = spatial.spatial_did(
        frame,
        a.y,
        a.treat_year,
        w,
        entity=ENTITY,
        time=TIME,
        controls=a.controls,
        seed=spec.study.seed,
        **given(a, "effects", "draws"),
    )
    written = [_csv(res.impacts, tables / f"{a.name}_spatial_effects.csv")]
    names = lab.label_names(set(res.impacts.index))
    other = "en" if lang == "zh" else "zh"
    for language, stem in ((lang, f"{a.name}_spatial"), (other, f"{a.name}_spatial_{other}")):
        labels = {n: study.label(n, language) for n in names if study.label(n, language) != n}
        labels = {n: lab.derived_label(n, language, labels) for n in res.impacts.index}
        table = report.effects_table(
            {"SDM": res.impacts},
            language,
            labels=labels,
            digits=spec.tables.digits,
            notes=[weights_note(study, [(a.weights, _transform_of(w))], language)],
        ).captioned(captions.caption("spatial_did", language))
        written += table.save(tables / stem, spec.tables.formats, strict=True)
    return written


def run_analyses(study: Study, indicators_path: Path) -> list[Path]:
    """Run ``[[analyses]]`` and ``[robustness]``; return the files written (= `analysis_outputs`)."""
    frame = pd.read_parquet(indicators_path)
    clusters = read_cluster_panel(study)
    check_spec_against_panel(study, frame, clusters)
    spec = study.spec
    tables, figs = study.reports_dir / "tables", study.reports_dir / "figures"
    tables.mkdir(parents=True, exist_ok=True)
    figs.mkdir(parents=True, exist_ok=True)
    jobs = [
        functools.partial(
            _run_one, study, a, clusters if a.unit == "cluster" else frame, tables, figs
        )
        for a in spec.analyses
    ]
    if spec.robustness is not None:
        jobs.append(functools.partial(_robustness, study, frame, tables))
    jobs.append(functools.partial(run_spatial_robustness, study, frame))
    # the parts are independent (module notes of clusterdx.tasks.forked): started before the
    # progress bar's thread, so that each worker is forked from this process alone
    with (
        Jobs(jobs, spec.compute.workers, step="analyses") as running,
        Progress(transient=True) as progress,
    ):
        bar = progress.add_task("mechanism analyses", total=len(jobs))
        return [path for files in running.results(lambda: progress.advance(bar)) for path in files]


def _robustness(study: Study, frame: pd.DataFrame, tables: Path) -> list[Path]:
    from clusterdx import panel as panel_models

    spec = study.spec
    base = next(
        m for m in spec.models if isinstance(m, PanelModel) and m.name == spec.robustness.base
    )
    variants = []
    regions = set(frame[ENTITY].astype(str))
    for v in spec.robustness.variants:
        members = dropped_regions(study, v.drop_entities, regions)
        options = {k: val for k, val in (("effects", v.effects), ("cov", v.cov)) if val is not None}
        variants.append(
            {
                "name": v.name,
                "y": v.y,
                "winsorize": v.winsorize,
                "drop_entities": [r for c in v.drop_entities for r in members[c]],
                "lag": v.lag,
                "exclude_periods": v.exclude_periods,
                "fit": options or None,
            }
        )
    runs = panel_models.robustness(
        frame,
        {"formula": base.formula, **panel_fit_options(base)},
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


def with_historical_instruments(frame: pd.DataFrame, a: Analysis) -> pd.DataFrame:
    """Add the ``[[analyses.historical]]`` instruments: ``base`` in ``base_year`` (default the
    first year) times the cross-region mean of ``series`` lagged ``lag`` years."""
    from clusterdx.panel.instruments import historical_interaction

    for spec in a.historical:
        year = int(frame[TIME].min()) if spec.base_year is None else spec.base_year
        base = frame.loc[frame[TIME] == year].set_index(ENTITY)[spec.base]
        series = frame.groupby(TIME)[spec.series].mean()
        z = historical_interaction(frame, base, series, entity=ENTITY, time=TIME, lag=spec.lag)
        frame = frame.assign(**{spec.name: z.to_numpy()})
    return frame


#: Chinese wording of the identification statistics of `clusterdx.panel.iv` (names in English).
_IV_STATISTICS_ZH = {
    "first-stage F": "第一阶段F统计量",
    "Kleibergen-Paap rk Wald F": "Kleibergen-Paap rk Wald F统计量（弱工具变量检验）",
    "Kleibergen-Paap rk LM": "Kleibergen-Paap rk LM统计量（识别不足检验）",
    "Cragg-Donald Wald F": "Cragg-Donald Wald F统计量",
    "Hansen J": "Hansen J统计量（过度识别检验）",
    "Sargan": "Sargan统计量（过度识别检验）",
}


def _iv_statistic(name: str, zh: bool) -> str:
    """A diagnostic's name in the table's language (Stock-Yogo and Anderson-Rubin rows reworded)."""
    if not zh:
        return name
    if name in _IV_STATISTICS_ZH:
        return _IV_STATISTICS_ZH[name]
    if name.startswith("Stock-Yogo critical value, "):
        size = name.removeprefix("Stock-Yogo critical value, ").split()[0]
        return f"Stock-Yogo临界值（最大{size}偏误）"
    if name.startswith("Hansen J"):
        return _IV_STATISTICS_ZH["Hansen J"]
    if name.startswith("Anderson-Rubin F"):
        return "Anderson-Rubin F统计量（原假设：β = 0）"
    return name


def _instrument_labels(study: Study, a: Analysis, zh: bool) -> dict[str, str]:
    """Labels of the ``[[analyses.historical]]`` instruments, from their parts' labels."""
    out = {}
    for h in a.historical:
        base, series = study.label(h.base), study.label(h.series)
        out[h.name] = (
            f"{base}（期初）×{series}（滞后{h.lag}期）"
            if zh
            else f"{base} (initial) × {series} (lag {h.lag})"
        )
    return out


def _run_iv(study: Study, a: Analysis, frame: pd.DataFrame, tables: Path, figs: Path) -> list[Path]:
    """2SLS: first- and second-stage columns, identification statistics as notes and CSV."""
    from clusterdx import panel as panel_models

    spec = study.spec
    frame = with_historical_instruments(frame, a)
    instruments = [*a.instruments, *(h.name for h in a.historical)]
    rhs = " + ".join([*a.controls, f"[{a.x} ~ {' + '.join(instruments)}]"])
    res = panel_models.fit(
        frame,
        f"{a.y} ~ {rhs}",
        entity=ENTITY,
        time=TIME,
        model="fe",
        effects=a.effects,
        cov=a.cov,
        missing="drop",
    )
    diag = res.diagnostics.table()
    written = [_csv(diag, tables / f"{a.name}_diagnostics.csv")]
    zh = spec.study.language == "zh"
    critical = [
        f"{_iv_statistic(row.statistic, zh)}: {row.value:.3f}"
        for row in diag.itertuples()
        if row.statistic.startswith("Stock-Yogo")
    ]
    notes = [
        ("；" if zh else "; ").join(["方括号内为p值" if zh else "p-values in brackets", *critical])
    ]
    ar = "; ".join(f"[{lo:.3f}, {hi:.3f}]" for lo, hi in res.diagnostics.anderson_rubin_set)
    level = f"{1 - res.diagnostics.alpha:.0%}"
    if zh:
        notes.append(f"Anderson-Rubin {level}置信集：{ar or '空集'}")
        if res.dropped:
            notes.append(f"{res.dropped}个地区-年份缺少滞后一期的工具变量值，已剔除")
    else:
        notes.append(f"Anderson-Rubin {level} set: {ar or 'empty'}")
        if res.dropped:
            notes.append(f"{res.dropped} region-years without a lagged instrument value dropped")
    names = {n for r in (res.first_stage, res) for n in r.params.index} | {a.x, a.y}
    labels = _labels(study, names) | _instrument_labels(study, a, zh)
    if zh:  # the cluster variable named in the standard-error note
        labels |= {ENTITY: "地区", TIME: "年份"}
    table = report.RegressionTable(
        [res.first_stage, res],
        lang=spec.study.language,
        labels=labels,
        groups=[("First stage" if spec.study.language == "en" else "第一阶段", 1),
                ("Second stage" if spec.study.language == "en" else "第二阶段", 1)],
        stat=spec.tables.stat,
        digits=spec.tables.digits,
        title=captions.caption("iv", spec.study.language, a.title, a.title_en),
        notes=notes,
    )  # fmt: skip
    rows = analysis_rows.iv_rows(
        diag, spec.tables.digits, table.grid.ncols, lambda n: _iv_statistic(n, zh)
    )
    return written + table.with_rows(rows).save(tables / a.name, spec.tables.formats, strict=True)


def _twfe_did(a: Analysis, frame: pd.DataFrame):
    """The two-way fixed-effects DID of an analysis: the estimate placebo and PSM-DID start from."""
    from clusterdx import panel as panel_models

    return panel_models.did(
        frame, a.y, a.treat_year, controls=a.controls, effects="twoways",
        entity=ENTITY, time=TIME, **given(a, "cov"),
    )  # fmt: skip


def _save_figure(study: Study, res, path: Path) -> Path:
    """Draw ``res.figure(lang=...)`` in the study's language and plotting style; save it."""
    import matplotlib.pyplot as plt

    from clusterdx.report import _plotting

    lang = _plotting.language(study.spec.study.language)
    with plt.rc_context(_plotting.style(lang)):
        _plotting.save(res.figure(lang=lang), path)
    return path


def _run_placebo(
    study: Study, a: Analysis, frame: pd.DataFrame, tables: Path, figs: Path
) -> list[Path]:
    """Placebo DID: the true estimate's table with the permutation p-value, draws, density."""
    from clusterdx import panel as panel_models

    spec = study.spec
    common = {"entity": ENTITY, "time": TIME}
    twfe = _twfe_did(a, frame)
    res = panel_models.placebo(
        frame, a.y, a.treat_year, controls=a.controls, seed=spec.study.seed, progress=False,
        **passed(kind=a.placebo_kind, draws=a.draws), **common,
    )  # fmt: skip
    estimates = pd.DataFrame({"placebo_estimate": res.placebo})
    written = [_csv(estimates, tables / f"{a.name}_estimates.csv")]
    path = figs / f"{a.name}_density.png"
    written.append(_save_figure(study, res, path))
    kind_zh = {"space": "空间", "time": "时间", "both": "时空"}
    if spec.study.language == "zh":
        note = (
            f"安慰剂检验（随机分配{kind_zh[res.kind]}，{res.draws}次，随机数种子{res.seed}）："
            f"置换检验p值 = {res.pvalue:.3f}；安慰剂估计均值{res.placebo.mean():.4f}，"
            f"标准差{res.placebo.std(ddof=1):.4f}"
        )
    else:
        note = (
            f"Placebo ({res.kind}, {res.draws} draws, seed {res.seed}): permutation p = "
            f"{res.pvalue:.3f}; placebo mean {res.placebo.mean():.4f}, "
            f"sd {res.placebo.std(ddof=1):.4f}"
        )
    titles = ["基准双重差分" if spec.study.language == "zh" else "Baseline DID"]
    return written + _did_table(study, a, [twfe], titles, [note], tables)


def _run_psm_did(
    study: Study, a: Analysis, frame: pd.DataFrame, tables: Path, figs: Path
) -> list[Path]:
    """PSM-DID: full-sample and matched-sample DID columns, balance CSV, common-support figure."""
    from clusterdx import panel as panel_models

    spec = study.spec
    common = {"entity": ENTITY, "time": TIME}
    full = _twfe_did(a, frame)
    res = panel_models.psm_did(
        frame, a.y, a.treat_year, a.covariates, controls=a.controls,
        **given(a, "caliper", "bandwidth", "cov"), **passed(method=a.match, scope=a.match_scope),
        **common,
    )  # fmt: skip
    written = [_csv(res.balance, tables / f"{a.name}_balance.csv")]
    path = figs / f"{a.name}_support.png"
    written.append(_save_figure(study, res, path))
    bias = "; ".join(
        f"{study.label(c)}: {row.bias_before:.1f}% → {row.bias_after:.1f}%"
        for c, row in res.balance.iterrows()
    )
    zh = spec.study.language == "zh"
    if zh:
        method_zh = {"nearest": "最近邻匹配", "caliper": "卡尺匹配", "kernel": "核匹配"}
        scope_zh = {"pooled": "混合匹配", "period": "逐期匹配"}
        notes = [
            f"倾向得分匹配（{method_zh.get(res.method, res.method)}，"
            f"{scope_zh.get(res.scope, res.scope)}）：匹配处理组观测{res.n_matched}个，"
            f"共同支撑域外{res.n_off_support}个；标准化偏差（匹配前 → 匹配后）：{bias}"
        ]
    else:
        notes = [
            f"PSM ({res.method}, {res.scope}): {res.n_matched} treated observations matched, "
            f"{res.n_off_support} off support; standardised bias before → after: {bias}"
        ]
    titles = ["全样本" if zh else "Full sample", "匹配样本" if zh else "Matched sample"]
    return written + _did_table(study, a, [full, res.did], titles, notes, tables)


def _did_table(
    study: Study, a: Analysis, results: list, titles: list[str], notes: list[str], tables: Path
) -> list[Path]:
    """Write the DID table of placebo and PSM-DID (the baseline TWFE DID first); return its files."""
    spec = study.spec
    lang = spec.study.language
    table = report.RegressionTable(
        results,
        lang=lang,
        labels=_labels(study, {*results[0].params.index, a.y}),
        column_titles=titles,
        stat=spec.tables.stat,
        digits=spec.tables.digits,
        title=captions.caption(a.kind, lang, a.title, a.title_en),
        notes=notes,
    )
    return table.save(tables / a.name, spec.tables.formats, strict=True)
