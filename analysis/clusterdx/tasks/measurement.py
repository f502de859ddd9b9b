"""The measurement analyses of ``[[analyses]]``: disparity, markov, convergence and typology.

Each writes its table in every ``[tables].formats`` in the study language and, as
``<name>_<other language>``, in the other one, plus CSV detail and figures; `extra_tables` lists
the second-language files for `clusterdx.tasks.analyses.analysis_outputs`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from clusterdx import report, typology
from clusterdx.study import Analysis, Study
from clusterdx.tasks.kinds import KINDS
from clusterdx.tasks.steps import given

ENTITY, TIME = "region", "year"

_WORDS = {
    "zh": {
        "disparity": "区域差异：Dagum基尼系数分解",
        "markov": "马尔可夫转移概率矩阵",
        "spatial_markov": "空间马尔可夫转移概率矩阵",
        "convergence": "收敛性检验",
        "typology": "集群类型识别与申报类型对照",
        "absolute": "绝对β收敛",
        "conditional": "条件β收敛",
        "spatial": "空间β收敛",
        "speed": "收敛速度",
        "half_life": "半衰期(年)",
        "sigma": "σ收敛：变异系数的时间趋势斜率 = {b}（p = {p}）",
        "ln_y": "期初水平（对数）",
        "growth": "增长率",
        "year": "年份",
        "obstacle": "主要障碍因子及障碍度(%)",
        "factor": "障碍因子{k}",
        "degree": "障碍度{k}",
        "obstacle_note": "注：障碍度 = 因子贡献度(熵值法权重) × 指标偏离度(1 − 标准化值)，按年份取各地区均值。",
    },
    "en": {
        "disparity": "Regional disparity: Dagum Gini decomposition",
        "markov": "Markov transition probabilities",
        "spatial_markov": "Spatial Markov transition probabilities",
        "convergence": "Convergence",
        "typology": "Cluster types from data against declared types",
        "absolute": "Absolute β",
        "conditional": "Conditional β",
        "spatial": "Spatial β",
        "speed": "Speed",
        "half_life": "Half-life (years)",
        "sigma": "σ-convergence: time trend of the CV b = {b} (p = {p})",
        "ln_y": "ln y(t)",
        "growth": "Growth ln(y(t+1)/y(t))",
        "year": "Year",
        "obstacle": "Main obstacle factors and obstacle degrees (%)",
        "factor": "Factor {k}",
        "degree": "Degree {k}",
        "obstacle_note": (
            "Note: obstacle degree = factor contribution (entropy weight) × deviation "
            "(1 − standardised value), averaged over regions by year."
        ),
    },
}


def _other(lang: str) -> str:
    return "en" if lang == "zh" else "zh"


def extra_tables(study: Study, a: Analysis, tables: Path) -> dict[str, Path]:
    """The second-language table files of an analysis whose kind writes both languages."""
    if not KINDS[a.kind].both_languages:
        return {}
    stem = f"{a.name}_{_other(study.spec.study.language)}"
    return {f"{stem}.{f}": tables / f"{stem}.{f}" for f in study.spec.tables.formats}


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, float_format="%.6f", lineterminator="\n")
    return path


def _both(study: Study, a: Analysis, build, tables: Path) -> list[Path]:
    lang = study.spec.study.language
    formats = study.spec.tables.formats
    out = build(lang).save(tables / a.name, formats)
    return out + build(_other(lang)).save(tables / f"{a.name}_{_other(lang)}", formats)


def _weights(study: Study, a: Analysis):
    from clusterdx.tasks.spatial_inputs import read_weights

    return read_weights(study, a.weights) if a.weights else None


def run(study: Study, a: Analysis, frame: pd.DataFrame, tables: Path, figs: Path) -> list[Path]:
    """Run one measurement analysis; return the files written."""
    from clusterdx import disparity
    from clusterdx.disparity import tables as dtables
    from clusterdx.disparity.figures import kernel_surface

    digits = study.spec.tables.digits
    label = study.label(a.var) if a.var else None

    def title(lang: str, key: str) -> str:
        return a.title if a.title and lang == study.spec.study.language else _WORDS[lang][key]

    if a.kind == "disparity":
        group = a.group or "macro_region"
        res = disparity.dagum_gini(frame, a.var, group, TIME)
        theil = disparity.theil(frame, a.var, group, TIME)
        cv = disparity.coefficient_of_variation(frame, a.var, TIME)
        written = _both(
            study,
            a,
            lambda lang: dtables.disparity_table(
                res, theil, cv, lang, digits, title(lang, "disparity")
            ),
            tables,
        )
        components = res.summary.join(theil.add_prefix("theil_")).join(cv)
        written.append(_csv(components, tables / f"{a.name}_components.csv"))
        written.append(_csv(res.within, tables / f"{a.name}_within.csv"))
        written.append(_csv(res.between, tables / f"{a.name}_between.csv"))
        written.append(
            _csv(
                disparity.distribution_stats(frame, a.var, TIME),
                tables / f"{a.name}_distribution.csv",
            )
        )
        path = figs / f"{a.name}_kernel3d.png"
        kernel_surface(
            disparity.density_surface(frame, a.var, TIME),
            label=label,
            lang=study.spec.study.language,
            path=path,
        )
        return [*written, path]
    if a.kind == "markov":
        w = _weights(study, a)
        if w is None:
            res = disparity.markov(frame, a.var, ENTITY, TIME, classes=a.classes)
            key, trad = "markov", res
        else:
            res = disparity.spatial_markov(frame, a.var, w, ENTITY, TIME, classes=a.classes)
            key, trad = "spatial_markov", res.traditional
        written = _both(
            study, a, lambda lang: dtables.markov_table(res, lang, digits, title(lang, key)), tables
        )
        detail = trad.p.join(trad.counts.sum(axis=1).rename("n")).join(
            trad.steady_state.rename("steady_state")
        )
        return [*written, _csv(detail, tables / f"{a.name}_traditional.csv")]
    if a.kind == "convergence":
        sigma = disparity.sigma_convergence(frame, a.var, TIME)
        fits = {
            "absolute": disparity.beta_convergence(
                frame, a.var, ENTITY, TIME, **given(a, "effects", "cov")
            )
        }
        if a.controls:
            fits["conditional"] = disparity.beta_convergence(
                frame, a.var, ENTITY, TIME, a.controls, **given(a, "effects", "cov")
            )
        if a.spatial != "none":
            fits["spatial"] = disparity.spatial_beta_convergence(
                frame,
                a.var,
                _weights(study, a),
                ENTITY,
                TIME,
                a.controls,
                model=a.spatial,
                **given(a, "effects"),
            )

        def build(lang: str):
            words = _WORDS[lang]
            speeds = "; ".join(
                f"{words[k]}: {words['speed']} = {f.speed:.4f}, {words['half_life']} = {f.half_life:.2f}"
                for k, f in fits.items()
            )
            sig = words["sigma"].format(
                b=f"{sigma.attrs['slope']:.4f}", p=f"{sigma.attrs['p']:.3f}"
            )
            names = {n for f in fits.values() for n in f.fit.params.index}
            labels = {n: study.label(n, lang) for n in names if study.label(n, lang) != n}
            labels["ln_y"] = words["ln_y"]
            labels["growth"] = words["growth"]
            return report.RegressionTable(
                [f.fit for f in fits.values()],
                lang=lang,
                labels=labels,
                column_titles=[words[k] for k in fits],
                stat=study.spec.tables.stat,
                digits=digits,
                title=title(lang, "convergence"),
                notes=[speeds, sig],
            )

        written = _both(study, a, build, tables)
        return [*written, _csv(sigma, tables / f"{a.name}_sigma.csv")]
    if a.kind == "obstacle":
        return _obstacle(study, a, frame, tables, title)
    # typology
    w = _weights(study, a)
    shares = typology.driver_contributions(frame, a.y or "dt", a.drivers, w, ENTITY, TIME)
    predicted = typology.classify(shares)
    declared = frame.groupby(ENTITY)[a.declared].first().dropna()
    agree = typology.agreement(declared, predicted)
    written = _both(
        study,
        a,
        lambda lang: dtables.confusion_table(
            agree.matrix, agree.accuracy, agree.kappa, lang, title(lang, "typology")
        ),
        tables,
    )
    detail = shares.join(typology.scores(shares)).assign(type=predicted, declared=declared)
    return [*written, _csv(detail, tables / f"{a.name}_shares.csv")]


__all__ = ["extra_tables", "run"]


def _obstacle(study: Study, a: Analysis, frame: pd.DataFrame, tables: Path, title) -> list[Path]:
    """Obstacle degrees of the components of the entropy indicator ``a.var``; top factors by year."""
    from clusterdx import disparity
    from clusterdx.disparity import tables as dtables
    from clusterdx.errors import StudySpecError
    from clusterdx.indicators import entropy_weights, standardised

    recipe = study.spec.indicators.get(a.var)
    if recipe is None or recipe.method != "entropy":
        raise StudySpecError(
            f"analysis '{a.name}': var '{a.var}' must name an entropy indicator of [indicators]"
        )
    pos, neg = list(recipe.positive), list(recipe.negative)
    weights = entropy_weights(frame, pos, neg, shift=recipe.shift)
    degrees = disparity.obstacle_degree(
        standardised(frame, pos, neg, shift=0.0), [*pos, *neg], weights
    )
    degrees.index = pd.MultiIndex.from_frame(frame[[ENTITY, TIME]])
    by_year = degrees.groupby(level=TIME).mean()
    top = disparity.top_obstacles(by_year, a.classes)

    def build(lang: str):
        words = _WORDS[lang]
        shown = pd.DataFrame(index=top.index)
        for k in range(1, top.shape[1] // 2 + 1):
            shown[words["factor"].format(k=k)] = [study.label(f, lang) for f in top[f"factor_{k}"]]
            shown[words["degree"].format(k=k)] = top[f"degree_{k}"]
        return dtables.frame_table(
            shown,
            lang,
            2,
            title(lang, "obstacle"),
            [words["obstacle_note"]],
            _WORDS[lang].get("year", ""),
        )

    written = _both(study, a, build, tables)
    return [*written, _csv(degrees, tables / f"{a.name}_degrees.csv")]
