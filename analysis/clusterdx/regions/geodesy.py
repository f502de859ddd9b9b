"""Great-circle distances between lon/lat points on a sphere.

Hand-written (a few numpy lines) rather than ``pyproj.Geod`` because the spatial-weights
literature defines distance weights on the sphere, and the vectorised haversine is all we need.
"""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Haversine great-circle distance in km on the IUGG mean sphere (R = 6371.0088 km).

    d = 2 R asin( sqrt( sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) ) ), with φ latitude and λ
    longitude in radians; Sinnott (1984, Sky and Telescope 68:159). Arguments broadcast.
    """
    lam1, phi1, lam2, phi2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
