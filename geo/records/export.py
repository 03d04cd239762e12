"""Export records as flat CSV (the import format) or HSDS 3; re-importing gives the same records.

Contact persons (``contactpersoon``) are never exported. Coordinates appear as ``lat``/``lon``
only for manually placed locations (so a re-import keeps them manual); every row carries
``geocode_precisie`` and the point actually shown (``kaart_lat``/``kaart_lon``).

For the public role (``publiek``) confidential locations are generalised exactly as in the
OGC layer ``laag_voorzieningen``: the buurt's inner point with precision ``buurt``, no
location name, street, house number, postcode or manual coordinates, and opaque ids for the
location and the row. Professionals and administrators get the exact data.

Every row names its source (``bron``), so an export of several sources re-imports each
record under its own source. ``telefoon`` is the number to call at the row's location (its
own, else the organisation's); ``organisatie_telefoon`` is the organisation's own number.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from geo.accounts import ROLE_VISIBILITY
from geo.csvcells import SafeDictWriter
from geo.records.columns import COLUMNS
from geo.records.hsds_write import write_hsds
from geo.sqlfiles import named

EXTRA_COLUMNS = (
    "geocode_precisie",
    "geocode_bron",
    "buurtcode",
    "wijkcode",
    "gemeentecode",
    "kaart_lat",
    "kaart_lon",
)
# Roles that see confidential locations only generalised (at their buurt, without address).
GENERALISED_ROLES = {"publiek"}


def export_rows(
    conn: sa.Connection,
    role: str = "publiek",
    bron: str | None = None,
    gemeentecode: str | None = None,
) -> list[dict]:
    """Rows (one per service at a location) that ``role`` may see, as dicts."""
    params = {
        "zichtbaarheid": list(ROLE_VISIBILITY[role]),
        "bron": bron,
        "gemeentecode": gemeentecode,
        "generalise": role in GENERALISED_ROLES,
    }
    rows = conn.execute(named("export.sql")["rows"], params).mappings().all()
    return [{k: ("" if v is None else str(v)) for k, v in row.items()} for row in rows]


def write_csv(rows: list[dict], path: Path) -> int:
    """Write rows in the flat import format (UTF-8, comma separated). Returns the row count."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = SafeDictWriter(
            handle, fieldnames=list(COLUMNS) + list(EXTRA_COLUMNS), extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def export_file(conn: sa.Connection, path: Path, fmt: str | None = None, **filters) -> int:
    """Export to ``path``: ``.csv`` flat, ``.json`` HSDS 3 tabular JSON. Returns row count."""
    path = Path(path)
    fmt = fmt or ("hsds" if path.suffix.lower() == ".json" else "csv")
    rows = export_rows(conn, **filters)
    if fmt == "hsds":
        write_hsds(rows, path)
        return len(rows)
    return write_csv(rows, path)
