"""Copy one OAPIF collection to a GeoPackage with the GDAL bundled in pyogrio's wheel.

Run as a subprocess by ``ogc_gdal.py``: ``python ogc_gdal_pyogrio.py BASE LAYER OUT LOG``.
Newer GDAL (3.7 and later) reads the page size from the server's OpenAPI document, which
Debian 12's GDAL 3.6 does not. Reads WKB and attribute arrays and writes them (no shapely
objects), as close to ogr2ogr as pyogrio gets without pyarrow.
"""

import sys

import pyogrio
from pyogrio.raw import read, write


def main(base: str, layer: str, out: str, log: str) -> None:
    pyogrio.set_gdal_config_options({"CPL_DEBUG": "ON", "CPL_LOG": log})
    meta, _, geometry, field_data = read(f"OAPIF:{base}", layer=layer)
    write(out, geometry, field_data, meta["fields"], layer=layer, driver="GPKG",
          geometry_type=meta["geometry_type"], crs=meta["crs"], encoding=meta["encoding"])


if __name__ == "__main__":
    main(*sys.argv[1:5])
