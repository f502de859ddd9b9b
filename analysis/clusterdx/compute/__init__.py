"""Compute backends: run per-partition reductions on a local process pool or a Dask cluster."""

from clusterdx.compute.backends import (
    BACKENDS,
    Backend,
    DaskBackend,
    LocalBackend,
    from_spec,
    map_partitions,
    open_backend,
)
from clusterdx.compute.partitions import (
    ParquetSlice,
    TextFiles,
    read_partition,
    table_partitions,
    text_partitions,
)

__all__ = [
    "BACKENDS",
    "Backend",
    "DaskBackend",
    "LocalBackend",
    "ParquetSlice",
    "TextFiles",
    "from_spec",
    "map_partitions",
    "open_backend",
    "read_partition",
    "table_partitions",
    "text_partitions",
]
