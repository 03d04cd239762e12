"""The tiles' narrow copy after a first import into an empty database (migration 0026)."""

import sqlalchemy as sa

from geo.records.importer import import_file
from tests.geo.conftest import CSV

SAME_ROWS = (
    "SELECT (SELECT count(*) FROM (TABLE tegel_punt EXCEPT TABLE tegel_punt_bron) a), "
    "(SELECT count(*) FROM (TABLE tegel_punt_bron EXCEPT TABLE tegel_punt) b), "
    "(SELECT count(*) FROM tegel_punt)"
)
# Every cell counted from scratch, as tegel_cellen_opbouwen (migration 0025) counts them.
CELLS = """
SELECT s.zicht, z.zoom, floor(ST_X(t.geom) / z.cel)::int AS cx,
       floor(ST_Y(t.geom) / z.cel)::int AS cy, min(t.id) AS fid, count(*)::int AS aantal
FROM tegel_punt t JOIN tegel_zicht s ON t.zichtbaarheid = ANY(s.niveaus) CROSS JOIN tegel_zoom z
GROUP BY 1, 2, 3, 4
"""
# Rows whose place sorts before the row stored before them (ctid: the order on disk).
OUT_OF_ORDER = """
SELECT count(*) FROM (SELECT geom, lag(geom) OVER (ORDER BY ctid) AS vorige FROM tegel_punt) x
WHERE vorige > geom
"""
SAME_CELLS = (
    f"SELECT (SELECT count(*) FROM (SELECT zicht, zoom, cx, cy, fid, aantal FROM tegel_cel "
    f"EXCEPT {CELLS}) a), (SELECT count(*) FROM ({CELLS} EXCEPT SELECT zicht, zoom, cx, cy, "
    f"fid, aantal FROM tegel_cel) b), (SELECT count(*) FROM tegel_cel)"
)


def _check(engine) -> None:
    with engine.connect() as conn:
        extra, missing, rows = conn.execute(sa.text(SAME_ROWS)).one()
        assert (extra, missing) == (0, 0) and rows > 0
        extra, missing, cells = conn.execute(sa.text(SAME_CELLS)).one()
        assert (extra, missing) == (0, 0) and cells > 0


def test_first_import_fills_the_copy_and_its_cells_exactly(rec_engine, tmp_path):
    with rec_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM tegel_punt")).scalar_one() == 0
    import_file(rec_engine, CSV, "test")  # the first fill
    _check(rec_engine)
    with rec_engine.connect() as conn:  # written in order of place (migration 0028)
        out_of_order = conn.execute(sa.text(OUT_OF_ORDER)).scalar_one()
        assert out_of_order == 0
    moved = tmp_path / "verhuisd.csv"
    moved.write_text(
        "organisatie,thema,postcode,huisnummer\nBuurthuis Nieuw,meedoen-ontmoeten,6211CD,1\n",
        encoding="utf-8",
    )
    import_file(rec_engine, moved, "ander")  # a later import: the copy is compared, not refilled
    _check(rec_engine)
