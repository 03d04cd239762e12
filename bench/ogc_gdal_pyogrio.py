"""Copy one OAPIF collection to a GeoPackage with the GDAL bundled in pyogrio's wheel.

Run as a subprocess by ``ogc_gdal.py``: ``python ogc_gdal_pyogrio.py SOURCE LAYER OUT LOG``,
where SOURCE is a service base URL (read over OAPIF) or a local file (the client's floor).
Newer GDAL (3.7 and later) reads the page size from the server's OpenAPI document, which
Debian 12's GDAL 3.6 does not. Reads WKB and attribute arrays and writes them (no shapely
objects), as close to ogr2ogr as pyogrio gets without pyarrow.
"""

import sys
from pathlib import Path

import pyogrio
from pyogrio.raw import read, write


def main(base: str, layer: str, out: str, log: str) -> None:
    pyogrio.set_gdal_config_options({"CPL_DEBUG": "ON", "CPL_LOG": log})
    source = base if Path(base).exists() else f"OAPIF:{base}"
    meta, _, geometry, field_data = read(source, layer=layer)
    write(
        out,
        geometry,
        field_data,
        meta["fields"],
        layer=layer,
        driver="GPKG",
        geometry_type=meta["geometry_type"],
        crs=meta["crs"],
        encoding=meta["encoding"],
    )


if __name__ == "__main__":
    main(*sys.argv[1:5])
