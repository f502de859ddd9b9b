"""Great-circle distance on the sphere."""

from __future__ import annotations

import math

import numpy as np

from clusterdx.regions.geodesy import EARTH_RADIUS_KM, great_circle_km

BEIJING = (116.4074, 39.9042)  # Tiananmen, lon/lat
SHANGHAI = (121.4737, 31.2304)  # People's Square, lon/lat


def test_beijing_shanghai_about_1067_km():
    distance = great_circle_km(*BEIJING, *SHANGHAI)
    # Spherical law of cosines, written out independently of the haversine form.
    p1, p2 = math.radians(BEIJING[1]), math.radians(SHANGHAI[1])
    dl = math.radians(SHANGHAI[0] - BEIJING[0])
    by_hand = EARTH_RADIUS_KM * math.acos(
        math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    )
    np.testing.assert_allclose(distance, by_hand, rtol=1e-9)
    # 1,067 km: the great-circle Beijing-Shanghai distance usually quoted for the city centres.
    np.testing.assert_allclose(distance, 1067, rtol=1e-3)
    # The WGS84 ellipsoidal geodesic (Karney 2013, J. Geodesy 87:43), pyproj 3.7.2
    # Geod(ellps="WGS84").inv(116.4074, 39.9042, 121.4737, 31.2304): 1065.846 km; the sphere is
    # within 0.3 % of the ellipsoid at these latitudes.
    np.testing.assert_allclose(distance, 1065.846, rtol=3e-3)


def test_quarter_meridian_and_zero():
    np.testing.assert_allclose(
        great_circle_km(0, 0, 0, 90), EARTH_RADIUS_KM * math.pi / 2, rtol=1e-12
    )
    assert great_circle_km(110.0, 20.0, 110.0, 20.0) == 0.0
