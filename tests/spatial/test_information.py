"""Tests of clusterdx.spatial._information helpers."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from clusterdx.spatial import _information
from clusterdx.spatial.logdet import filter_factor

libpysal = pytest.importorskip("libpysal", reason="libpysal builds lattice weights")


@pytest.mark.parametrize("columns", [1, 15, 16, 100, 177])
def test_threaded_probe_solves_equal_one_solve(columns, monkeypatch):
    """Split over threads, the probe solves give the very numbers of one SuperLU solve, whatever
    the number of threads (each column is solved on its own)."""
    w = libpysal.weights.lat2W(12, 12, rook=False)
    w.transform = "r"
    lu = filter_factor(sp.csr_matrix(w.sparse), 0.6)
    v = np.random.default_rng(3).choice([-1.0, 1.0], size=(144, columns))
    expected = lu.solve(v)
    for threads in (1, 2, 3):
        monkeypatch.setattr(_information, "_SOLVE_THREADS", threads)
        monkeypatch.setattr(_information.os, "cpu_count", lambda: 8)
        assert np.array_equal(_information._solve(lu, v), expected)
