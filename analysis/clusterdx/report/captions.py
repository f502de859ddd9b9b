"""Default table captions by table kind, in Chinese and English.

A study's ``title`` / ``title_en`` win over these; the pipeline captions every table it writes so no
table reaches a paper without one.
"""

from __future__ import annotations

from typing import Literal

from clusterdx.errors import StudySpecError
from clusterdx.report import labels as lab

Kind = Literal[
    "models",
    "effects",
    "robustness",
    "descriptives",
    "correlations",
    "moran",
    "spatial_tests",
    "mediation",
    "moderation",
    "heterogeneity",
    "threshold",
    "did",
    "spatial_did",
    "indicator_weights",
    "descriptives_by_type",
    "iv",
    "placebo",
    "psm_did",
]

CAPTIONS: dict[str, dict[str, str]] = {
    "zh": {
        "models": "基准回归结果",
        "effects": "空间效应分解",
        "robustness": "稳健性检验",
        "descriptives": "描述性统计",
        "correlations": "相关系数矩阵",
        "moran": "全局莫兰指数",
        "spatial_tests": "空间计量模型检验",
        "mediation": "中介效应检验",
        "moderation": "调节效应检验",
        "heterogeneity": "异质性分析",
        "threshold": "门槛效应回归结果",
        "did": "政策效应评估",
        "spatial_did": "空间双重差分：政策的直接效应与空间溢出效应",
        "indicator_weights": "指标体系与权重",
        "descriptives_by_type": "分集群类型的描述性统计",
        "iv": "工具变量估计",
        "placebo": "安慰剂检验",
        "psm_did": "倾向得分匹配双重差分（PSM-DID）",
    },
    "en": {
        "models": "Baseline regression results",
        "effects": "Decomposition of spatial effects",
        "robustness": "Robustness checks",
        "descriptives": "Descriptive statistics",
        "correlations": "Correlation matrix",
        "moran": "Global Moran's I",
        "spatial_tests": "Specification tests of the spatial models",
        "mediation": "Mediation analysis",
        "moderation": "Moderation analysis",
        "heterogeneity": "Heterogeneity analysis",
        "threshold": "Panel threshold regression",
        "did": "Policy evaluation",
        "spatial_did": "Spatial difference-in-differences: direct and spillover effects of the policy",
        "indicator_weights": "Indicator system and entropy weights",
        "descriptives_by_type": "Descriptive statistics by cluster type",
        "iv": "Instrumental-variable estimates",
        "placebo": "Placebo test",
        "psm_did": "Propensity-score-matched difference-in-differences (PSM-DID)",
    },
}


def caption(kind: str, lang: lab.Lang, title: str = "", title_en: str = "") -> str:
    """Caption of a table: the study's title in ``lang`` if set, else the default for ``kind``.

    ``title`` is the caption of the study's language; ``title_en`` the English one (used when
    ``lang="en"``; a Chinese ``title`` is not shown in an English table).

    >>> caption("robustness", "zh"), caption("did", "en", title="集群认定", title_en="Designation")
    ('稳健性检验', 'Designation')
    """
    if kind not in CAPTIONS[lang]:
        raise StudySpecError(f"table kind {kind!r} is not one of {sorted(CAPTIONS[lang])}")
    if lang == "en" and title_en:
        return title_en
    if title and (lang == "zh" or title.isascii()):
        return title
    return CAPTIONS[lang][kind]


def spec_title(item: object, lang: lab.Lang) -> str:
    """Column title of a ``[[models]]`` / ``[[analyses]]`` entry: its title in ``lang``, else its name."""
    title, title_en = getattr(item, "title", ""), getattr(item, "title_en", "")
    if lang == "en" and title_en:
        return title_en
    if title and (lang == "zh" or title.isascii()):
        return title
    return str(getattr(item, "name", ""))
