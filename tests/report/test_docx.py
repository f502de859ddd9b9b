"""The Word writer's fast paths write exactly what python-docx's own calls write."""

from __future__ import annotations

from clusterdx.report import _docx
from clusterdx.report._grid import Grid, Span


def _grid() -> Grid:
    header = (
        (Span("", 0), Span("第一阶段", 1, 2), Span("(3)", 3)),
        (Span("变量", 0), Span("(1)", 1), Span("(2)", 2), Span("(3)", 3)),
    )
    body = (
        ("市场需求", "0.137***", "", "-2.5"),
        ("", "(0.041)", " 1.0", "a\tb"),
        ("观测数", "403", "line\nbreak", "403"),
    )
    return Grid(header=header, body=body, title="表1 基准回归", notes=("注：括号内为标准误",))


def test_template_cells_equal_cells_written_one_by_one(monkeypatch):
    fast = _docx.render(_grid())
    monkeypatch.setattr(
        _docx._Paragraphs,
        "write",
        lambda self, paragraph, text, align: _docx._write(paragraph, text, align, **self.font),
    )
    assert _docx.render(_grid()) == fast
