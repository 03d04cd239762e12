"""Optional: BAG addresses and CBS areas of one gemeente from PDOK's OGC API – Features.

Off by default: only ``sociale-kaart geocode pdok-ophalen`` calls it, and it needs a
network. It talks to the APIs through OWSLib (``owslib.ogcapi.features.Features``) and
follows the ``next`` links page by page (PDOK pages with a cursor, not an offset: the
``next`` link's query parameters are passed on as they are).

- CBS areas: collections ``gemeenten``, ``wijken`` and ``buurten`` of the Wijken en Buurten
  API, filtered on ``gemeentecode``, written to GeoJSON files and loaded with
  ``geo.area_store.load_areas`` (as ``areas load`` does).
- BAG addresses: collection ``verblijfsobject`` of the BAG API, asked for the gemeente's
  bounding box (CRS84), kept when inside the gemeente, written to a CSV in the shape of
  ``geocode load-bag`` and loaded with ``geo.bag_loader.load_bag``.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import shapely
import sqlalchemy as sa
from owslib.ogcapi.features import Features
from pyproj import Transformer

from geo.area_store import load_areas
from geo.areas import LEVELS, AreaSources
from geo.bag_files import BAG_COLUMNS
from geo.bag_loader import load_bag
from geo.errors import GeoError

BAG_URL = "https://api.pdok.nl/kadaster/bag/ogc/v2"
CBS_URL = "https://api.pdok.nl/cbs/wijken-en-buurten-2024/ogc/v1"
BAG_COLLECTION = "verblijfsobject"
AREA_COLLECTIONS = {"gemeente": "gemeenten", "wijk": "wijken", "buurt": "buurten"}
PAGE = 1000  # features per request (PDOK allows up to 1000)
BAG_BRON = "PDOK BAG OGC API"
# BAG property -> our column (the verblijfsobject's hoofdadres).
BAG_PROPERTIES = {
    "postcode": "postcode",
    "huisnummer": "huisnummer",
    "huisletter": "huisletter",
    "toevoeging": "toevoeging",
    "openbare_ruimte_naam": "straat",
    "woonplaats_naam": "woonplaats",
}
GEMEENTE = sa.text(
    "SELECT ST_AsBinary(geom) AS rd, ST_XMin(b) AS x0, ST_YMin(b) AS y0, ST_XMax(b) AS x1, "
    "ST_YMax(b) AS y1 FROM (SELECT geom, ST_Transform(geom, 4326)::box2d AS b FROM gebied "
    "WHERE niveau = 'gemeente' AND code = :code) g"
)

Progress = Callable[[str, int, int | None], None]


class PdokError(GeoError):
    """PDOK could not be asked, or answered something we cannot use; nothing was changed."""


def _connect(url: str, timeout: float) -> Features:
    try:
        return Features(url, timeout=int(timeout))
    except Exception as exc:  # requests raises many kinds (connection, HTTP, JSON)
        raise PdokError(f"De OGC API {url} is niet bereikbaar: {exc}") from exc


def items(
    api: Features, collection: str, params: dict, progress: Progress = lambda *a: None
) -> Iterator[dict]:
    """Every feature of ``collection`` for ``params``, following the ``next`` links.

    Raises
    ------
    PdokError
        When a page cannot be fetched or is not a FeatureCollection.
    """
    query: dict = {"f": "json", "limit": PAGE, **params}
    done = 0
    while True:
        try:
            page = api.collection_items(collection, **query)
        except Exception as exc:  # requests/OWSLib raise several kinds
            raise PdokError(f"Pagina van {collection} niet opgehaald: {exc}") from exc
        features = page.get("features") if isinstance(page, dict) else None
        if not isinstance(features, list):
            raise PdokError(f"Het antwoord voor {collection} is geen FeatureCollection.")
        yield from features
        done += len(features)
        progress(collection, done, page.get("numberMatched"))
        link = next((ln for ln in page.get("links", []) if ln.get("rel") == "next"), None)
        if link is None or not features:
            return
        query = dict(parse_qsl(urlsplit(link["href"]).query))
        if "bbox" in query:  # OWSLib joins a bbox list itself
            query["bbox"] = query["bbox"].split(",")


def fetch_areas(
    engine: sa.Engine,
    gemeente: str,
    url: str = CBS_URL,
    year: int = 2024,
    progress: Progress = lambda *a: None,
    timeout: float = 60,
) -> dict:
    """Load the gemeente, its wijken and buurten from the CBS Wijken en Buurten API.

    Returns
    -------
    dict
        The summary of ``geo.area_store.load_areas``.
    """
    api = _connect(url, timeout)
    with tempfile.TemporaryDirectory(prefix="pdok-gebieden-") as folder:
        files = {}
        for level in LEVELS:
            collection = AREA_COLLECTIONS[level]
            found = list(items(api, collection, {"gemeentecode": gemeente}, progress))
            if not found:
                raise PdokError(f"{collection}: niets gevonden voor gemeentecode {gemeente}.")
            files[level] = Path(folder) / f"{collection}.geojson"
            files[level].write_text(
                json.dumps({"type": "FeatureCollection", "features": found}), encoding="utf-8"
            )
        sources = AreaSources(
            files=files,
            years=dict.fromkeys(LEVELS, year),
            source=f"CBS Wijken en Buurten {year} via PDOK OGC API ({url})",
        )
        return load_areas(engine, sources)


def _gemeente(engine: sa.Engine, gemeente: str) -> tuple[shapely.Geometry, list[float]]:
    with engine.connect() as conn:
        row = conn.execute(GEMEENTE, {"code": gemeente}).mappings().one_or_none()
    if row is None:
        raise PdokError(
            f"Gemeente {gemeente} is niet geladen; laad eerst de gebieden "
            "(areas load, of pdok-ophalen met --gebieden)."
        )
    area = shapely.from_wkb(bytes(row["rd"]))
    shapely.prepare(area)
    return area, [row["x0"], row["y0"], row["x1"], row["y1"]]


def _row(feature: dict, to_rd: Transformer) -> list[str] | None:
    """One CSV row (BAG_COLUMNS) of a verblijfsobject; None without a point."""
    geometry, props = feature.get("geometry") or {}, feature.get("properties") or {}
    coordinates = geometry.get("coordinates") if geometry.get("type") == "Point" else None
    if not coordinates or len(coordinates) < 2:
        return None
    x, y = to_rd.transform(float(coordinates[0]), float(coordinates[1]))
    cells = {ours: props.get(theirs) for theirs, ours in BAG_PROPERTIES.items()}
    text = {k: "" if v is None else str(v) for k, v in cells.items()}
    return [*(text[c] for c in BAG_COLUMNS[:6]), f"{x:.3f}", f"{y:.3f}"]


def fetch_addresses(
    engine: sa.Engine,
    gemeente: str,
    url: str = BAG_URL,
    progress: Progress = lambda *a: None,
    timeout: float = 60,
    bron: str = BAG_BRON,
) -> dict:
    """Load the BAG addresses (verblijfsobjecten) inside a loaded gemeente.

    Returns
    -------
    dict
        The summary of ``geo.bag_loader.load_bag`` plus ``opgehaald`` (features fetched)
        and ``buiten_gemeente`` (fetched for the bounding box but outside the gemeente,
        or without a point).
    """
    area, bbox = _gemeente(engine, gemeente)
    api = _connect(url, timeout)
    to_rd = Transformer.from_crs("OGC:CRS84", "EPSG:28992", always_xy=True)
    fetched = outside = 0
    with tempfile.TemporaryDirectory(prefix="pdok-bag-") as folder:
        path = Path(folder) / f"bag_{gemeente}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(BAG_COLUMNS)
            for feature in items(api, BAG_COLLECTION, {"bbox": bbox}, progress):
                fetched += 1
                row = _row(feature, to_rd)
                if row is None or not area.contains(shapely.Point(float(row[6]), float(row[7]))):
                    outside += 1
                    continue
                writer.writerow(row)
        summary = load_bag(engine, path, bron=bron)
    return summary | {"opgehaald": fetched, "buiten_gemeente": outside}
