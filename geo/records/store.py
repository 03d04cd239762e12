"""Write validated records set-based: COPY to a staging table, geocode, upsert, count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import psycopg
import sqlalchemy as sa

from geo import geocode
from geo.records.duplicates import find_duplicates
from geo.records.validate import Reject
from geo.sqlfiles import named, script

STAGE_COLUMNS = (
    "line",
    "row_key",
    "org_key",
    "organisatie",
    "kvk",
    "omschrijving",
    "telefoon",  # the row's (location's) number
    "org_telefoon",  # the organisation's own number ('' = the file says it has none)
    "email",
    "website",
    "zichtbaarheid",
    "laatst_geverifieerd_op",
    "synthetisch",
    "aanbod_key",
    "aanbod",
    "aanbod_omschrijving",
    "themas",
    "doelgroepen",
    "openingstijden",
    "kosten",
    "aanmelden",
    "voorwaarden",
    "talen",
    "capaciteit",
    "loc_key",
    "locatie_naam",
    "straat",
    "huisnummer",
    "huisletter",
    "toevoeging",
    "postcode",
    "plaats",
    "lon",
    "lat",
    "x",
    "y",
    "vertrouwelijk",
    "toegankelijkheid",
    # HSDS fields without a column of their own (JSON, None for flat files), see validate.py
    "org_hsds",
    "aanbod_hsds",
    "loc_hsds",
    "sal_hsds",
    "contactpersonen",
    "werkgebied",
    "thema_voorstel",
    "thema_reden",
)
# The list fields of a record (always lists, see validate_row), written as text[] literals.
ARRAY_POSITIONS = tuple(
    STAGE_COLUMNS.index(c) for c in ("themas", "doelgroepen", "talen", "werkgebied")
)
# The link tables of a service's themes and doelgroepen: (table, slug column, soort).
TAXONOMY_LINKS = (
    ("aanbod_thema", "thema_slug", "thema"),
    ("aanbod_doelgroep", "doelgroep_slug", "doelgroep"),
)
Progress = Callable[[str], None]
ANALYZE_ABOVE = 1000  # records of one import above which statistics are renewed mid-import
STAGING_DROP = "DROP TABLE IF EXISTS record_stage, changed, geocode_stage, stage_gebied, wanted"


def _array(values: list[str]) -> str:
    """A text[] literal; psycopg's list adapter took a third of the COPY time."""
    quoted = (v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return "{" + ",".join(f'"{v}"' for v in quoted) + "}"


def _copy_records(conn: sa.Connection, records: list[dict]) -> None:
    """COPY is an order of magnitude faster than INSERT for 100,000 rows."""
    raw = cast(psycopg.Connection, conn.connection.driver_connection)
    columns = ", ".join(STAGE_COLUMNS)
    with raw.cursor().copy(f"COPY record_stage ({columns}) FROM STDIN") as copy:
        for record in records:
            row: list[Any] = [record.get(c) for c in STAGE_COLUMNS]
            for i in ARRAY_POSITIONS:
                row[i] = _array(row[i] or [])
            copy.write_row(row)


def _upsert(conn: sa.Connection, sql: dict, bron: str, many: bool) -> None:
    """The upserts in order, each one statement over the whole import.

    ``many``: the import is large enough that the statements after the upsert of the
    locations should plan with renewed statistics.
    """
    steps = ("area_codes", "organisations", "contacts", "services", "theme_mixed")
    for step in (*steps, "theme_decided", "taxonomy_wanted"):
        conn.execute(sql[step], {"bron": bron})
    for table, column, kind in TAXONOMY_LINKS:
        links = sql["taxonomy_links"].text.format(links=table, slug=column)
        conn.execute(sa.text(links), {"soort": kind})
    for step in ("theme_dropped", "theme_proposals"):
        conn.execute(sql[step], {"bron": bron})
    for step in ("locations", "links"):
        conn.execute(sql[step], {"bron": bron})
    if many:
        # These rows were written in this transaction, where autovacuum cannot see them:
        # without fresh statistics the planner expects the tables as they were before, and
        # the duplicate check compared every nearby pair by nested loops over the id list
        # (43 s instead of 0.3 s for 20,000 rows, quadratic in the import's size).
        conn.exec_driver_sql("ANALYZE organisatie")
        conn.exec_driver_sql("ANALYZE locatie")
    conn.execute(sql["search_documents"], {"bron": bron})


def store_records(
    conn: sa.Connection,
    records: list[dict],
    bron: str,
    *,
    online: Callable | None = None,
    region_buffer_m: float = 5000.0,
    progress: Progress = lambda step: None,
) -> dict:
    """Geocode and upsert validated records inside the caller's transaction.

    The upserts run in bulk mode (migration 0010): they write the area codes of new
    locations and the search documents of the touched services themselves, set-based,
    instead of leaving them to the row and commit triggers.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a transaction; the caller commits (or rolls back on error).
    records : list of dict
        Output of ``validate_row`` with unique ``row_key``.
    bron : str
        Source name; (bron, bron_id) makes re-imports update instead of duplicate.
    online : callable, optional
        Online geocoder adapter (e.g. ``geo.pdok.Locatieserver``) for what stays unresolved.

    Returns
    -------
    dict
        ``status`` counts (nieuw / gewijzigd / ongewijzigd), ``themes_proposed`` (services
        of this file whose proposed theme waits for an editor), geocoding ``rejects``
        (line, reason), ``geocoding`` counts and probable ``duplicates``.
    """
    sql = named("import_upsert.sql")
    conn.execute(sql["bulk_on"], {"who": f"import:{bron}"})
    conn.exec_driver_sql(script("import_stage.sql"))
    progress("Records klaarzetten")
    _copy_records(conn, records)
    # Temp tables have no statistics otherwise; the keys are what the upserts join on.
    conn.exec_driver_sql("ANALYZE record_stage (line, row_key, org_key, aanbod_key, loc_key)")
    geocode.create_stage(conn)
    conn.execute(sql["geocode_input"])
    conn.exec_driver_sql("ANALYZE geocode_stage")
    progress("Adressen op de kaart zetten")
    geocoding = geocode.geocode_stage(conn, region_buffer_m=region_buffer_m, online=online)
    rejects = [
        Reject(line, "postcode", reason)
        for line, reason in conn.execute(sql["geocode_rejects"]).all()
    ]
    conn.exec_driver_sql("CREATE INDEX ON geocode_stage USING gist (geom)")  # for area_codes
    progress("Organisaties, aanbod en locaties opslaan")
    _upsert(conn, sql, bron, len(records) > ANALYZE_ABOVE)
    conn.execute(sql["bulk_off"])
    status: dict[str, int] = {kind: n for kind, n in conn.execute(sql["row_status"])}
    progress("Mogelijke dubbelingen zoeken")
    touched = (
        conn.execute(
            sa.text(
                "SELECT o.id FROM changed c JOIN organisatie o "
                "ON o.bron = :bron AND o.bron_id = c.key WHERE c.kind = 'organisatie'"
            ),
            {"bron": bron},
        )
        .scalars()
        .all()
    )
    result = {
        "status": status,
        "themes_proposed": conn.execute(sql["theme_open"], {"bron": bron}).scalar_one(),
        "rejects": sorted(rejects, key=lambda r: r.line),
        "geocoding": geocoding,
        "duplicates": find_duplicates(conn, list(touched)),
    }
    # The staging tables go now rather than at commit, so the next source of the same file
    # (an export of several sources) can be stored in the same transaction.
    conn.exec_driver_sql(STAGING_DROP)
    return result
