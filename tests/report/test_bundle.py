"""clusterdx.report.write_bundle: one Word and one LaTeX file of every table, in paper order."""

from __future__ import annotations

import re
import shutil
import subprocess

import docx
import pandas as pd
import pytest

from clusterdx.report import descriptive_table, write_bundle

_SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture
def reports(tmp_path):
    frame = pd.DataFrame({"dt": [1.0, 2.0, 4.0], "gdp": [3.0, 1.0, 2.0]})
    for stem, title in [
        ("robustness", "稳健性检验"),
        ("zz_extra", "异质性"),
        ("models", "基准回归"),
    ]:
        descriptive_table(frame, ["dt", "gdp"]).captioned(title).save(
            tmp_path / "tables" / stem, ["docx", "tex"]
        )
    return tmp_path


def test_bundle_numbers_the_tables_in_paper_order(reports):
    word, latex = write_bundle(reports)
    document = docx.Document(str(word))
    captions = [p.text for p in document.paragraphs if p.text.startswith("表")]
    assert captions == ["表1\u3000基准回归", "表2\u3000稳健性检验", "表3\u3000异质性"]
    assert len(document.tables) == 3
    source = latex.read_text(encoding="utf-8")
    order = [source.index(rf"\caption{{{t}}}") for t in ("基准回归", "稳健性检验", "异质性")]
    assert order == sorted(order)
    assert write_bundle(reports) == [word, latex] and word.read_bytes() == word.read_bytes()


def test_bundle_is_byte_identical_across_runs(reports):
    first = [p.read_bytes() for p in write_bundle(reports)]
    assert [p.read_bytes() for p in write_bundle(reports)] == first


@pytest.mark.slow
@pytest.mark.skipif(_SOFFICE is None, reason="LibreOffice (soffice) not installed")
def test_bundle_converts_to_pdf_in_libreoffice(reports, tmp_path):
    word, _ = write_bundle(reports)
    out = tmp_path / "pdf"
    subprocess.run(
        [_SOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(word)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (out / "tables.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 3  # one page per table
