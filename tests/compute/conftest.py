"""Backends shared by the compute tests: a 2-process local pool and a 2-worker Dask LocalCluster."""

from __future__ import annotations

import pytest

from clusterdx.compute import DaskBackend, LocalBackend


@pytest.fixture(scope="session")
def local_pool():
    with LocalBackend(workers=2) as backend:
        yield backend


@pytest.fixture(scope="session")
def dask_cluster():
    pytest.importorskip("distributed", reason="Dask distributed is an optional dependency")
    with DaskBackend(workers=2) as backend:
        yield backend
