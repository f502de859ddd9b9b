"""clusterdx.data.readers: encodings and numeric parsing."""

from __future__ import annotations

import numpy as np
import pytest

from clusterdx.data.readers import detect_encoding, parse_numeric, read_csv
from clusterdx.errors import DataError


def test_utf8_bom_and_gbk_detected(tmp_path):
    bom = tmp_path / "bom.csv"
    bom.write_bytes("地区,值\n北京,1\n".encode("utf-8-sig"))
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("地区,值\n北京,1\n广东,2\n".encode("gbk"))
    assert detect_encoding(bom) == "utf-8-sig"
    assert detect_encoding(gbk) == "gb18030"
    assert read_csv(gbk).frame.columns.tolist() == ["地区", "值"]


def test_declared_gbk_that_is_not(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n\x81\x20,1\n")
    with pytest.raises(DataError, match=r"x\.csv: declared encoding 'gbk' cannot decode byte 0x81"):
        detect_encoding(path, "gbk")


def test_parse_numeric_accepts_separators_and_missing_tokens(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text('v\n"12,345.5"\n—\n-3e2\n\n', encoding="utf-8")
    values = parse_numeric(read_csv(path), "v")
    np.testing.assert_array_equal(values.to_numpy()[[0, 2]], [12345.5, -300.0])
    assert values.isna().sum() == 1


def test_parse_numeric_rejects_text_with_location(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text("v\n1\nn.a.\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"n\.csv, row 3, column 'v': 'n\.a\.'"):
        parse_numeric(read_csv(path), "v")


def test_formula_scan_sees_formulas_and_ignores_look_alike_tags(tmp_path):
    import openpyxl

    from clusterdx.data.readers import _has_formulas

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["地区", "值"])
    sheet.append(["北京", 1])
    sheet.auto_filter.ref = "A1:B2"  # writes <autoFilter>, not a formula
    sheet.auto_filter.add_filter_column(0, ["北京"])  # <filterColumn>
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    sheet["C2"] = "=B2*2"
    formula = tmp_path / "formula.xlsx"
    book.save(formula)
    assert not _has_formulas(plain.read_bytes())
    assert _has_formulas(formula.read_bytes())
