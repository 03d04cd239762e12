"""Bench data for the layer-service benchmark: a plain table of synthetic voorzieningen.

``bench_voorzieningen`` has the columns of ``laag_voorzieningen`` (minus the array columns
``themas``/``doelgroepen``, which pygeoapi's SQL provider cannot reflect usefully), an
integer primary key and a GiST index. The points are synthetic BAG addresses, placed in
Zuid-Limburg buurten in proportion to population (``demo.synthetic_bag``); the property
values come from the demo generator (``demo.synthetic``). The view ``laag_bench`` publishes
the table in our catalogue as collection ``bench``.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from demo.synthetic import read_buurten, read_taxonomy, records_for
from demo.synthetic_bag import read_pc4, synthetic_addresses

TABLE = "bench_voorzieningen"
VIEW = "laag_bench"
COLLECTION = "bench"
# The view's columns in order, without the arrays; types are taken from the view itself.
COLUMNS = [
    "id",
    "organisatie_id",
    "organisatie",
    "aanbod",
    "omschrijving",
    "thema",
    "doelgroep",
    "straat",
    "huisnummer",
    "postcode",
    "plaats",
    "telefoon",
    "email",
    "website",
    "openingstijden",
    "kosten",
    "aanmelden",
    "toegankelijkheid",
    "geocode_precisie",
    "geocode_bron",
    "buurtcode",
    "wijkcode",
    "gemeentecode",
    "bron",
    "synthetisch",
    "laatst_geverifieerd_op",
    "vertrouwelijk",
    "zichtbaarheid",
    "geom",
]


def bench_rows(n: int, seed: int) -> pd.DataFrame:
    """``n`` rows in the column order of COLUMNS (geom as EWKT), reproducible for a seed."""
    buurten = read_buurten()
    themes, groups = read_taxonomy()
    addresses = synthetic_addresses(
        buurten, int(n * 1.2) + 1000, seed, pc4=read_pc4(), with_buurt=True
    )
    records = records_for(addresses, n, seed, themes, groups, buurten)
    records["pc"] = records["postcode"].str.replace(" ", "", regex=False)
    records["nr"] = records["huisnummer"].astype(int)
    where = addresses.rename(columns={"postcode": "pc", "huisnummer": "nr"})
    merged = records.merge(
        where[["pc", "nr", "huisletter", "toevoeging", "x", "y", "buurtcode"]],
        on=["pc", "nr", "huisletter", "toevoeging"],
        how="left",
        validate="many_to_one",
    )
    if merged["x"].isna().any():
        raise RuntimeError("bench data: a record did not find its address")
    secret = merged["vertrouwelijk"].eq("ja")
    house = (
        merged["huisnummer"]
        + merged["huisletter"]
        + merged["toevoeging"].where(merged["toevoeging"] == "", "-" + merged["toevoeging"])
    )
    out = pd.DataFrame(
        {
            "id": range(1, len(merged) + 1),
            "organisatie_id": merged["organisatie_id"].str.removeprefix("syn-").astype(int),
            "organisatie": merged["organisatie"],
            "aanbod": merged["aanbod"],
            "omschrijving": merged["aanbod_omschrijving"].where(
                merged["aanbod_omschrijving"] != "", merged["omschrijving"]
            ),
            "thema": merged["thema"],
            "doelgroep": merged["doelgroep"],
            "straat": merged["straat"].mask(secret),
            "huisnummer": house.mask(secret),
            "postcode": merged["postcode"].mask(secret),
            "plaats": merged["plaats"],
            "telefoon": merged["telefoon"],
            "email": merged["email"],
            "website": merged["website"],
            "openingstijden": merged["openingstijden"],
            "kosten": merged["kosten"],
            "aanmelden": merged["aanmelden"],
            "toegankelijkheid": merged["toegankelijkheid"],
            "geocode_precisie": pd.Series("adres", index=merged.index).mask(secret, "buurt"),
            "geocode_bron": "bag",
            "buurtcode": merged["buurtcode"],
            "wijkcode": "WK" + merged["buurtcode"].str[2:8],
            "gemeentecode": "GM" + merged["buurtcode"].str[2:6],
            "bron": "bench",
            "synthetisch": "t",
            "laatst_geverifieerd_op": merged["laatst_geverifieerd"],
            "vertrouwelijk": secret.map({True: "t", False: "f"}),
            "zichtbaarheid": "openbaar",  # all public: our visibility filter runs, keeps all
            "geom": "SRID=28992;POINT("
            + merged["x"].astype(str)
            + " "
            + merged["y"].astype(str)
            + ")",
        }
    )
    out = out[COLUMNS].replace("", None).astype(object)
    return out.where(out.notna(), None)


def create_bench_layer(engine: sa.Engine, n: int, seed: int) -> int:
    """Create and fill the table and its view; returns the number of rows."""
    rows = bench_rows(n, seed)
    with engine.begin() as conn:
        # Identifiers here and below are constants of this module, never input.
        create = f"CREATE TABLE {TABLE} AS SELECT {', '.join(COLUMNS)} FROM laag_voorzieningen"  # noqa: S608
        conn.execute(sa.text(create + " WITH NO DATA"))
        conn.execute(sa.text(f"ALTER TABLE {TABLE} ADD PRIMARY KEY (id)"))
        # Like every table a published layer reads: writes raise its data version.
        conn.execute(sa.text(f"SELECT data_versie_volgen('{TABLE}')"))
    raw = engine.raw_connection()
    try:
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows.itertuples(index=False, name=None):
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE INDEX {TABLE}_geom ON {TABLE} USING gist (geom)"))
        conn.execute(sa.text(f"CREATE VIEW {VIEW} AS SELECT * FROM {TABLE}"))  # noqa: S608
        conn.execute(sa.text(f"COMMENT ON VIEW {VIEW} IS 'Bench|50.000 punten'"))
        count = conn.execute(sa.text(f"SELECT count(*) FROM {TABLE}")).scalar_one()  # noqa: S608
    with engine.begin() as conn:  # Feature text stored at write time, like laag_voorzieningen
        names = {"view": VIEW, "table": TABLE, "ids": "SELECT id FROM %1$s"}
        conn.execute(sa.text("INSERT INTO laag_geojson_bron VALUES (:view, :view)"), names)
        conn.execute(sa.text("SELECT laag_geojson_volgen(:table, :view, :ids)"), names)
        conn.execute(sa.text("SELECT laag_geojson_vernieuwen(:view, NULL)"), names)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f"VACUUM ANALYZE {TABLE}"))
        conn.execute(sa.text("VACUUM ANALYZE laag_geojson"))  # as autovacuum does after a load
        conn.execute(sa.text("ANALYZE"))
    return count


def sample_points_crs84(engine: sa.Engine) -> list[tuple[float, float]]:
    """Every feature's position in lon/lat, ordered by id (centres for bbox requests)."""
    with engine.connect() as conn:
        sql = "SELECT ST_X(g), ST_Y(g) FROM (SELECT id, ST_Transform(geom, 4326) AS g FROM "
        return [(r[0], r[1]) for r in conn.execute(sa.text(sql + TABLE + ") t ORDER BY id"))]


def buurt_extent_crs84(engine: sa.Engine) -> tuple[float, float, float, float]:
    """Bounding box of the loaded buurten in lon/lat."""
    with engine.connect() as conn:
        box = conn.execute(
            sa.text(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                "(SELECT ST_Extent(ST_Transform(geom, 4326))::geometry AS e FROM gebied "
                "WHERE niveau = 'buurt') t"
            )
        ).one()
    return tuple(float(v) for v in box)
