"""Where an inspection was recorded, against the enterprise's registered position.

Plain arithmetic: the great-circle (haversine) distance on a spherical Earth, and how it reads in
Chinese. Both positions are WGS-84 (what a browser's geolocation gives); a coordinate copied from a
Chinese web map is GCJ-02 and lies a few hundred metres off (docs/DECISIONS.md).
"""

from __future__ import annotations

import math

# The mean Earth radius (IUGG): the spherical model errs by at most ~0.5 %, far below GPS noise.
EARTH_RADIUS_M = 6_371_008.8

NO_POSITION = "未获取现场位置"
NO_REGISTERED = "该企业未登记坐标，无法核对现场位置与企业登记位置的距离"


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The distance in metres between two (latitude, longitude) points in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def distance_text(metres: float) -> str:
    """“约 120 米” / “约 3.4 公里”: rounded as far as a phone's fix deserves (tens of metres)."""
    if metres < 10:
        return "不足 10 米"
    if metres < 1000:
        return f"约 {int(round(metres, -1))} 米"
    if metres < 100_000:
        return f"约 {metres / 1000:.1f} 公里"
    return f"约 {round(metres / 1000)} 公里"


def location_note(
    position: tuple[float, float] | None, registered: tuple[float, float] | None
) -> str:
    """The recorded position against the enterprise's registered one, in a sentence."""
    if position is None:
        return NO_POSITION
    if registered is None:
        return NO_REGISTERED
    return "距企业登记位置" + distance_text(haversine_m(*position, *registered))
