"""GDAL full copies for the layer-service benchmark: Debian's ogr2ogr and a newer GDAL.

* ``ogr2ogr`` from Debian 12 (GDAL 3.6): sends ``limit=10`` unless ``-oo PAGE_SIZE`` is given;
  it never reads the OpenAPI document.
* the GDAL in pyogrio's wheel (3.7 and later): reads ``limit``'s maximum and default from
  the OpenAPI document per collection (as QGIS does) and pages by that.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from common import ROOT
from ogc_data import COLLECTION
from ogc_load import get

PYOGRIO_COPY = ROOT / "bench" / "ogc_gdal_pyogrio.py"


def gdal_copy(
    base: str,
    folder: Path,
    name: str,
    timeout: float,
    page_size: int | None = None,
    newer_gdal: bool = False,
) -> dict:
    """Time a full copy of the bench collection to a GeoPackage; killed after ``timeout`` s.

    ``ogr2ogr -f GPKG out.gpkg OAPIF:<base> bench`` (Debian's GDAL), or with ``newer_gdal``
    the same copy by pyogrio's GDAL. GDAL's debug log shows each page it fetches, so a
    killed copy still tells how far it got (features fetched ≈ pages × page size).
    """
    tag = f"{name}-{'newer' if newer_gdal else 'debian'}-{page_size or 'default'}"
    out, log = folder / f"{tag}.gpkg", folder / f"{tag}.gdal.log"
    if newer_gdal:
        cmd = [sys.executable, str(PYOGRIO_COPY), base, COLLECTION, str(out), str(log)]
    else:
        cmd = ["ogr2ogr", "--debug", "on", "-f", "GPKG", str(out), f"OAPIF:{base}", COLLECTION]
        if page_size:
            cmd[3:3] = ["-oo", f"PAGE_SIZE={page_size}"]
    started = time.perf_counter()
    with open(log, "a") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
            killed = False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            killed = True
    elapsed = time.perf_counter() - started
    text = log.read_text(errors="replace")
    pages = [
        line for line in text.splitlines() if line.startswith("HTTP: Fetch(") and "/items" in line
    ]
    limits = Counter(
        part.split("=", 1)[1].rstrip(")")
        for line in pages
        for part in line.split("?", 1)[-1].split("&")
        if part.startswith("limit=")
    )
    limit = int(limits.most_common(1)[0][0]) if limits else None  # the first page may differ
    failed = proc.returncode not in (0, None) and not killed
    return {
        "seconds": elapsed,
        "killed": killed,
        "failed": failed,
        "pages": len(pages),
        "out": out,
        "limit": limit,
        "count": _gpkg_count(out),
        "tail": "\n".join(line for line in text.splitlines()[-5:]) if failed else "",
    }


def _gpkg_count(path: Path) -> int:
    if not path.exists():
        return 0
    with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute(f'SELECT count(*) FROM "{COLLECTION}"').fetchone()[0]  # noqa: S608
    return 0


def client_floor(gpkg: Path, folder: Path) -> dict[str, float]:
    """Seconds each client needs for the same copy from a local GeoJSON file (no server).

    ``gpkg`` is a finished copy; it is turned into GeoJSON first (not timed). Whatever a
    server does, an OAPIF copy cannot be faster than this.
    """
    source = folder / "floor.geojson"
    subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", str(source), str(gpkg), COLLECTION, "-nln", COLLECTION],
        check=True,
        capture_output=True,
    )
    cmds = {
        "ogr2ogr": ["ogr2ogr", "-f", "GPKG", str(folder / "floor-debian.gpkg"), str(source)],
        "newer GDAL": [
            sys.executable,
            str(PYOGRIO_COPY),
            str(source),
            COLLECTION,
            str(folder / "floor-newer.gpkg"),
            str(folder / "floor.log"),
        ],
    }
    seconds = {}
    for name, cmd in cmds.items():
        started = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        seconds[name] = time.perf_counter() - started
    return seconds


def crawl_seconds(port: int, first: str) -> tuple[float, int, int]:
    """Follow ``next`` links from ``first`` with plain HTTP and JSON parsing, no GDAL.

    Asks for gzip as GDAL does (``Accept-Encoding: gzip``), so the server's compression
    is counted. Returns seconds, pages and features: the server's share of a full copy.
    """
    started, pages, features, path = time.perf_counter(), 0, 0, first
    while path:
        status, body = get("127.0.0.1", port, path, gzipped=True)
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
        page = json.loads(body)
        pages, features = pages + 1, features + len(page["features"])
        nxt = next((lk["href"] for lk in page["links"] if lk["rel"] == "next"), None)
        nxt = nxt if page["features"] else None  # like GDAL: an empty page ends the copy
        path = urlsplit(nxt)._replace(scheme="", netloc="").geturl() if nxt else None
    return time.perf_counter() - started, pages, features
