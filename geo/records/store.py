"""Write validated records set-based: COPY to a staging table, geocode, upsert, count."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from geo import geocode
from geo.records.duplicates import find_duplicates
from geo.records.validate import Reject
from geo.sqlfiles import named, script

STAGE_COLUMNS = (
    "line", "row_key", "org_key", "organisatie", "kvk", "omschrijving", "telefoon", "email",
    "website", "zichtbaarheid", "laatst_geverifieerd_op", "synthetisch", "aanbod_key",
    "aanbod", "aanbod_omschrijving", "themas", "doelgroepen", "openingstijden", "kosten",
    "aanmelden", "voorwaarden", "talen", "capaciteit", "loc_key", "locatie_naam", "straat",
    "huisnummer", "huisletter", "toevoeging", "postcode", "plaats", "lon", "lat", "x", "y",
    "vertrouwelijk", "toegankelijkheid",
)
STEPS = ("geocode_input", "organisations", "services", "taxonomy_wanted", "theme_links",
         "group_links", "locations", "links")
Progress = Callable[[str], None]


def _copy_records(conn: sa.Connection, records: list[dict]) -> None:
    """COPY is an order of magnitude faster than INSERT for 100,000 rows."""
    raw = conn.connection.driver_connection
    columns = ", ".join(STAGE_COLUMNS)
    with raw.cursor().copy(f"COPY record_stage ({columns}) FROM STDIN") as copy:
        for record in records:
            copy.write_row([record.get(c) for c in STAGE_COLUMNS])


def store_records(
    conn: sa.Connection, records: list[dict], bron: str, *,
    online: Callable | None = None, region_buffer_m: float = 5000.0,
    progress: Progress = lambda step: None,
) -> dict:
    """Geocode and upsert validated records inside the caller's transaction.

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
        ``status`` counts (nieuw / gewijzigd / ongewijzigd), geocoding ``rejects``
        (line, reason), ``geocoding`` counts and probable ``duplicates``.
    """
    sql = named("import_upsert.sql")
    conn.execute(sa.text("SELECT set_config('sociale_kaart.gebruiker', :who, true)"),
                 {"who": f"import:{bron}"})
    conn.exec_driver_sql(script("import_stage.sql"))
    progress("Records klaarzetten")
    _copy_records(conn, records)
    conn.exec_driver_sql("ANALYZE record_stage")  # temp tables have no statistics otherwise
    geocode.create_stage(conn)
    conn.execute(sql["geocode_input"])
    conn.exec_driver_sql("ANALYZE geocode_stage")
    progress("Adressen op de kaart zetten")
    geocoding = geocode.geocode_stage(conn, region_buffer_m=region_buffer_m, online=online)
    rejects = [Reject(line, "postcode", reason) for line, reason in
               conn.execute(sql["geocode_rejects"]).all()]
    progress("Organisaties, aanbod en locaties opslaan")
    for step in STEPS[1:]:
        conn.execute(sql[step], {"bron": bron})
    status = dict(conn.execute(sql["row_status"]).all())
    progress("Mogelijke dubbelingen zoeken")
    touched = conn.execute(sa.text(
        "SELECT o.id FROM changed c JOIN organisatie o ON o.bron = :bron AND o.bron_id = c.key "
        "WHERE c.kind = 'organisatie'"), {"bron": bron}).scalars().all()
    return {"status": status, "rejects": sorted(rejects, key=lambda r: r.line),
            "geocoding": geocoding, "duplicates": find_duplicates(conn, list(touched))}
