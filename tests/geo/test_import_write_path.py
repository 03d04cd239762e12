"""The import's write path (migration 0023, issue 12): a statement that changes most of a
layer marks the whole layer for one pass at commit instead of queueing every id, and the
search documents of many services are built from each distinct text once. Both store
exactly what the one-row paths store."""

import pytest
import sqlalchemy as sa

from layers.catalog import load_catalog
from layers.crs import CRS84
from layers.features import feature_sql

# The search document of migration 0018, one service at a time (the reference).
SEARCH_DOCUMENT_0018 = """
SELECT a.id,
       setweight(to_tsvector('zoeken_nl', a.naam || ' ' || o.naam), 'A')
    || setweight(to_tsvector('zoeken_nl', coalesce(a.omschrijving, '')), 'B')
    || setweight(to_tsvector('zoeken_nl', concat_ws(' ', o.omschrijving,
           (SELECT string_agg(t.naam, ' ') FROM aanbod_thema at
              JOIN thema t ON t.slug = at.thema_slug WHERE at.aanbod_id = a.id),
           (SELECT string_agg(d.naam, ' ') FROM aanbod_doelgroep ad
              JOIN doelgroep d ON d.slug = ad.doelgroep_slug WHERE ad.aanbod_id = a.id))),
           'C')
    || setweight(array_to_tsvector(ARRAY(
           SELECT 'thema:' || at.thema_slug FROM aanbod_thema at WHERE at.aanbod_id = a.id)),
           'D') AS zoektekst,
       zoek_normaal(o.naam || ' ' || a.naam) AS zoeknamen
FROM aanbod a JOIN organisatie o ON o.id = a.organisatie_id
"""


@pytest.fixture(scope="module")
def services(demo_engine):
    with demo_engine.connect() as conn:
        return load_catalog(conn)["voorzieningen"]


def _differences(conn, services) -> int:
    return (
        conn.execute(
            sa.text(
                f"SELECT count(*) FROM (SELECT id, {feature_sql(services, CRS84)} AS f, "
                "zichtbaarheid::text AS z, gemeentecode, wijkcode, buurtcode "
                "FROM laag_voorzieningen) v FULL JOIN (SELECT * FROM laag_geojson "
                "WHERE laag = 'laag_voorzieningen') g ON g.id = v.id "
                "WHERE (v.f, v.z, v.gemeentecode, v.wijkcode, v.buurtcode) IS DISTINCT FROM "
                "(g.feature, g.zichtbaarheid, g.gemeentecode, g.wijkcode, g.buurtcode)"
            )
        ).scalar_one()
        + conn.execute(
            sa.text(
                "SELECT count(*) FROM ((SELECT * FROM kaart_punt EXCEPT SELECT * FROM kaart_punt_bron)"
                " UNION ALL (SELECT * FROM kaart_punt_bron EXCEPT SELECT * FROM kaart_punt)) x"
            )
        ).scalar_one()
    )


def _queued(conn) -> tuple[int, int]:
    return (
        conn.execute(sa.text("SELECT count(*) FROM laag_geojson_wachtrij")).scalar_one(),
        conn.execute(sa.text("SELECT count(*) FROM laag_geojson_alles")).scalar_one(),
    )


def test_a_statement_over_most_of_the_layer_marks_the_whole_layer(demo_engine, services):
    with demo_engine.connect() as conn, conn.begin() as tx:
        changed = conn.execute(
            sa.text("UPDATE aanbod_locatie SET zichtbaarheid = 'professional'")
        ).rowcount
        assert changed > 1000
        assert _queued(conn) == (0, 1)  # the whole layer, no ids
        # later statements of the transaction queue nothing for that layer
        conn.execute(
            sa.text("UPDATE aanbod SET kosten = 'gratis' WHERE id = (SELECT min(id) FROM aanbod)")
        )
        assert _queued(conn) == (0, 1)
        conn.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))
        assert _queued(conn) == (0, 0)
        stored = conn.execute(
            sa.text(
                "SELECT count(*) FROM laag_geojson WHERE laag = 'laag_voorzieningen' "
                "AND zichtbaarheid = 'professional'"
            )
        ).scalar_one()
        assert stored > 1000
        assert _differences(conn, services) == 0
        tx.rollback()


def test_a_few_rows_are_still_queued_by_id(demo_engine, services):
    with demo_engine.connect() as conn, conn.begin() as tx:
        conn.execute(
            sa.text(
                "UPDATE aanbod_locatie SET zichtbaarheid = 'professional' "
                "WHERE id IN (SELECT id FROM aanbod_locatie ORDER BY id LIMIT 3)"
            )
        )
        assert _queued(conn) == (3, 0)
        conn.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))
        assert _differences(conn, services) == 0
        tx.rollback()


def test_search_documents_of_many_services_equal_the_one_by_one_build(demo_engine):
    with demo_engine.connect() as conn, conn.begin() as tx:
        conn.execute(sa.text("DELETE FROM zoekdocument"))
        conn.execute(sa.text("SELECT zoekdocument_bijwerken(ARRAY(SELECT id FROM aanbod))"))
        differ = conn.execute(
            sa.text(
                f"SELECT count(*) FROM ({SEARCH_DOCUMENT_0018}) r FULL JOIN zoekdocument z "
                "ON z.aanbod_id = r.id WHERE (r.zoektekst, r.zoeknamen) "
                "IS DISTINCT FROM (z.zoektekst, z.zoeknamen)"
            )
        ).scalar_one()
        total = conn.execute(sa.text("SELECT count(*) FROM zoekdocument")).scalar_one()
        assert total > 1000 and differ == 0
        tx.rollback()


def test_the_whole_layer_pass_rewrites_only_what_differs(demo_engine, services):
    """laag_geojson_vernieuwen(laag, NULL): unchanged rows keep their row version, changed
    ones are written, rows the view lost are deleted, and kaart_punt follows."""
    written = (
        "SELECT (SELECT count(*) FROM laag_geojson WHERE xmin::text = "
        "pg_current_xact_id()::xid::text), (SELECT count(*) FROM kaart_punt WHERE "
        "xmin::text = pg_current_xact_id()::xid::text)"
    )
    with demo_engine.connect() as conn, conn.begin() as tx:
        conn.execute(sa.text("SELECT laag_geojson_vernieuwen('laag_voorzieningen', NULL)"))
        assert tuple(conn.execute(sa.text(written)).one()) == (0, 0)
        conn.execute(
            sa.text(
                "UPDATE laag_geojson SET feature = 'oud' WHERE laag = 'laag_voorzieningen' "
                "AND id IN (SELECT id FROM laag_voorzieningen ORDER BY id LIMIT 3)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO laag_geojson (laag, id, feature) VALUES "
                "('laag_voorzieningen', -1, '{}')"
            )
        )
        conn.execute(
            sa.text("UPDATE kaart_punt SET lon = 0 WHERE id = (SELECT min(id) FROM kaart_punt)")
        )
        conn.execute(sa.text("SELECT laag_geojson_vernieuwen('laag_voorzieningen', NULL)"))
        assert _differences(conn, services) == 0
        assert tuple(conn.execute(sa.text(written)).one()) == (3, 1)
        tx.rollback()
