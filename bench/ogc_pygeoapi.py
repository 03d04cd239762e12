"""pygeoapi for the layer-service benchmark: its own venv, a generated config and OpenAPI.

The venv (default ``var/bench-pygeoapi-venv``) is created on first use with the current
pygeoapi release from PyPI; the config publishes ``bench_voorzieningen`` as collection
``bench`` through pygeoapi's PostgreSQL provider (storage CRS RD New, pages up to 10 000).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
RD = "http://www.opengis.net/def/crs/EPSG/0/28992"
# pygeoapi's PostgreSQL provider needs GeoAlchemy2 and psycopg2, which it does not pull in.
PACKAGES = ("pygeoapi", "psycopg2-binary", "GeoAlchemy2", "gunicorn")


def ensure_venv(venv: Path) -> Path:
    """The venv's python, creating the venv and installing pygeoapi when missing."""
    python = venv / "bin" / "python"
    ready = (
        subprocess.run(
            [str(python), "-c", "import pygeoapi, geoalchemy2, psycopg2, gunicorn"],
            capture_output=True,
        ).returncode
        == 0
        if python.exists()
        else False
    )
    if not ready:
        print(f"creating {venv} ({', '.join(PACKAGES)} from PyPI) ...", flush=True)
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PACKAGES], check=True)
    return python


def version(venv: Path) -> str:
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import pygeoapi; print(pygeoapi.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def write_config(
    folder: Path,
    url: sa.URL,
    port: int,
    properties: list[str],
    bbox: tuple[float, float, float, float],
    table: str,
) -> tuple[Path, Path]:
    """Config YAML (written as JSON, which YAML reads) and the path for its OpenAPI."""
    host = url.query.get("host") or url.host or "localhost"
    config = {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": f"http://127.0.0.1:{port}",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "gzip": False,
            "language": "en-US",
            "cors": False,
            "pretty_print": False,
            "limits": {"default_items": 10, "max_items": 10000},
            "map": {
                "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                "attribution": "OpenStreetMap",
            },
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "bench",
                "description": "Sociale Kaart bench",
                "keywords": ["bench"],
                "keywords_type": "theme",
                "terms_of_service": "https://example.org",
                "url": "https://example.org",
            },
            "license": {"name": "CC-BY 4.0", "url": "https://example.org"},
            "provider": {"name": "bench", "url": "https://example.org"},
            "contact": {"name": "bench"},
        },
        "resources": {
            "bench": {
                "type": "collection",
                "title": "Bench",
                "description": "50.000 punten",
                "keywords": ["bench"],
                "links": [],
                "extents": {"spatial": {"bbox": list(bbox), "crs": CRS84}},
                "providers": [
                    {
                        "type": "feature",
                        "name": "PostgreSQL",
                        "data": {
                            "host": host,
                            "port": int(url.query.get("port") or url.port or 5432),
                            "dbname": url.database,
                            "user": url.username,
                            "search_path": ["public"],
                        },
                        "id_field": "id",
                        "table": table,
                        "geom_field": "geom",
                        "storage_crs": RD,
                        "crs": [CRS84, RD],
                        # The same published properties as our collection (no zichtbaarheid).
                        "properties": properties,
                    }
                ],
            },
        },
    }
    cfg = folder / "pygeoapi-config.yml"
    cfg.write_text(json.dumps(config, indent=1))
    return cfg, folder / "pygeoapi-openapi.yml"


def generate_openapi(venv: Path, cfg: Path, openapi: Path) -> None:
    result = subprocess.run(
        [
            str(venv / "bin" / "pygeoapi"),
            "openapi",
            "generate",
            str(cfg),
            "--output-file",
            str(openapi),
        ],
        capture_output=True,
        text=True,
        env={
            "PYGEOAPI_CONFIG": str(cfg),
            "PYGEOAPI_OPENAPI": str(openapi),
            "PATH": "/usr/bin:/bin",
        },
    )
    if result.returncode != 0 or not openapi.exists():
        raise RuntimeError(f"pygeoapi openapi generate failed: {result.stderr[-2000:]}")
