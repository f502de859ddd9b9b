"""Write ``reports/index.html``: one page showing every table and figure under the reports folder.

Tables are the ``.html`` files (embedded inline, so the page is readable offline and in a browser
without a server); figures are the ``.png`` files (linked by relative path). Other formats of the
same table or figure (``.tex``, ``.docx``, ``.xlsx``, ``.md``, ``.pdf``, ``.csv``) are linked
beside it, and files that have no HTML or PNG form (e.g. ``moran_by_year.csv``) are listed at the
end. Tables come in paper order (:data:`PAPER_ORDER`, then the others by path) under their
captions; on a phone each table scrolls sideways inside its wrapper and row labels never wrap. The
page carries no date, so the same folder gives the same bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from clusterdx.errors import StudySpecError

IndexLang = Literal["zh", "en"]
INDEX_NAME = "index.html"
_SHOWN = (".html", ".png")
# Table stems in the order a paper shows them; the analyses and other tables follow by path.
PAPER_ORDER = (
    "indicator_weights",
    "descriptives",
    "descriptives_by_type",
    "correlations",
    "moran",
    "models",
    "spatial_tests",
    "effects",
    "robustness",
)
_CAPTION = re.compile(r"<caption>(.*?)</caption>", re.DOTALL)
_WORDS = {
    "zh": {
        "title": "研究结果",
        "tables": "表格",
        "figures": "图",
        "other": "其他文件",
        "formats": "其他格式",
        "contents": "目录",
        "empty": "尚无结果：先运行 clusterdx run。",
    },
    "en": {
        "title": "Results",
        "tables": "Tables",
        "figures": "Figures",
        "other": "Other files",
        "formats": "Other formats",
        "contents": "Contents",
        "empty": "No results yet: run clusterdx run first.",
    },
}
_CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #222; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { font-size: 1.05rem; margin-top: 2rem; }
.formats { font-size: .9rem; color: #555; }
figure { margin: 0; }
figure img { max-width: 100%; height: auto; }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; max-width: 100%; }
table.cdx-table tbody th, table.cdx-table thead th:first-child { white-space: nowrap; }
table.cdx-table td { white-space: nowrap; }
table.cdx-table tfoot td { white-space: normal; }
nav ul { padding-left: 1.2rem; }
@media (max-width: 40rem) { body { margin: 1rem auto; font-size: .95rem; } }
table.cdx-table { border-collapse: collapse; border-top: 2px solid #000;
                  border-bottom: 2px solid #000; margin: .5rem 0; }
table.cdx-table caption { font-weight: bold; padding-bottom: .4rem; }
table.cdx-table thead { border-bottom: 1px solid #000; }
table.cdx-table th, table.cdx-table td { padding: .15rem .7rem; text-align: center; }
table.cdx-table tbody th { text-align: left; font-weight: normal; }
table.cdx-table tfoot td { text-align: left; font-size: .85rem; border-top: 1px solid #000; }
""".strip()


def _anchor(rel: str) -> str:
    return "f-" + "".join(c if c.isalnum() else "-" for c in rel)


def paper_order(paths) -> list[Path]:
    """``paths`` sorted as a paper shows the tables: :data:`PAPER_ORDER` stems first, then by name."""
    return sorted(
        paths,
        key=lambda p: (
            PAPER_ORDER.index(p.stem) if p.stem in PAPER_ORDER else len(PAPER_ORDER),
            p.as_posix(),
        ),
    )


def _heading(source: str, rel: str) -> str:
    """A table's caption (HTML as the table writer escaped it), else its relative path."""
    caption = _CAPTION.search(source)
    return caption.group(1).strip() if caption and caption.group(1).strip() else html.escape(rel)


def _siblings(path: Path, root: Path, files: list[Path]) -> list[str]:
    """Relative paths of the other formats of ``path`` (same folder, same stem), sorted."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in files
        if p != path
        and p.parent == path.parent
        and p.stem == path.stem
        and p.suffix.lower() not in _SHOWN
    )


def _formats_line(others: list[str], lang: IndexLang) -> str:
    if not others:
        return ""
    links = " · ".join(
        f'<a href="{html.escape(rel)}">{html.escape(Path(rel).suffix[1:])}</a>' for rel in others
    )
    return f'<p class="formats">{_WORDS[lang]["formats"]}: {links}</p>'


def write_index(
    reports_dir: str | Path,
    *,
    lang: IndexLang = "zh",
    title: str | None = None,
    files: Iterable[str | Path] | None = None,
) -> Path:
    """Write ``<reports_dir>/index.html`` showing every table and figure there; return its path.

    Every ``*.html`` file below ``reports_dir`` (but the index itself) is embedded as a table,
    every ``*.png`` is shown as a figure, each under a heading with its relative path and links to
    its other formats; remaining files are linked in a last section.

    Parameters
    ----------
    reports_dir : the reports folder (``study.reports_dir``, e.g. ``reports/``).
    lang : ``"zh"`` or ``"en"`` for the page's own headings.
    title : page title (default 研究结果 / Results).
    files : the files to show (those that exist; the pipeline passes the outputs the study
        declares, so a leftover file never enters the page); default every file below
        ``reports_dir``.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from clusterdx.report import descriptive_table
    >>> table = descriptive_table(pd.DataFrame({"dt": [1.0, 2.0, 3.0]}), ["dt"])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = table.save(Path(folder) / "tables" / "descriptive", ["html", "tex", "docx"])
    ...     page = write_index(folder, lang="en")
    ...     text = page.read_text(encoding="utf-8")
    >>> page.name
    'index.html'
    >>> text.count('<table class="cdx-table">'), "<h3>tables/descriptive.html</h3>" in text
    (1, True)
    >>> text.split('<p class="formats">')[1].split("</p>")[0]
    'Other formats: <a href="tables/descriptive.docx">docx</a> · <a href="tables/descriptive.tex">tex</a>'
    """
    if lang not in _WORDS:
        raise StudySpecError(f"lang={lang!r} is not one of the allowed values {list(_WORDS)}")
    root = Path(reports_dir)
    if not root.is_dir():
        raise StudySpecError(
            f"reports folder {str(root)!r} does not exist; run the pipeline first or pass the "
            "folder that holds tables/ and figures/"
        )
    words = _WORDS[lang]
    target = root / INDEX_NAME
    found = root.rglob("*") if files is None else (Path(p) for p in files)
    files = sorted(
        (p for p in found if p.is_file() and p != target and p.is_relative_to(root)),
        key=lambda p: p.relative_to(root).as_posix(),
    )
    tables = paper_order(p for p in files if p.suffix.lower() == ".html")
    sources = {p: p.read_text(encoding="utf-8").strip() for p in tables}
    headings = {p: _heading(sources[p], p.relative_to(root).as_posix()) for p in tables}
    headings |= {p: html.escape(p.relative_to(root).as_posix()) for p in files if p not in sources}
    figures = [p for p in files if p.suffix.lower() == ".png"]
    covered = {p.with_suffix("") for p in tables + figures}
    other = [
        p
        for p in files
        if p.suffix.lower() not in _SHOWN
        and p.with_suffix("") not in covered
        and not p.name.startswith(".")
    ]
    heading = html.escape(title or words["title"])
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{heading}</title>",
        f"<style>\n{_CSS}\n</style></head>",
        "<body>",
        f"<h1>{heading}</h1>",
    ]
    if not files:
        parts.append(f"<p>{words['empty']}</p>")
    sections = [("tables", tables), ("figures", figures)]
    contents = [
        f'<li><a href="#{_anchor(p.relative_to(root).as_posix())}">{headings[p]}</a></li>'
        for _, group in sections
        for p in group
    ]
    if contents:
        parts += [f"<nav><h2>{words['contents']}</h2><ul>", *contents, "</ul></nav>"]
    for key, group in sections:
        if not group:
            continue
        parts.append(f"<h2>{words[key]}</h2>")
        for path in group:
            rel = path.relative_to(root).as_posix()
            parts.append(f'<section id="{_anchor(rel)}"><h3>{headings[path]}</h3>')
            if key == "tables":
                parts.append(f'<div class="table-wrap">{sources[path]}</div>')
            else:
                parts.append(
                    f'<figure><img src="{html.escape(rel)}" alt="{html.escape(path.stem)}">'
                    "</figure>"
                )
            parts.append(_formats_line(_siblings(path, root, files), lang))
            parts.append("</section>")
    if other:
        parts.append(f"<h2>{words['other']}</h2><ul>")
        parts += [
            f'<li><a href="{html.escape(rel)}">{html.escape(rel)}</a></li>'
            for rel in (p.relative_to(root).as_posix() for p in other)
        ]
        parts.append("</ul>")
    parts += ["</body>", "</html>"]
    target.write_bytes(("\n".join(part for part in parts if part) + "\n").encode("utf-8"))
    return target
