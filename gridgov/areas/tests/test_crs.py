import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from gridgov.areas import crs

GEOD = Geod(ellps="WGS84")
china_lon = st.floats(min_value=73.7, max_value=134.7)
china_lat = st.floats(min_value=18.2, max_value=53.5)


def metres(lon1, lat1, lon2, lat2) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def test_known_values_from_the_standards_page():
    lon, lat = crs.wgs84_to_gcj02(116.404, 39.915)
    assert (float(lon), float(lat)) == (116.41024449916938, 39.91640428150164)
    lon, lat = crs.gcj02_to_bd09(116.404, 39.915)
    assert (float(lon), float(lat)) == (116.41036949371029, 39.92133699351021)


def test_no_offset_outside_china():
    lon, lat = crs.wgs84_to_gcj02(2.35, 48.85)
    assert (float(lon), float(lat)) == (2.35, 48.85)


@settings(max_examples=300)
@given(china_lon, china_lat)
def test_gcj02_round_trip_under_a_metre(lon, lat):
    back = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))
    assert metres(lon, lat, *back) < 1.0


@settings(max_examples=300)
@given(china_lon, china_lat)
def test_bd09_round_trip_under_a_metre(lon, lat):
    back = crs.bd09_to_wgs84(*crs.wgs84_to_bd09(lon, lat))
    assert metres(lon, lat, *back) < 1.0


@settings(max_examples=100)
@given(china_lon, china_lat, st.sampled_from(list(crs.Crs)))
def test_to_and_from_wgs84_are_inverse(lon, lat, system):
    back = crs.to_wgs84(*crs.from_wgs84(lon, lat, system), system)
    assert metres(lon, lat, *back) < 1.0


def test_vectorised_matches_scalar():
    lons = np.array([113.7, 116.4, 121.5])
    lats = np.array([34.8, 39.9, 31.2])
    vx, vy = crs.wgs84_to_gcj02(lons, lats)
    for i in range(3):
        sx, sy = crs.wgs84_to_gcj02(lons[i], lats[i])
        assert (vx[i], vy[i]) == (float(sx), float(sy))
