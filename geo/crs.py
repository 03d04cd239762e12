"""The coordinate reference system of everything stored: RD New (EPSG:28992), in metres.

Every geometry column has this SRID; distances, buffers and areas are computed in it.
"""

STORAGE_SRID = 28992
