"""Coordinate reference systems we serve (OGC API Features Part 2), with axis order.

EPSG:4326 and EPSG:4258 are latitude/longitude in their authority order; CRS84 is
longitude/latitude (RFC 7946 GeoJSON). RD New (28992) and Web Mercator (3857) are x/y.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.crs import STORAGE_SRID
from layers.errors import InvalidParameter

OGC = "http://www.opengis.net/def/crs/"


@dataclass(frozen=True)
class Crs:
    """A coordinate reference system we serve: URI, SRID, axis order and output decimals."""

    uri: str
    srid: int
    latlon: bool  # axis order is latitude first
    digits: int  # decimals in output: ~1 cm in each CRS

    @property
    def geographic(self) -> bool:
        """Whether coordinates are degrees (EPSG:4326 or EPSG:4258) rather than metres."""
        return self.srid in (4326, 4258)


CRS84 = Crs(OGC + "OGC/1.3/CRS84", 4326, False, 7)
STORAGE = Crs(OGC + f"EPSG/0/{STORAGE_SRID}", STORAGE_SRID, False, 2)
SUPPORTED = (
    CRS84,
    STORAGE,
    Crs(OGC + "EPSG/0/4258", 4258, True, 7),
    Crs(OGC + "EPSG/0/4326", 4326, True, 7),
    Crs(OGC + "EPSG/0/3857", 3857, False, 2),
)
BY_URI = {c.uri: c for c in SUPPORTED}
# Lenient spellings clients send: EPSG:28992, urn:ogc:def:crs:EPSG::28992, https URIs.
ALIASES = {"CRS84": CRS84, "OGC:CRS84": CRS84}


def parse_crs(value: str | None, parameter: str = "crs") -> Crs:
    """The Crs for a URI (or None → CRS84). Unsupported values raise InvalidParameter (400)."""
    if not value:
        return CRS84
    text = value.strip().strip("[]").replace("https://", "http://")
    if text in BY_URI:
        return BY_URI[text]
    if text in ALIASES:
        return ALIASES[text]
    code = (
        text.rsplit(":", 1)[-1]
        if text.upper().startswith(("EPSG:", "URN:OGC:DEF:CRS:EPSG"))
        else None
    )
    for crs in SUPPORTED:
        if code and crs.uri.endswith(f"/EPSG/0/{code}"):
            return crs
    raise InvalidParameter(
        f"{parameter}: unsupported CRS '{value}'; use one of {', '.join(BY_URI)}"
    )
