"""Data versions: every table a published layer reads counts its writing statements."""

import sqlalchemy as sa


def _version(conn, table):
    return conn.execute(
        sa.text("SELECT versie FROM data_versie WHERE tabel = :t"), {"t": table}
    ).scalar_one()


def test_every_table_a_layer_reads_has_the_counter(engine):
    with engine.connect() as conn:
        read = set(
            conn.execute(
                sa.text(
                    "SELECT DISTINCT unnest(laag_tabellen(oid)) FROM pg_class "
                    "WHERE relkind = 'v' AND relname LIKE 'laag\\_%'"
                )
            ).scalars()
        )
        counted = set(
            conn.execute(
                sa.text(
                    "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'data_versie'"
                )
            ).scalars()
        )
    assert {"organisatie", "aanbod", "locatie", "gebied", "bevolking"} <= read
    assert read <= counted, f"tables without the data_versie trigger: {read - counted}"


def test_each_writing_statement_raises_the_version_once(engine):
    with engine.begin() as conn:
        start = _version(conn, "gebied")
        conn.execute(sa.text("UPDATE gebied SET naam = naam WHERE code = 'GM0917'"))
        conn.execute(sa.text("UPDATE gebied SET naam = naam WHERE false"))
        assert _version(conn, "gebied") == start + 2
    with engine.connect() as conn:
        conn.execute(sa.text("UPDATE gebied SET naam = naam WHERE code = 'GM0917'"))
        conn.rollback()
        assert _version(conn, "gebied") == start + 2  # a rollback leaves it unchanged
