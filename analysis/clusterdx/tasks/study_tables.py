"""The measurement tables of the models step: the indicator system with its entropy weights
(``indicator_weights``) and the descriptive statistics by cluster type (``descriptives_by_type``).

Each is written in every ``[tables].formats`` in the study language and, as ``<stem>_<other
language>``, in the other one (as the measurement analyses are), with the weights also as CSV.
`outputs` lists the files for the pipeline's declared products.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from clusterdx import typology
from clusterdx.study import Study

WEIGHTS, BY_TYPE = "indicator_weights", "descriptives_by_type"
TYPE_COLUMN = "cluster_type"


def _other(lang: str) -> str:
    return "en" if lang == "zh" else "zh"


def has_entropy(study: Study) -> bool:
    """Whether the study builds an entropy composite (so it has an indicator system)."""
    return any(r.method == "entropy" for r in study.spec.indicators.values())


def has_types(study: Study) -> bool:
    """Whether the study has models and a cluster source carrying ``cluster_type``."""
    return bool(study.spec.models) and any(
        s.kind == "cluster" and TYPE_COLUMN in s.keep for s in study.spec.sources
    )


def outputs(study: Study) -> dict[str, Path]:
    """Every file `write` produces for ``study`` (both languages, every format, the weights CSV)."""
    folder = study.reports_dir / "tables"
    formats = study.spec.tables.formats
    stems = [WEIGHTS] * has_entropy(study) + [BY_TYPE] * has_types(study)
    other = _other(study.spec.study.language)
    out = {}
    for stem in stems:
        for name in (stem, f"{stem}_{other}"):
            out |= {f"{name}.{f}": folder / f"{name}.{f}" for f in formats}
    if has_entropy(study):
        out[f"{WEIGHTS}.csv"] = folder / f"{WEIGHTS}.csv"
    return out


def _labels(study: Study, names, lang: str) -> dict[str, str]:
    return {n: study.label(n, lang) for n in names if study.label(n, lang) != n}


def write(study: Study, frame: pd.DataFrame, variables: list[str]) -> list[Path]:
    """Write the tables of `outputs`; ``variables`` are the model variables to describe."""
    from clusterdx.indicators.system import indicator_system
    from clusterdx.report import captions
    from clusterdx.report.study_tables import group_descriptive_table, indicator_table

    folder = study.reports_dir / "tables"
    spec = study.spec
    lang, formats, digits = spec.study.language, spec.tables.formats, spec.tables.digits
    written: list[Path] = []
    if has_entropy(study):
        system = indicator_system(study, frame)
        path = folder / f"{WEIGHTS}.csv"
        system.to_csv(path, index=False, float_format="%.6f", lineterminator="\n")
        written.append(path)
        by_year = [n for n, r in spec.indicators.items() if r.method == "entropy" and
                   r.standardise == "by_year"]  # fmt: skip
        for language, stem in ((lang, WEIGHTS), (_other(lang), f"{WEIGHTS}_{_other(lang)}")):
            names = {*system["index"], *system["indicator"]}
            labels = _labels(study, names, language)
            for recipe in spec.indicators.values():
                for d in recipe.dimensions:
                    text = d.label_zh if language == "zh" else d.label_en
                    labels[d.name] = text or d.name
            table = indicator_table(
                system, language, labels=labels, by_year=by_year, digits=digits,
                title=captions.caption(WEIGHTS, language),
            )  # fmt: skip
            written += table.save(folder / stem, formats, strict=True)
    if has_types(study):
        for language, stem in ((lang, BY_TYPE), (_other(lang), f"{BY_TYPE}_{_other(lang)}")):
            labels = _labels(study, [*variables, TYPE_COLUMN], language)
            if TYPE_COLUMN not in labels:
                labels[TYPE_COLUMN] = "集群类型" if language == "zh" else "cluster type"
            table = group_descriptive_table(
                frame, variables, TYPE_COLUMN, labels, language, order=typology.TYPES,
                digits=digits, title=captions.caption(BY_TYPE, language),
            )  # fmt: skip
            written += table.save(folder / stem, formats, strict=True)
    return written
