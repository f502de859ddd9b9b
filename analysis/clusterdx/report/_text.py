"""Write a table grid as HTML (a classed ``<table>``) or as a Markdown pipe table."""

from __future__ import annotations

import html

from clusterdx.report._grid import Grid, is_numeric

CSS_CLASS = "cdx-table"


def render_html(grid: Grid, *, css_class: str = CSS_CLASS) -> str:
    """Return ``grid`` as one ``<table class=...>`` with caption, thead, tbody and tfoot notes.

    The rules of a three-line table map to ``thead``/``tbody`` borders, left to the page's CSS.
    """
    esc = html.escape
    lines = [f'<table class="{esc(css_class)}">']
    if grid.title is not None:
        lines.append(f"<caption>{esc(grid.title)}</caption>")
    lines.append("<thead>")
    for spans in grid.header:
        cells = []
        for span in spans:
            colspan = f' colspan="{span.width}"' if span.width > 1 else ""
            scope = "" if span.start == 0 else ' scope="col"'
            cells.append(f"<th{colspan}{scope}>{esc(span.text)}</th>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines += ["</thead>", "<tbody>"]
    for row in grid.body:
        cells = [f'<th scope="row">{esc(row[0])}</th>'] + [f"<td>{esc(c)}</td>" for c in row[1:]]
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</tbody>")
    if grid.notes:
        lines.append("<tfoot>")
        lines += [f'<tr><td colspan="{grid.ncols}">{esc(n)}</td></tr>' for n in grid.notes]
        lines.append("</tfoot>")
    lines.append("</table>")
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    if is_numeric(text):
        # trailing stars after a digit cannot open emphasis, so ``0.121***`` stays readable
        return text
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")


def render_markdown(grid: Grid) -> str:
    """Return ``grid`` as a pipe table.

    Markdown has a single header row: the first header row is it, further header rows follow as the
    first body rows; a spanning heading stands in the first column it spans.
    """
    rows = [grid.header_cells(r) for r in range(len(grid.header))] + [list(r) for r in grid.body]
    out = []
    if grid.title is not None:
        out += [f"**{_md_cell(grid.title)}**", ""]
    for i, row in enumerate(rows):
        out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
        if i == 0:
            out.append("|" + "|".join([":---"] + [":---:"] * (len(row) - 1)) + "|")
    if grid.notes:
        out.append("")
        out += [_md_cell(n) for n in grid.notes]
    return "\n".join(out) + "\n"
