"""Fixed table wording in Chinese and English: row labels, yes/no, notes and SE conventions.

Variable labels (``demand`` -> ``市场需求``) come from the study spec or the ``labels`` argument of a
table; this module only holds the words a table adds itself. Chinese wording follows the usage of
《经济研究》 and 《管理世界》 (注：括号内为……；*、**、*** 分别表示在 10%、5%、1% 的水平上显著).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from clusterdx.results import MODEL_NAMES, Covariance

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "variable": "变量",
        "depvar": "被解释变量",
        "regime": "{name}（区制{k}）",
        "const": "常数项",
        "short_run": "{name}（短期）",
        "long_run": "{name}（长期）",
        "rho": "ρ",
        "tau": "τ",
        "psi": "ψ",
        "lambda": "λ",
        "sigma2": "σ²",
        "fe_entity": "个体固定效应",
        "fe_time": "时间固定效应",
        "fe_other": "{name}固定效应",
        "yes": "是",
        "no": "否",
        "nobs": "观测值",
        "rsquared": "R²",
        "rsquared_within": "组内R²",
        "pseudo_r2": "伪R²",
        "pseudo_r2_note": "伪R²为被解释变量与拟合值相关系数的平方（拟合值含空间滞后项，不含空间误差项）",
        "llf": "对数似然值",
        "llf_not_comparable": "非空间模型与空间模型的对数似然值来自不同的似然函数，不可跨列比较",
        "model": "模型",
        "notes_prefix": "注：",
        "paren_se": "括号内为标准误",
        "paren_t": "括号内为t统计量",
        "stars": "{marks}分别表示在{levels}的水平上显著",
        "star_one": "{marks}表示在{levels}的水平上显著",
        "list_sep": "、",
        "sentence_sep": "；",
        "sentence_end": "。",
        "se_is": "标准误为{what}",
        "se_mixed": "标准误：{items}",
        "se_item": "第{cols}列为{what}",
        "se_item_sep": "，",
        "descriptive_n": "观测值",
        "descriptive_mean": "均值",
        "descriptive_sd": "标准差",
        "descriptive_min": "最小值",
        "descriptive_p50": "中位数",
        "descriptive_max": "最大值",
        "corr_pearson": "表中为Pearson相关系数",
        "corr_spearman": "表中为Spearman秩相关系数",
        "fd_intercept": "第{cols}列为含常数项的一阶差分估计（常数项即水平方程中的线性趋势）",
        "fd_no_intercept": "第{cols}列为不含常数项的一阶差分估计",
    },
    "en": {
        "variable": "Variables",
        "depvar": "Dependent variable",
        "regime": "{name} (regime {k})",
        "const": "Constant",
        "short_run": "{name} (short-run)",
        "long_run": "{name} (long-run)",
        "rho": "ρ",
        "tau": "τ",
        "psi": "ψ",
        "lambda": "λ",
        "sigma2": "σ²",
        "fe_entity": "Entity FE",
        "fe_time": "Time FE",
        "fe_other": "{name} FE",
        "yes": "Yes",
        "no": "No",
        "nobs": "Observations",
        "rsquared": "R²",
        "rsquared_within": "Within R²",
        "pseudo_r2": "Pseudo R²",
        "pseudo_r2_note": (
            "Pseudo R² is the squared correlation of the dependent variable and its fitted "
            "values (spatial lag included, spatial error process left out)"
        ),
        "llf": "Log-likelihood",
        "llf_not_comparable": (
            "Log-likelihoods of non-spatial and spatial columns come from different likelihoods "
            "and are not comparable"
        ),
        "model": "Model",
        "notes_prefix": "Notes: ",
        "paren_se": "Standard errors in parentheses",
        "paren_t": "t statistics in parentheses",
        "stars": "{marks} denote significance at the {levels} levels",
        "star_one": "{marks} denotes significance at the {levels} level",
        "list_sep": ", ",
        "sentence_sep": ". ",
        "sentence_end": ".",
        "se_is": "Standard errors are {what}",
        "se_mixed": "Standard errors: {items}",
        "se_item": "{cols} {what}",
        "se_item_sep": "; ",
        "descriptive_n": "N",
        "descriptive_mean": "Mean",
        "descriptive_sd": "SD",
        "descriptive_min": "Min",
        "descriptive_p50": "Median",
        "descriptive_max": "Max",
        "corr_pearson": "Pearson correlation coefficients",
        "corr_spearman": "Spearman rank correlation coefficients",
        "fd_intercept": "{cols} first differences with an intercept (a linear trend in levels)",
        "fd_no_intercept": "{cols} first differences without an intercept",
    },
}

# Names estimators give the intercept; all are shown as one "Constant" row.
CONST_NAMES: frozenset[str] = frozenset({"const", "Intercept", "intercept", "_cons", "(Intercept)"})

# Short model names for the "Model" row, keyed by the result's ``model`` attribute.
# Words of derived terms the pipeline creates (DID indicator, group levels, robustness variants);
# a user label for the same name wins.
DERIVED: dict[str, dict[str, str]] = {
    "zh": {
        "treat": "政策处理",
        "post": "政策后",
        "treat_post": "政策处理×政策后",
        "symbiotic": "共生型",
        "epiphytic": "附生型",
        "parasitic": "寄生型",
        "baseline": "基准回归",
        "ATT": "平均处理效应",
        "interaction": "交互项模型",
        "TWFE": "双向固定效应DID",
        "Callaway-Sant'Anna": "异质性稳健DID",
        "yes": "是",
        "no": "否",
    },
    "en": {
        "treat": "Treated",
        "post": "Post",
        "treat_post": "Treated×Post",
        "symbiotic": "Symbiotic",
        "epiphytic": "Epiphytic",
        "parasitic": "Parasitic",
        "baseline": "Baseline",
        "interaction": "Interaction model",
        "yes": "Yes",
        "no": "No",
    },
}
_REGIME = re.compile(r"^(?P<name>.+)_r(?P<k>\d+)$")

# Wording of the standard-error conventions named by a result's ``cov_type``; an unknown
# ``cov_type`` is printed as given.
COV_NAMES: dict[str, dict[str, str]] = {
    "zh": {
        "unadjusted": "常规标准误",
        "nonrobust": "常规标准误",
        "homoskedastic": "常规标准误",
        "robust": "异方差稳健标准误",
        "heteroskedastic": "异方差稳健标准误",
        "hc0": "异方差稳健标准误（HC0）",
        "hc1": "异方差稳健标准误（HC1）",
        "cluster": "聚类稳健标准误",
        "clustered": "聚类稳健标准误",
        "driscoll-kraay": "Driscoll-Kraay标准误",
        "kernel": "Driscoll-Kraay标准误",
        "ml": "基于信息矩阵的极大似然标准误",
        "analytic information matrix": "基于解析信息矩阵的极大似然标准误",
        "gls and numerical hessian": "极大似然标准误（β为GLS标准误，ρ、φ基于数值Hessian矩阵）",
        "dynamic sandwich": "Yu等（2008）的三明治稳健标准误",
    },
    "en": {
        "unadjusted": "conventional",
        "nonrobust": "conventional",
        "homoskedastic": "conventional",
        "robust": "heteroskedasticity-robust",
        "heteroskedastic": "heteroskedasticity-robust",
        "hc0": "heteroskedasticity-robust (HC0)",
        "hc1": "heteroskedasticity-robust (HC1)",
        "cluster": "clustered",
        "clustered": "clustered",
        "driscoll-kraay": "Driscoll-Kraay",
        "kernel": "Driscoll-Kraay",
        "ml": "maximum-likelihood (information matrix)",
        "analytic information matrix": "maximum-likelihood (analytic information matrix)",
        "gls and numerical hessian": (
            "maximum-likelihood (GLS for β given ρ and φ, numerical Hessian for ρ and φ)"
        ),
        "dynamic sandwich": "sandwich (Yu, de Jong & Lee 2008, Theorem 2)",
    },
}


# Lee & Yu (2010) bias-correction convention of spatial fixed-effects columns (the result's
# ``bias_convention``: "none" / "transformation" / "direct"); ``{cols}`` is empty when every
# such column shares it.
BIAS_NOTES: dict[str, dict[str, str]] = {
    "zh": {
        "none": "{cols}空间固定效应模型未作Lee和Yu（2010）偏误修正",
        "transformation": "{cols}空间固定效应模型采用Lee和Yu（2010）变换法偏误修正",
        "direct": "{cols}空间固定效应模型采用Lee和Yu（2010）直接法偏误修正",
        "cols": "第{cols}列",
    },
    "en": {
        "none": "{cols}Spatial fixed-effects models without the Lee-Yu (2010) bias correction",
        "transformation": (
            "{cols}Spatial fixed-effects models with the Lee-Yu (2010) bias correction, "
            "transformation approach"
        ),
        "direct": (
            "{cols}Spatial fixed-effects models with the Lee-Yu (2010) bias correction, "
            "direct approach"
        ),
        "cols": "{cols}: ",
    },
}


def text(lang: Lang, key: str) -> str:
    """Return the fixed wording ``key`` in ``lang``."""
    return TEXT[lang][key]


def derived_label(term: str, lang: Lang, labels: Mapping[str, str] | None = None) -> str:
    """Label of a term built from labelled names: interactions, threshold regimes, group levels.

    ``a_x_b`` -> ``<a>×<b>``, ``x_r2`` -> ``<x>（区制2）``, ``treat_post`` -> ``政策处理×政策后``,
    ``parasitic`` -> ``寄生型``; each part takes the user label first, then :data:`DERIVED`.

    >>> derived_label("demand_x_parasitic", "zh", {"demand": "市场需求"})
    '市场需求×寄生型'
    >>> derived_label("tech_r1", "en", {"tech": "Technology"})
    'Technology (regime 1)'
    """
    labels = labels or {}
    if term in labels:
        return labels[term]
    if term in DERIVED[lang]:
        return DERIVED[lang][term]
    if "_x_" in term:
        return "×".join(derived_label(part, lang, labels) for part in term.split("_x_"))
    regime = _REGIME.match(term)
    if regime:
        name = derived_label(regime.group("name"), lang, labels)
        return TEXT[lang]["regime"].format(name=name, k=regime.group("k"))
    return term


def label_names(terms) -> set[str]:
    """The names whose labels the derived terms among ``terms`` are built from, and the terms.

    >>> sorted(label_names(["demand_x_parasitic", "tech_r2", "W_gov"]))
    ['W_gov', 'demand', 'demand_x_parasitic', 'gov', 'parasitic', 'tech', 'tech_r2']
    """
    names: set[str] = set()
    for term in terms:
        names.add(term)
        if term.startswith("W_"):
            names |= label_names([term[2:]])
        elif "_x_" in term:
            names |= label_names(term.split("_x_"))
        elif _REGIME.match(term):
            names.add(_REGIME.match(term).group("name"))
    return names


def model_name(lang: Lang, model: str) -> str:
    """Return the display name of a model code (``"fe"`` -> ``"固定效应"``); unknown codes upper-cased."""
    return MODEL_NAMES[lang].get(model.lower(), model.upper())


def cov_name(lang: Lang, cov_type: str, labels: Mapping[str, str] | None = None) -> str:
    """Return the wording of a standard-error convention named by a result's ``cov_type``.

    A clusterdx result's ``cov_type`` is a `clusterdx.results.Covariance`, which words itself
    (``"clustered by province (G = 31), ..."`` -> ``"在省份层面聚类的稳健标准误"`` with
    ``labels={"province": "省份"}``). The short codes of other packages (``"cluster"``,
    ``"robust"``, ``"nonrobust"``) are translated; anything else is returned as given.
    """
    if isinstance(cov_type, Covariance) and cov_type.kind != "other":
        return cov_type.describe(lang, labels)
    key = cov_type.strip().lower()
    return COV_NAMES[lang].get(key, cov_type)


def percent(level: float) -> str:
    """Format a significance level as a percentage without trailing zeros (0.1 -> ``10%``)."""
    return f"{level * 100:g}%"
