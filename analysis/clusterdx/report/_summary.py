"""Build the cell grids of the descriptive-statistics table and the correlation table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from clusterdx.errors import DataError
from clusterdx.report import labels as lab
from clusterdx.report._grid import Digits, Grid, Span, format_number
from clusterdx.report._regression import star_marks, stars_note

DESCRIPTIVE_STATS = ("n", "mean", "sd", "min", "p50", "max")


def numeric_columns(frame: pd.DataFrame, variables: Sequence[str]) -> pd.DataFrame:
    """The ``variables`` columns of ``frame`` as floats; a missing or non-numeric column is a DataError."""
    missing = [v for v in variables if v not in frame.columns]
    if missing:
        raise DataError(
            f"columns {missing} are not in the data; available columns: {list(frame.columns)}"
        )
    bad = [v for v in variables if not pd.api.types.is_numeric_dtype(frame[v])]
    if bad:
        raise DataError(
            f"columns {bad} are not numeric (dtypes {[str(frame[v].dtype) for v in bad]}); "
            "convert them (e.g. pd.to_numeric) before tabulating"
        )
    return frame[list(variables)].astype(float)


def descriptive(
    frame: pd.DataFrame,
    variables: Sequence[str],
    *,
    lang: lab.Lang,
    labels: Mapping[str, str],
    digits: Digits,
    title: str | None,
    extra_notes: Sequence[str],
) -> Grid:
    """Grid with one row per variable: N, mean, sample SD (ddof=1), min, median, max of non-missing values."""
    data = numeric_columns(frame, variables)
    header = (
        (
            Span(lab.text(lang, "variable"), 0),
            *(
                Span(lab.text(lang, f"descriptive_{s}"), i)
                for i, s in enumerate(DESCRIPTIVE_STATS, 1)
            ),
        ),
    )
    body = []
    for name in variables:
        values = data[name].dropna().to_numpy()
        if values.size == 0:
            raise DataError(f"column {name!r} has no non-missing values to describe")
        sd = float(np.std(values, ddof=1)) if values.size > 1 else float("nan")
        numbers = [values.mean(), sd, values.min(), np.median(values), values.max()]
        cells = [str(values.size)] + [
            "" if np.isnan(v) else format_number(float(v), digits) for v in numbers
        ]
        body.append((labels.get(name, name), *cells))
    return Grid(header=header, body=tuple(body), title=title, notes=tuple(extra_notes))


def correlation(
    frame: pd.DataFrame,
    variables: Sequence[str],
    *,
    lang: lab.Lang,
    labels: Mapping[str, str],
    method: str,
    stars: Sequence[float],
    digits: Digits,
    title: str | None,
    extra_notes: Sequence[str],
) -> Grid:
    """Lower-triangular correlation matrix on pairwise-complete observations, with stars.

    p-values test zero correlation: Pearson with the t test on ``r sqrt(n-2)/sqrt(1-r^2)``,
    Spearman with the same t approximation on the rank correlation (scipy.stats).
    """
    data = numeric_columns(frame, variables)
    test = stats.pearsonr if method == "pearson" else stats.spearmanr
    k = len(variables)
    header = ((Span("", 0), *(Span(f"({j})", j) for j in range(1, k + 1))),)
    body = []
    for i, row_name in enumerate(variables):
        cells = [f"({i + 1}) {labels.get(row_name, row_name)}"]
        for j, col_name in enumerate(variables):
            if j > i:
                cells.append("")
            elif j == i:
                cells.append(format_number(1.0, digits))
            else:
                pair = data[[row_name, col_name]].dropna()
                if len(pair) < 3:
                    raise DataError(
                        f"columns {row_name!r} and {col_name!r} have {len(pair)} complete rows; "
                        "a correlation test needs at least 3"
                    )
                r, p = test(pair[row_name].to_numpy(), pair[col_name].to_numpy())
                cells.append(format_number(float(r), digits) + star_marks(float(p), stars))
        body.append(tuple(cells))
    notes = [lab.text(lang, f"corr_{method}")]
    if stars:
        notes.append(stars_note(lang, stars))
    note = lab.text(lang, "notes_prefix") + (
        lab.text(lang, "sentence_sep").join(notes) + lab.text(lang, "sentence_end")
    )
    return Grid(header=header, body=tuple(body), title=title, notes=(note, *extra_notes))
