"""A test table published as a layer whose Feature text is stored at write time, like
laag_voorzieningen (migration 0020): the view, its title, and the registration that keeps
laag_geojson (and through it laag_telling and laag_plek) in step with the table."""

import sqlalchemy as sa

from layers.catalog import Collection, load_catalog


def create_point_table(conn: sa.Connection, table: str) -> None:
    """A table of points with the visibility and area code columns of a published layer,
    whose writes raise its data version."""
    conn.execute(
        sa.text(
            f"CREATE TABLE {table} (id bigint PRIMARY KEY, naam text, zichtbaarheid text, "
            "gemeentecode text, wijkcode text, buurtcode text, geom geometry(Point, 28992))"
        )
    )
    conn.execute(sa.text(f"SELECT data_versie_volgen('{table}')"))


def collection_of(engine: sa.Engine, view: str) -> Collection:
    """The published collection of ``view``, as the catalogue reads it."""
    with engine.connect() as conn:
        return next(c for c in load_catalog(conn).values() if c.view == view)


def publish_stored(conn: sa.Connection, table: str, view: str, title: str) -> None:
    """``CREATE VIEW view AS SELECT * FROM table``, registered and stored in one pass."""
    conn.execute(sa.text(f"CREATE VIEW {view} AS SELECT * FROM {table}"))  # noqa: S608
    conn.execute(sa.text(f"COMMENT ON VIEW {view} IS '{title}|Proeflaag'"))
    names = {"view": view, "table": table, "ids": "SELECT id FROM %1$s"}
    conn.execute(sa.text("INSERT INTO laag_geojson_bron VALUES (:view, :view)"), names)
    conn.execute(sa.text("SELECT laag_geojson_volgen(:table, :view, :ids)"), names)
    conn.execute(sa.text("SELECT laag_geojson_vernieuwen(:view, NULL)"), names)
