"""clusterdx.weights.from_file: formats, id matching, and one exact message per bad input."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from clusterdx import weights
from clusterdx.errors import WeightsError

IDS = ["a", "b", "c"]
BINARY = np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], dtype=float)


def _square(path, matrix, rows=IDS, columns=IDS):
    frame = pd.DataFrame(matrix, index=rows, columns=columns)
    frame.index.name = "id"
    frame.to_csv(path)
    return path


def _raises(message, *args, **kwargs):
    with pytest.raises(WeightsError, match="^" + re.escape(message) + "$"):
        weights.from_file(*args, **kwargs)


def test_square_csv_xlsx_edges_and_gal_agree(tmp_path):
    csv = _square(tmp_path / "w.csv", BINARY)
    xlsx = tmp_path / "w.xlsx"
    pd.read_csv(csv).to_excel(xlsx, index=False)
    edges = tmp_path / "edges.csv"
    pd.DataFrame({"from": ["a", "a", "b", "c"], "to": ["b", "c", "a", "a"], "weight": 1}).to_csv(
        edges, index=False
    )
    gal = tmp_path / "w.gal"
    gal.write_text("0 3\na 2\nb c\nb 1\na\nc 1\na\n", encoding="utf-8")
    expected = [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
    for path in (csv, xlsx, edges, gal):
        w = weights.from_file(path, ids=IDS)
        assert w.id_order == IDS
        np.testing.assert_allclose(w.full()[0], expected, rtol=0, atol=1e-15)
    raw = weights.from_file(csv, transform="none")
    np.testing.assert_array_equal(raw.full()[0], BINARY)


def test_integer_codes_and_name_aliases(tmp_path):
    path = _square(
        tmp_path / "w.csv", BINARY, rows=["北京", "天津", "河北"], columns=["北京", "天津", "河北"]
    )
    names = {"北京": 110000, "天津": 120000, "河北": 130000}
    w = weights.from_file(path, ids=[130000, 110000, 120000], aliases=names)
    assert w.id_order == [130000, 110000, 120000]
    assert w.neighbors[130000] == [110000]
    coded = _square(
        tmp_path / "c.csv",
        BINARY,
        rows=[110000, 120000, 130000],
        columns=["110000", "120000", "130000"],
    )
    assert weights.from_file(coded, ids=[110000, 120000, 130000]).id_order == [
        110000,
        120000,
        130000,
    ]


def test_not_square(tmp_path):
    path = _square(tmp_path / "w.csv", BINARY[:, :2], columns=["a", "b"])
    _raises(
        "w.csv: the matrix is not square: 3 row(s) x 2 column(s); ids only in the first column: "
        "'c'; ids only in the header: none. Give one row and one column per region, ids in the "
        "first column and in the header",
        path,
    )


def test_ids_not_matching_the_panel(tmp_path):
    path = _square(tmp_path / "w.csv", BINARY)
    _raises(
        "w.csv: the ids do not match the panel's regions; file ids not in the panel: 'c'; panel "
        "regions not in the file: 'd'. Use the region codes (or names) of the panel, or drop the "
        "regions from the study ([study].exclude_regions)",
        path,
        ids=["a", "b", "d"],
    )


def test_non_zero_diagonal(tmp_path):
    path = _square(tmp_path / "w.csv", BINARY + np.diag([0, 2, 0]))
    _raises(
        "w.csv: the diagonal must be 0 (a region is not its own neighbour); non-zero for 'b'. "
        "Set those cells to 0",
        path,
    )


def test_negative_weight(tmp_path):
    matrix = BINARY.copy()
    matrix[2, 1] = -0.5
    _raises(
        "w.csv: weights must be >= 0; negative: 'c' -> 'b' (-0.5). Correct the cells",
        _square(tmp_path / "w.csv", matrix),
    )


def test_islands_error_or_keep(tmp_path):
    matrix = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float)
    path = _square(tmp_path / "w.csv", matrix)
    _raises(
        "w.csv: 1 region(s) have no neighbour (islands): 'c'. Give them a link, drop them "
        '([study].exclude_regions), or set islands = "keep" where the model allows a zero row',
        path,
    )
    kept = weights.from_file(path, islands="keep")
    assert kept.neighbors["c"] == [] and kept.full()[0][0].tolist() == [0.0, 1.0, 0.0]


def test_non_numeric_cell_and_bad_options(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("id,a,b\na,0,x\nb,1,0\n", encoding="utf-8")
    _raises(
        "w.csv: cell (row 'a', column 'b') = 'x' is not a number; a weights file holds numbers "
        "only (0 or empty for no link)",
        path,
    )
    _raises("transform='r' is not available; use one of ['row', 'none']", path, transform="r")
    (tmp_path / "w.dat").write_text("x", encoding="utf-8")
    _raises(
        "w.dat: unknown weights file type '.dat'; use a matrix or edge list in .csv / .xlsx, or "
        "a libpysal .gal / .gwt file",
        tmp_path / "w.dat",
    )


def test_edge_list_repeated_link(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("from,to,weight\na,b,1\na,b,2\nb,a,1\n", encoding="utf-8")
    _raises("e.csv, row 3: the link 'a' -> 'b' is listed twice", path)
