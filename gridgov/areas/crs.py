"""Coordinates at the edge: GCJ-02 (AMap, Tencent, phone SDKs) and BD-09 (Baidu) to and from WGS-84.

Inside, everything is WGS-84. The GCJ-02 offset is a published obfuscation with no closed-form
inverse, so inverses iterate the forward transform until the error is far below a centimetre.
All functions take and return numpy arrays or floats.
"""

from enum import StrEnum

import numpy as np

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as GCJ-02 uses it
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0


class Crs(StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


def outside_china(lon, lat):
    """The rough rectangle outside which GCJ-02 applies no offset."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _offset(lon, lat):
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x + common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x + common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat):
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lon, lat)
    out = outside_china(lon, lat)
    return np.where(out, lon, lon + dlon), np.where(out, lat, lat + dlat)


def gcj02_to_bd09(lon, lat):
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _invert(forward, lon, lat, iterations: int = 30, tolerance: float = 1e-12):
    """Solve forward(x) = (lon, lat) by fixed-point iteration; converges in a few steps."""
    target_lon = np.asarray(lon, dtype=float)
    target_lat = np.asarray(lat, dtype=float)
    x, y = target_lon.copy(), target_lat.copy()
    for _ in range(iterations):
        fx, fy = forward(x, y)
        ex, ey = fx - target_lon, fy - target_lat
        x, y = x - ex, y - ey
        if np.all(np.abs(ex) < tolerance) and np.all(np.abs(ey) < tolerance):
            break
    return x, y


def gcj02_to_wgs84(lon, lat):
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon, lat):
    return _invert(gcj02_to_bd09, lon, lat)


def bd09_to_wgs84(lon, lat):
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon, lat):
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def to_wgs84(lon, lat, crs: str | Crs):
    """Convert coordinates given in `crs` to WGS-84 (the identity for WGS-84)."""
    crs = Crs(crs)
    if crs is Crs.GCJ02:
        return gcj02_to_wgs84(lon, lat)
    if crs is Crs.BD09:
        return bd09_to_wgs84(lon, lat)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def from_wgs84(lon, lat, crs: str | Crs):
    crs = Crs(crs)
    if crs is Crs.GCJ02:
        return wgs84_to_gcj02(lon, lat)
    if crs is Crs.BD09:
        return wgs84_to_bd09(lon, lat)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
