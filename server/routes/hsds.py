"""Read-only HSDS 3.0 API under ``/hsds/`` (paths and paging as in the specification's OpenAPI).

Public records only, built exactly as the public HSDS export (``export_rows`` with the role
``publiek``: confidential locations at their buurt, no contact persons), whoever asks.
Lists are paged with ``page`` (from 1) and ``per_page`` (1 to 500); a bad value is a 400.
"""

from __future__ import annotations

import threading
from collections import defaultdict

import sqlalchemy as sa
from flask import Blueprint, jsonify, request

from geo.records.export import export_rows
from geo.records.hsds_write import hsds_document
from layers.cache import VERSION_SQL
from server.database import get_read_engine
from server.responses import absolute, problem

bp = Blueprint("hsds", __name__, url_prefix="/hsds")
PER_PAGE, MAX_PER_PAGE = 50, 500
# Children nested in an object: (table, reference to the parent, field name).
CHILDREN = {
    "organization": (
        ("phone", "organization_id", "phones"),
        ("organization_identifier", "organization_id", "organization_identifiers"),
    ),
    "service": (
        ("phone", "service_id", "phones"),
        ("schedule", "service_id", "schedules"),
        ("service_area", "service_id", "service_areas"),
        ("language", "service_id", "languages"),
        ("cost_option", "service_id", "cost_options"),
        ("required_document", "service_id", "required_documents"),
    ),
    "location": (
        ("address", "location_id", "addresses"),
        ("phone", "location_id", "phones"),
        ("schedule", "location_id", "schedules"),
        ("language", "location_id", "languages"),
        ("accessibility", "location_id", "accessibility"),
    ),
    "service_at_location": (
        ("phone", "service_at_location_id", "phones"),
        ("schedule", "service_at_location_id", "schedules"),
    ),
}


class Document:
    """The public HSDS tables with indexes for nesting."""

    def __init__(self, tables: dict[str, list[dict]]):
        self.tables = tables
        self.by_id = {name: {r["id"]: r for r in rows} for name, rows in tables.items()}
        self.index: dict[tuple[str, str], dict[str, list[dict]]] = defaultdict(dict)
        for name, rows in tables.items():
            for row in rows:
                for key, value in row.items():
                    if key.endswith("_id") and key != "taxonomy_id":
                        self.index[(name, key)].setdefault(value, []).append(row)

    def rows(self, table: str, field: str, key: str) -> list[dict]:
        """Rows of ``table`` whose ``field`` is ``key``."""
        return self.index.get((table, field), {}).get(key, [])

    def attributes(self, link_id: str) -> list[dict]:
        """The attributes of an object, each with its taxonomy term."""
        terms = self.by_id.get("taxonomy_term", {})
        return [
            a | {"taxonomy_term": terms.get(a.get("taxonomy_term_id"), {})}
            for a in self.rows("attribute", "link_id", link_id)
        ]

    def nest(self, table: str, row: dict) -> dict:
        """An object with its own children (phones, schedules, addresses, attributes)."""
        out = dict(row)
        for child, ref, field in CHILDREN.get(table, ()):
            out[field] = self.rows(child, ref, row["id"])
        out["attributes"] = self.attributes(row["id"])
        return out

    def service(self, row: dict, full: bool) -> dict:
        """A service; ``full`` adds its organisation and service at locations."""
        out = self.nest("service", row)
        organization = self.by_id.get("organization", {}).get(row.get("organization_id"))
        if organization:
            out["organization"] = self.nest("organization", organization)
        if full:
            out["service_at_locations"] = [
                self.service_at_location(s, with_service=False)
                for s in self.rows("service_at_location", "service_id", row["id"])
            ]
        return out

    def service_at_location(self, row: dict, with_service: bool = True) -> dict:
        """A service at a location, with its location (and service)."""
        out = self.nest("service_at_location", row)
        location = self.by_id.get("location", {}).get(row.get("location_id"))
        if location:
            out["location"] = self.nest("location", location)
        service = self.by_id.get("service", {}).get(row.get("service_id"))
        if with_service and service:
            out["service"] = self.service(service, full=False)
        return out

    def organization(self, row: dict, full: bool) -> dict:
        """An organisation; ``full`` adds its services and locations."""
        out = self.nest("organization", row)
        if full:
            out["services"] = [
                self.service(s, full=False)
                for s in self.rows("service", "organization_id", row["id"])
            ]
            out["locations"] = [
                self.nest("location", x)
                for x in self.rows("location", "organization_id", row["id"])
            ]
        return out


# The tables the export reads; their data_versie counters (migration 0009) key the cache.
TABLES = ["organisatie", "aanbod", "locatie", "aanbod_locatie", "aanbod_thema"]
TABLES += ["aanbod_doelgroep", "gebied", "thema", "doelgroep"]
_cache: dict[str, tuple[int, Document]] = {}
_lock = threading.Lock()


def _document() -> Document:
    """The public HSDS document, rebuilt only after a write to the tables it reads."""
    with get_read_engine().connect() as conn:
        version = conn.execute(sa.text(f"SELECT {VERSION_SQL}"), {"tables": TABLES}).scalar()
        with _lock:
            cached = _cache.get(conn.engine.url.render_as_string())
        if cached and version is not None and cached[0] == version:
            return cached[1]
        document = Document(hsds_document(export_rows(conn, role="publiek")))
    if version is not None:
        with _lock:
            _cache[conn.engine.url.render_as_string()] = (version, document)
    return document


def _page_params() -> tuple[int, int] | None:
    values = []
    for name, default, high in (("page", 1, 10**6), ("per_page", PER_PAGE, MAX_PER_PAGE)):
        raw = request.args.get(name, str(default)).strip()
        if not raw.isdigit() or not 1 <= int(raw) <= high:
            return None
        values.append(int(raw))
    return values[0], values[1]


def _paged(items: list, render) -> object:
    params = _page_params()
    if params is None:
        return problem(
            400,
            "Ongeldige parameter",
            f"page moet een heel getal vanaf 1 zijn en per_page een heel getal van 1 tot "
            f"en met {MAX_PER_PAGE}.",
        )
    page, size = params
    total_pages = max(1, -(-len(items) // size))
    contents = [render(item) for item in items[(page - 1) * size : page * size]]
    return jsonify(
        {
            "total_items": len(items),
            "total_pages": total_pages,
            "page_number": page,
            "size": size,
            "first_page": page == 1,
            "last_page": page >= total_pages,
            "empty": not contents,
            "contents": contents,
        }
    )


def _one(doc: Document, table: str, key: str, render):
    row = doc.by_id.get(table, {}).get(key)
    if row is None:
        return problem(404, "Niet gevonden", f"Er is geen openbaar record met id {key[:80]}.")
    return jsonify(render(row))


@bp.get("/")
def meta():
    """The API's description (``base`` in the specification)."""
    return jsonify(
        {
            "version": "3.0",
            "profile": "https://docs.openreferral.org/en/latest/hsds/",
            "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
            "services": absolute("/hsds/services"),
        }
    )


@bp.get("/services")
def services():
    """Public services, paged, each with its organisation."""
    doc = _document()
    return _paged(doc.tables.get("service", []), lambda r: doc.service(r, full=False))


@bp.get("/services/<key>")
def service(key: str):
    """One public service with its organisation, locations, phones and schedules."""
    doc = _document()
    return _one(doc, "service", key, lambda r: doc.service(r, full=True))


@bp.get("/organizations")
def organizations():
    """Public organisations, paged."""
    doc = _document()
    return _paged(doc.tables.get("organization", []), lambda r: doc.organization(r, full=False))


@bp.get("/organizations/<key>")
def organization(key: str):
    """One public organisation with its services and locations."""
    doc = _document()
    return _one(doc, "organization", key, lambda r: doc.organization(r, full=True))


@bp.get("/service_at_locations")
def service_at_locations():
    """Public services at their locations, paged."""
    doc = _document()
    return _paged(doc.tables.get("service_at_location", []), doc.service_at_location)


@bp.get("/service_at_locations/<key>")
def service_at_location(key: str):
    """One public service at a location, with both."""
    doc = _document()
    return _one(doc, "service_at_location", key, doc.service_at_location)


@bp.get("/taxonomies")
def taxonomies():
    """The taxonomies the public records use (ours: themes, doelgroepen, traits)."""
    return _paged(_document().tables.get("taxonomy", []), dict)


@bp.get("/taxonomies/<key>")
def taxonomy(key: str):
    """One taxonomy."""
    return _one(_document(), "taxonomy", key, dict)


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    """The taxonomy terms the public records use, of any taxonomy."""
    return _paged(_document().tables.get("taxonomy_term", []), dict)


@bp.get("/taxonomy_terms/<key>")
def taxonomy_term(key: str):
    """One taxonomy term."""
    return _one(_document(), "taxonomy_term", key, dict)
