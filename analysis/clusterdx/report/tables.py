"""Paper-ready tables: regression, descriptive and correlation tables in LaTeX, Word, HTML, Markdown, Excel.

Every table is built once as a grid of formatted strings (:class:`clusterdx.report._grid.Grid`) and
each format is written from that grid, so a number can never differ between the .tex, the .docx and
the .xlsx of the same table — retyping numbers from console output is what this module replaces.

The renderer is our own rather than ``maketables`` (0.2) or ``great-tables``: maketables takes a
DataFrame and renders each format with separate code, needs IPython and great-tables, writes no
Excel, sets a single Word font name (no ``w:eastAsia``, so 宋体 cannot be set for Chinese beside
Times New Roman for numbers) and adds rules around row groups; great-tables writes HTML, LaTeX and
Typst but no Word or Excel. Neither has Chinese table wording nor byte-identical .docx/.xlsx
files, which the pipeline's manifest hashes rely on. Our writers are small, one module per format.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from clusterdx.errors import StudySpecError
from clusterdx.report import _docx, _excel, _latex, _latin, _regression, _summary, _text
from clusterdx.report import labels as lab
from clusterdx.report._grid import Digits, Grid

Stat = Literal["se", "t"]
Style = Literal["default", "aer"]
CorrelationMethod = Literal["pearson", "spearman"]
Format = Literal["md", "tex", "docx", "html", "xlsx"]

STATS: tuple[str, ...] = ("se", "t")
STYLES: tuple[str, ...] = ("default", "aer")
CORRELATION_METHODS: tuple[str, ...] = ("pearson", "spearman")
FORMATS: tuple[str, ...] = ("md", "tex", "docx", "html", "xlsx")
DEFAULT_STARS: tuple[float, ...] = (0.1, 0.05, 0.01)


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise StudySpecError(f"{name}={value!r} is not one of the allowed values {list(allowed)}")


def _check_digits(digits: Any) -> None:
    if digits == "auto":
        return
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 10:
        raise StudySpecError(f"digits={digits!r} must be 'auto' or an integer from 0 to 10")


def _check_stars(stars: Sequence[float]) -> tuple[float, ...]:
    levels = tuple(float(s) for s in stars)
    if any(not 0 < s < 1 for s in levels) or len(set(levels)) != len(levels):
        raise StudySpecError(
            f"stars={tuple(stars)!r} must be distinct significance levels between 0 and 1, "
            "e.g. (0.1, 0.05, 0.01)"
        )
    return tuple(sorted(levels, reverse=True))


def _notes(notes: str | Sequence[str] | None) -> tuple[str, ...]:
    if notes is None:
        return ()
    return (notes,) if isinstance(notes, str) else tuple(notes)


def _write_text(path: str | Path | None, content: str) -> None:
    if path is not None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8"))


def _write_bytes(path: str | Path, content: bytes) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return target


class Table:
    """A finished table (a :class:`Grid` of strings) and its writers.

    Parameters
    ----------
    grid : the table's cells, title and notes.
    lang : ``"zh"`` or ``"en"``; decides the LaTeX header comment on ctex/xeCJK.

    Examples
    --------
    Tables come from the builders (`descriptive_table`, `correlation_table`, `RegressionTable`,
    `clusterdx.report.moran_table`, ...):

    >>> import tempfile
    >>> frame = pd.DataFrame({"dt": [1.0, 2.0, 3.0, 4.0], "gdp": [2.0, 4.0, 5.0, 9.0]})
    >>> table = descriptive_table(frame, ["dt", "gdp"], labels={"dt": "数字化转型"}, digits=2)
    >>> table.lang
    'zh'
    >>> table.grid.body[0]
    ('数字化转型', '4', '2.50', '1.29', '1.00', '2.50', '4.00')
    >>> print(table.to_markdown(), end="")
    | 变量 | 观测值 | 均值 | 标准差 | 最小值 | 中位数 | 最大值 |
    |:---|:---:|:---:|:---:|:---:|:---:|:---:|
    | 数字化转型 | 4 | 2.50 | 1.29 | 1.00 | 2.50 | 4.00 |
    | gdp | 4 | 5.00 | 2.94 | 2.00 | 4.50 | 9.00 |
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = table.save(Path(folder) / "descriptive", ["tex", "docx", "xlsx"])
    >>> [path.name for path in paths]
    ['descriptive.tex', 'descriptive.docx', 'descriptive.xlsx']
    """

    def __init__(self, grid: Grid, lang: lab.Lang) -> None:
        self.grid = grid
        self.lang = lang

    def to_latex(
        self, path: str | Path | None = None, *, standalone: bool = False, label: str | None = None
    ) -> str:
        """Return (and write to ``path`` if given) booktabs LaTeX in a threeparttable.

        Needs ``booktabs``, ``threeparttable`` and ``dcolumn``; Chinese tables need XeLaTeX with
        ``ctex``. ``standalone=True`` gives a complete compilable document.
        """
        source = _latex.render(self.grid, lang=self.lang, standalone=standalone, label=label)
        _write_text(path, source)
        return source

    def to_docx(
        self,
        path: str | Path,
        *,
        font_east_asia: str = "宋体",
        font_latin: str = "Times New Roman",
        size_pt: float = 10.5,
    ) -> Path:
        """Write a Word document holding the title, a three-line table and the notes; return its path."""
        data = _docx.render(
            self.grid, font_east_asia=font_east_asia, font_latin=font_latin, size_pt=size_pt
        )
        return _write_bytes(path, data)

    def to_html(self, path: str | Path | None = None, *, css_class: str = _text.CSS_CLASS) -> str:
        """Return (and write to ``path`` if given) one ``<table class="cdx-table">``."""
        source = _text.render_html(self.grid, css_class=css_class)
        _write_text(path, source)
        return source

    def to_markdown(self, path: str | Path | None = None) -> str:
        """Return (and write to ``path`` if given) a Markdown pipe table with notes below."""
        source = _text.render_markdown(self.grid)
        _write_text(path, source)
        return source

    def to_excel(
        self, path: str | Path, *, font: str = "Times New Roman", size_pt: float = 10.5
    ) -> Path:
        """Write an .xlsx sheet ruled as a three-line table; return its path."""
        return _write_bytes(path, _excel.render(self.grid, font=font, size_pt=size_pt))

    def save(
        self, stem: str | Path, formats: Sequence[Format] = FORMATS, *, strict: bool = False
    ) -> list[Path]:
        """Write the table as ``<stem>.<ext>`` for each format and return the paths.

        ``formats`` takes the values of ``[tables] formats`` in study.toml: ``"md"``, ``"tex"``,
        ``"docx"``, ``"html"``, ``"xlsx"``. ``strict=True`` (the pipeline's setting) first fails
        on a Chinese table showing a Latin word outside ``_latin.LATIN_WHITELIST``.
        """
        for fmt in formats:
            _choice("format", fmt, FORMATS)
        if strict and self.lang == "zh":
            _latin.check_chinese(self.grid, Path(stem).name)
        base = Path(stem)
        writers = {
            "md": self.to_markdown,
            "tex": self.to_latex,
            "docx": self.to_docx,
            "html": self.to_html,
            "xlsx": self.to_excel,
        }
        paths = []
        for fmt in formats:
            path = base.with_name(f"{base.name}.{fmt}")
            writers[fmt](path)
            paths.append(path)
        return paths

    def captioned(self, title: str) -> Table:
        """This table with caption ``title`` where it has none (a caption already set is kept)."""
        if self.grid.title:
            return self
        table = copy.copy(self)
        table.grid = dataclasses.replace(self.grid, title=title)
        return table

    def with_rows(self, rows: Sequence[Sequence[str]]) -> Table:
        """This table with ``rows`` (label first, one cell per column) added below its body."""
        if not rows:
            return self
        bad = [list(r) for r in rows if len(r) != self.grid.ncols]
        if bad:
            raise StudySpecError(f"rows {bad} need {self.grid.ncols} cells each (label first)")
        table = copy.copy(self)
        body = (*self.grid.body, *(tuple(r) for r in rows))
        table.grid = dataclasses.replace(self.grid, body=body)
        return table

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_markdown()


class RegressionTable(Table):
    """Side-by-side regression results as a paper table.

    Rows: each coefficient with significance stars and its standard error (or t statistic) in
    parentheses below; ``W×<label>`` rows for spatially lagged regressors, then the constant
    (``const`` / ``Intercept`` share one row), ρ, λ and σ²; then, when the models differ, a model
    row; fixed-effect rows (是/否), N, R² (``Within R²`` / ``组内R²`` for results with any fixed
    effect, read from ``rsquared_within`` where the result has it, else ``rsquared``), the
    pseudo-R² of spatial columns (``伪R²`` / ``Pseudo R²``, the result's ``pseudo_r2``: squared
    correlation of y and its fitted values, spreg's ``pr2``) and the log-likelihood. A cell is blank where a result lacks that term or statistic. The notes state
    what is in parentheses, the star levels and each column's standard-error convention
    (``cov_type``).

    Stars mark ``p < level`` for each level: with the default (0.1, 0.05, 0.01), ``*`` p<0.1,
    ``**`` p<0.05, ``***`` p<0.01, the convention of Chinese economics journals.

    Parameters
    ----------
    results : results with the common interface (``params``, ``bse``, ``tvalues``, ``pvalues``,
        ``nobs``, ``model``, ``effects``, ``depvar``, ``fixed_effects``, ``cov_type``,
        ``rsquared``, ``llf``), one column each.
    lang : ``"zh"`` or ``"en"`` for the table's own wording.
    style : ``"default"``, or ``"aer"`` for the American Economic Association journals, which
        print no significance stars.
    labels : display names of variables (and dependent variables), e.g. ``{"demand": "市场需求"}``.
    column_titles : one heading per column; default the labelled dependent variable.
    groups : ``[(heading, n_columns), ...]`` headings spanning adjacent columns, widths summing to
        the number of results.
    stat : ``"se"`` or ``"t"`` in parentheses.
    stars : significance levels; default (0.1, 0.05, 0.01), none under ``style="aer"``.
    digits : decimals of every number but N.
    keep, drop, order : term names (as in ``params``) to show only, to leave out, to put first.
    title : caption above the table.
    notes : extra note paragraphs after the standard note.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from clusterdx.panel import fit
    >>> rng = np.random.default_rng(0)
    >>> panel = pd.DataFrame({"region": np.repeat(np.arange(8), 5),
    ...                       "year": np.tile(np.arange(2018, 2023), 8)})
    >>> panel["demand"] = rng.normal(size=40)
    >>> panel["dt"] = 0.5 * panel["demand"] + rng.normal(scale=0.2, size=40)
    >>> pooled = fit(panel, "dt ~ demand", entity="region", time="year", model="pooled",
    ...              cov="robust")
    >>> fe = fit(panel, "dt ~ demand", entity="region", time="year", model="fe", effects="twoways")
    >>> table = RegressionTable([pooled, fe], lang="en", labels={"demand": "Market demand"})
    >>> for line in table.to_markdown().splitlines()[3:8]:
    ...     print(line)
    | Market demand | 0.484*** | 0.465*** |
    |  | (0.046) | (0.057) |
    | Constant | 0.059 |  |
    |  | (0.036) |  |
    | Model | Pooled OLS | FE |
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = table.save(pathlib.Path(folder) / "baseline", ["docx", "tex"])
    ...     [p.name for p in paths]
    ['baseline.docx', 'baseline.tex']
    """

    def __init__(
        self,
        results: Sequence[Any],
        lang: lab.Lang = "zh",
        style: Style = "default",
        labels: Mapping[str, str] | None = None,
        column_titles: Sequence[str] | None = None,
        groups: Sequence[tuple[str, int]] | None = None,
        stat: Stat = "se",
        stars: Sequence[float] | None = None,
        digits: Digits = 3,
        keep: Sequence[str] | None = None,
        drop: Sequence[str] | None = None,
        order: Sequence[str] | None = None,
        notes: str | Sequence[str] | None = None,
        title: str | None = None,
    ) -> None:
        _choice("lang", lang, lab.LANGS)
        _choice("style", style, STYLES)
        _choice("stat", stat, STATS)
        _check_digits(digits)
        if style == "aer" and stars:
            raise StudySpecError(
                f"style='aer' prints no significance stars but stars={tuple(stars)!r} was given; "
                "drop stars or use style='default'"
            )
        levels = _check_stars(
            DEFAULT_STARS if stars is None and style == "default" else stars or ()
        )
        results = list(results)
        if not results:
            raise StudySpecError("RegressionTable needs at least one result")
        self.results = results
        grid = _regression.build(
            results,
            lang=lang,
            labels=dict(labels or {}),
            column_titles=column_titles,
            groups=groups,
            stat=stat,
            stars=levels,
            digits=digits,
            keep=keep,
            drop=drop,
            order=order,
            title=title,
            extra_notes=_notes(notes),
        )
        super().__init__(grid, lang)


def descriptive_table(
    frame: pd.DataFrame,
    variables: Sequence[str],
    labels: Mapping[str, str] | None = None,
    lang: lab.Lang = "zh",
    *,
    digits: Digits = 3,
    title: str | None = None,
    notes: str | Sequence[str] | None = None,
) -> Table:
    """Descriptive statistics, one row per variable: N, mean, SD, min, median, max.

    Computed on each variable's non-missing values; SD is the sample standard deviation
    ``sqrt(sum((x - mean)^2) / (N - 1))``.

    Parameters
    ----------
    frame : the data (e.g. the clean panel).
    variables : numeric columns, in display order.
    labels : display names, e.g. ``{"dt": "数字化转型"}``.
    lang : ``"zh"`` or ``"en"`` for the column headings.
    digits : decimals of every statistic but N.
    title, notes : caption above and note paragraphs below.

    Examples
    --------
    >>> frame = pd.DataFrame({"dt": [1.0, 2.0, 3.0, 4.0], "gdp": [2.0, 4.0, 5.0, None]})
    >>> table = descriptive_table(frame, ["dt", "gdp"], labels={"dt": "Digitalisation"},
    ...                           lang="en", digits=2)
    >>> print(table.to_markdown(), end="")   # SD of dt: sqrt(5/3); gdp uses its 3 values
    | Variables | N | Mean | SD | Min | Median | Max |
    |:---|:---:|:---:|:---:|:---:|:---:|:---:|
    | Digitalisation | 4 | 2.50 | 1.29 | 1.00 | 2.50 | 4.00 |
    | gdp | 3 | 3.67 | 1.53 | 2.00 | 4.00 | 5.00 |
    """
    _choice("lang", lang, lab.LANGS)
    _check_digits(digits)
    grid = _summary.descriptive(
        frame,
        list(variables),
        lang=lang,
        labels=dict(labels or {}),
        digits=digits,
        title=title,
        extra_notes=_notes(notes),
    )
    return Table(grid, lang)


def correlation_table(
    frame: pd.DataFrame,
    variables: Sequence[str],
    labels: Mapping[str, str] | None = None,
    lang: lab.Lang = "zh",
    *,
    method: CorrelationMethod = "pearson",
    stars: Sequence[float] = DEFAULT_STARS,
    digits: Digits = 3,
    title: str | None = None,
    notes: str | Sequence[str] | None = None,
) -> Table:
    r"""Lower-triangular correlation matrix with significance stars.

    Each pair uses its complete observations. Pearson's r is tested with
    ``t = r sqrt(n - 2) / sqrt(1 - r^2)`` on n - 2 degrees of freedom (Pearson, 1896; Fisher,
    1915, Biometrika 10:507); Spearman's rank correlation (Spearman, 1904, Am. J. Psychol.
    15:72) with the same t approximation, as ``scipy.stats`` computes them.

    Parameters
    ----------
    frame : the data.
    variables : numeric columns, in display order; rows and columns are numbered (1), (2), ...
    labels : display names.
    lang : ``"zh"`` or ``"en"``.
    method : ``"pearson"`` or ``"spearman"``.
    stars : significance levels for ``p < level``; ``()`` for none.
    digits : decimals.
    title, notes : caption above and note paragraphs below.

    Examples
    --------
    >>> frame = pd.DataFrame({"dt": [1.0, 2.0, 3.0, 4.0], "gdp": [2.0, 4.0, 5.0, 9.0]})
    >>> table = correlation_table(frame, ["dt", "gdp"], lang="en", digits=2)
    >>> print(table.to_markdown().split("\n\n")[0])   # scipy.stats.pearsonr: r = 0.965, p = 0.035
    |  | (1) | (2) |
    |:---|:---:|:---:|
    | (1) dt | 1.00 |  |
    | (2) gdp | 0.96** | 1.00 |
    >>> table.grid.notes[0]
    'Notes: Pearson correlation coefficients. *, **, *** denote significance at the 10%, 5%, 1% levels.'
    >>> correlation_table(frame, ["dt", "gdp"], method="spearman").grid.body[1]
    ('(2) gdp', '1.000***', '1.000')
    """
    _choice("lang", lang, lab.LANGS)
    _choice("method", method, CORRELATION_METHODS)
    _check_digits(digits)
    grid = _summary.correlation(
        frame,
        list(variables),
        lang=lang,
        labels=dict(labels or {}),
        method=method,
        stars=_check_stars(stars),
        digits=digits,
        title=title,
        extra_notes=_notes(notes),
    )
    return Table(grid, lang)
