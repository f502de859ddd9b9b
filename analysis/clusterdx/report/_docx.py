"""Write a table grid as a Word three-line table (三线表) with python-docx.

Exactly three horizontal rules: the table's top border, a rule under the last header row (cell
bottom borders) and the table's bottom border; no vertical rules and no inside rules. The east-Asian
font is set through ``w:rFonts/@w:eastAsia`` so Chinese text gets 宋体 while numbers and Latin text
get Times New Roman, as Chinese journals ask.
"""

from __future__ import annotations

import io
from copy import deepcopy

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from clusterdx.report import _package
from clusterdx.report._grid import Grid

THICK = 12  # eighths of a point: 1.5 pt top and bottom rules
THIN = 6  # 0.75 pt rule under the header
TEXT_WIDTH_CM = 21.0 - 2 * 2.54  # A4 with 2.54 cm margins
LABEL_WIDTH_CM = 2.4  # a too-wide table narrows its label column to this, not below, first
MIN_COLUMN_CM = 1.2
PAD_CM = 0.4  # cell margins (0.19 cm each side in Word's default) and a little air

_TBL_PR_AFTER_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption")
_TC_PR_AFTER_BORDERS = (
    "w:shd",
    "w:noWrap",
    "w:tcMar",
    "w:textDirection",
    "w:tcFitText",
    "w:vAlign",
    "w:hideMark",
)


def _insert(parent, child, before: tuple[str, ...]) -> None:
    for tag in before:
        found = parent.find(qn(tag))
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


NOTE_SIZE_PT = 9.0  # 小五


def _border(tag: str, size: int | None) -> OxmlElement:
    element = OxmlElement(tag)
    if size is None:
        element.set(qn("w:val"), "nil")
    else:
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), str(size))
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
    return element


def _table_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge, size in (
        ("top", THICK),
        ("left", None),
        ("bottom", THICK),
        ("right", None),
        ("insideH", None),
        ("insideV", None),
    ):
        borders.append(_border(f"w:{edge}", size))
    _insert(table._tbl.tblPr, borders, _TBL_PR_AFTER_BORDERS)


def _rule_below(row) -> None:
    seen = set()
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        borders = OxmlElement("w:tcBorders")
        borders.append(_border("w:bottom", THIN))
        _insert(cell._tc.get_or_add_tcPr(), borders, _TC_PR_AFTER_BORDERS)


def _style_run(run, *, latin: str, east_asia: str, size: float, bold: bool = False) -> None:
    run.font.name = latin
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)


def _write(paragraph, text: str, align, **font) -> None:
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    if text:
        _style_run(paragraph.add_run(text), **font)


class _Paragraphs:
    """`_write` for many cells of one document: the first paragraph written with each alignment
    and font becomes a template, and a later cell gets a copy of it with its own text (the same
    XML as `_write`, without python-docx's per-property element lookups: half the time of a
    table). Text with a tab, line break or surrounding spaces, which python-docx writes as other
    elements or attributes, goes through `_write`."""

    def __init__(self, font: dict) -> None:
        self.font = font
        self.templates: dict = {}

    def write(self, paragraph, text: str, align) -> None:
        plain = text and text == text.strip() and not any(ch in text for ch in "\t\n\r")
        template = self.templates.get(align) if plain else None
        if template is None:
            _write(paragraph, text, align, **self.font)
            if plain:
                self.templates[align] = paragraph._p
            return
        copy = deepcopy(template)
        copy.find(f"{qn('w:r')}/{qn('w:t')}").text = text
        paragraph._p.getparent().replace(paragraph._p, copy)


_FULL_WIDTH = frozenset("×—")  # set full width by the East Asian font in a Chinese label


def _text_cm(text: str, size_pt: float) -> float:
    """Width of ``text`` on one line: 1 em per CJK character (and × —), 0.55 em per other one, plus
    padding."""
    ems = sum(1.0 if ord(ch) >= 0x2E80 or ch in _FULL_WIDTH else 0.55 for ch in text)
    return ems * size_pt * 2.54 / 72 + PAD_CM


def column_widths(grid: Grid, size_pt: float) -> list[float]:
    """Column widths (cm) that fit each column's longest cell on one line where the text width
    allows, data columns at least `MIN_COLUMN_CM` wide. A table too wide first lets the data
    columns' header cells (dependent variables, model names) wrap onto two lines, then narrows the
    label column (to what the data columns leave, at least `LABEL_WIDTH_CM`), then every column
    in proportion: headings wrap before row labels, and the numbers never do. Spanning header
    cells do not widen their columns.

    >>> from clusterdx.report._grid import Span
    >>> grid = Grid(header=((Span("变量", 0), Span("(1)", 1)),), body=(("市场需求", "0.137***"),))
    >>> [round(w, 2) for w in column_widths(grid, 10.5)]   # 4 em and 8 × 0.55 em at 10.5 pt, + 0.4
    [1.88, 2.03]
    """
    body = [MIN_COLUMN_CM] * grid.ncols
    body[0] = 0.0
    head = [0.0] * grid.ncols
    for spans in grid.header:
        for span in spans:
            if span.width == 1:
                head[span.start] = max(head[span.start], _text_cm(span.text, size_pt))
    for row in grid.body:
        for c, text in enumerate(row):
            body[c] = max(body[c], _text_cm(text, size_pt))
    need = [max(b, h) for b, h in zip(body, head, strict=True)]
    if sum(need) > TEXT_WIDTH_CM:  # data headings wrap (two lines at least), the room shared
        two = [max(b, (h - PAD_CM) / 2 + PAD_CM) for b, h in zip(body, head, strict=True)]
        gaps = [full - short for full, short in zip(need[1:], two[1:], strict=True)]
        room = TEXT_WIDTH_CM - need[0] - sum(two[1:])
        share = min(1.0, max(room, 0.0) / sum(gaps)) if sum(gaps) > 0 else 0.0
        need = [need[0], *(short + share * gap for short, gap in zip(two[1:], gaps, strict=True))]
    data = sum(need[1:])
    if need[0] + data > TEXT_WIDTH_CM:
        need[0] = max(LABEL_WIDTH_CM, TEXT_WIDTH_CM - data)
    total = sum(need)
    if total > TEXT_WIDTH_CM:
        need = [w * TEXT_WIDTH_CM / total for w in need]
    return need


def render(
    grid: Grid,
    *,
    font_east_asia: str = "宋体",
    font_latin: str = "Times New Roman",
    size_pt: float = 10.5,
) -> bytes:
    """Return the bytes of a .docx holding the title, the three-line table and the notes."""
    font = {"latin": font_latin, "east_asia": font_east_asia, "size": size_pt}
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.54))
    normal = document.styles["Normal"]
    normal.font.name = font_latin
    normal.font.size = Pt(size_pt)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font_east_asia)

    if grid.title is not None:
        _write(document.add_paragraph(), grid.title, WD_ALIGN_PARAGRAPH.CENTER, bold=True, **font)

    nheader = len(grid.header)
    table = document.add_table(rows=nheader + len(grid.body), cols=grid.ncols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _table_borders(table)
    widths = column_widths(grid, size_pt)
    # python-docx rebuilds the whole cell grid on every table.cell() / column.cells call: fetch it
    # once (table._cells, row-major) instead of once per cell
    cells = table._cells
    for c, column in enumerate(table.columns):
        width = Cm(widths[c])
        column.width = width
        for cell in cells[c :: grid.ncols]:
            cell.width = width
    # the header spans of a row do not overlap, so the cells fetched before any merge stay valid
    # for the spans after one (a merge removes only the cells inside its own span)
    for r, spans in enumerate(grid.header):
        for span in spans:
            cell = cells[r * grid.ncols + span.start]
            if span.width > 1:
                cell = cell.merge(cells[r * grid.ncols + span.start + span.width - 1])
            align = WD_ALIGN_PARAGRAPH.LEFT if span.start == 0 else WD_ALIGN_PARAGRAPH.CENTER
            _write(cell.paragraphs[0], span.text, align, **font)
    _rule_below(table.rows[nheader - 1])
    body = _Paragraphs(font)
    for r, row in enumerate(grid.body, start=nheader):
        for c, text in enumerate(row):
            align = WD_ALIGN_PARAGRAPH.LEFT if c == 0 else WD_ALIGN_PARAGRAPH.CENTER
            body.write(cells[r * grid.ncols + c].paragraphs[0], text, align)

    # Notes in 小五 (9 pt), indented to the table's width (the table is centred on the page).
    table_cm = sum(widths)
    indent = Cm(max(0.0, (TEXT_WIDTH_CM - table_cm) / 2))
    for note in grid.notes:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = indent
        paragraph.paragraph_format.right_indent = indent
        _write(paragraph, note, WD_ALIGN_PARAGRAPH.JUSTIFY, **{**font, "size": NOTE_SIZE_PT})

    buffer = io.BytesIO()
    document.save(buffer)
    return _package.normalise(buffer.getvalue(), title=grid.title or "")
