"""Speed by design: the layer queries can use the spatial index (checked with EXPLAIN)."""

import sqlalchemy as sa

from layers.catalog import load_catalog
from layers.features import ItemsQuery, _page_sql, where_sql


def test_bbox_query_on_services_can_use_the_gist_index(engine):
    with engine.begin() as conn:
        collection = load_catalog(conn)["voorzieningen"]
        query = ItemsQuery(collection, ("openbaar",), bbox=(5.68, 50.84, 5.70, 50.86))
        where, params = where_sql(query)
        params.update(limit=100, offset=0, after=None, before=None)
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = "\n".join(
            conn.execute(sa.text("EXPLAIN " + _page_sql(query, where)), params).scalars()
        )
    assert "locatie_geom_gist" in plan


def test_no_prepared_statements_with_generic_plans(engine):
    with engine.connect() as conn:
        assert conn.connection.driver_connection.prepare_threshold is None
