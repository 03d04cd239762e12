"""A test table published as a layer whose Feature text is stored at write time, like
laag_voorzieningen (migration 0020): the view, its title, and the registration that keeps
laag_geojson (and through it laag_telling and laag_plek) in step with the table."""

import sqlalchemy as sa


def publish_stored(conn: sa.Connection, table: str, view: str, title: str) -> None:
    """``CREATE VIEW view AS SELECT * FROM table``, registered and stored in one pass."""
    conn.execute(sa.text(f"CREATE VIEW {view} AS SELECT * FROM {table}"))  # noqa: S608
    conn.execute(sa.text(f"COMMENT ON VIEW {view} IS '{title}|Proeflaag'"))
    names = {"view": view, "table": table, "ids": "SELECT id FROM %1$s"}
    conn.execute(sa.text("INSERT INTO laag_geojson_bron VALUES (:view, :view)"), names)
    conn.execute(sa.text("SELECT laag_geojson_volgen(:table, :view, :ids)"), names)
    conn.execute(sa.text("SELECT laag_geojson_vernieuwen(:view, NULL)"), names)
