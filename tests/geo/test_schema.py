"""Schema through Alembic: tables, indexes, constraints, taxonomy, area-assignment trigger."""

import pytest
import sqlalchemy as sa

from geo import db as geodb
from geo.db import make_engine

TABLES = {
    "gebied",
    "bevolking",
    "thema",
    "doelgroep",
    "organisatie",
    "aanbod",
    "locatie",
    "aanbod_locatie",
    "aanbod_thema",
    "aanbod_doelgroep",
    "contactpersoon",
    "wijziging",
    "adres",
    "postcode6",
    "postcode4",
    "geocode_cache",
    "import_run",
    "mogelijk_dubbel",
}


def _tables(engine):
    with engine.connect() as conn:
        return set(
            conn.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )


def test_upgrade_downgrade_upgrade(fresh_url):
    engine = make_engine(fresh_url)
    assert TABLES <= _tables(engine)
    assert geodb.current_revision(engine) == geodb.head_revision()
    geodb.downgrade(engine, "base")
    assert not (TABLES & _tables(engine))
    assert geodb.current_revision(engine) is None
    geodb.upgrade(engine)
    assert TABLES <= _tables(engine)
    engine.dispose()


def test_geometry_columns_are_rd_new_with_gist(engine):
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT f_table_name, f_geometry_column, srid FROM geometry_columns")
        ).all()
        gist = set(
            conn.execute(
                sa.text("SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%USING gist%'")
            ).scalars()
        )
    # Stored in RD New; the one exception is the tiles' derived copy of each point in the
    # tiles' own CRS (migration 0028), kept from the RD position at write time.
    derived = {("tegel_punt", "geom_webm"): 3857, ("tegel_punt_bron", "geom_webm"): 3857}
    assert {(t, c): srid for t, c, srid in rows if srid != 28992} == derived
    cols = {t for t, _, _ in rows}
    assert {"gebied", "locatie", "adres", "postcode6", "postcode4"} <= cols
    assert {"gebied", "locatie"} <= gist


def _contrast_with_white(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_taxonomy_is_seeded_with_accessible_colours(engine):
    with engine.connect() as conn:
        themes = conn.execute(
            sa.text("SELECT slug, kleur, icoon, afstand_m FROM thema ORDER BY volgorde")
        ).all()
        groups = conn.execute(sa.text("SELECT slug FROM doelgroep")).scalars().all()
    assert len(themes) == 10
    assert themes[0].slug == "wonen-huishouden"
    assert {"zorg-ondersteuning", "veiligheid", "meedoen-ontmoeten"} <= {t.slug for t in themes}
    for theme in themes:
        assert _contrast_with_white(theme.kleur) >= 4.5, theme.slug
        assert theme.afstand_m in (1000, 3000)
    assert {"ouderen", "jongeren", "mantelzorgers", "iedereen"} <= set(groups)


def test_theme_icons_exist_in_maki():
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    data = tomllib.loads(
        (root / "geo/migrations/versions/0002_taxonomie.toml").read_text(encoding="utf-8")
    )
    icons = root / "node_modules/@mapbox/maki/icons"
    for theme in data["thema"]:
        assert (icons / f"{theme['icoon']}.svg").exists(), theme["icoon"]


BAD_ROWS = [
    (
        "gemeente code format",
        "INSERT INTO gebied (code, niveau, naam, gemeentecode, jaar, bron, geom) VALUES "
        "('GM123', 'gemeente', 'x', 'GM123', 2024, 't', ST_Multi(ST_MakeEnvelope(0,0,1,1,28992)))",
    ),
    (
        "buurt with foreign wijk digits",
        "INSERT INTO gebied (code, niveau, naam, gemeentecode, wijkcode, jaar, bron, geom) VALUES "
        "('BU09173300', 'buurt', 'x', 'GM0917', 'WK091734', 2024, 't', "
        "ST_Multi(ST_MakeEnvelope(0,0,1,1,28992)))",
    ),
    (
        "invalid polygon (bow tie)",
        "INSERT INTO gebied (code, niveau, naam, gemeentecode, jaar, bron, geom) VALUES "
        "('GM9999', 'gemeente', 'x', 'GM9999', 2024, 't', "
        "ST_Multi('SRID=28992;POLYGON((0 0,1 1,1 0,0 1,0 0))'::geometry))",
    ),
    (
        "wrong CRS",
        "INSERT INTO gebied (code, niveau, naam, gemeentecode, jaar, bron, geom) VALUES "
        "('GM9998', 'gemeente', 'x', 'GM9998', 2024, 't', ST_Multi(ST_MakeEnvelope(0,0,1,1,4326)))",
    ),
    (
        "population of unknown area",
        "INSERT INTO bevolking (gebiedcode, jaar, inwoners, bron) VALUES ('BU00000000', 2024, 5, 't')",
    ),
    (
        "negative population",
        "INSERT INTO bevolking (gebiedcode, jaar, inwoners, bron) VALUES ('GM0917', 2030, -1, 't')",
    ),
    (
        "bad postcode",
        "WITH o AS (INSERT INTO organisatie (naam, bron, bron_id) VALUES ('x', 't', '1') "
        "RETURNING id) INSERT INTO locatie (organisatie_id, postcode, bron, bron_id) "
        "SELECT id, '6411 AB', 't', '1' FROM o",
    ),
    (
        "point without precision",
        "WITH o AS (INSERT INTO organisatie (naam, bron, bron_id) VALUES ('x', 't', '2') "
        "RETURNING id) INSERT INTO locatie (organisatie_id, geom, bron, bron_id) "
        "SELECT id, 'SRID=28992;POINT(190000 320000)', 't', '2' FROM o",
    ),
    (
        "bad kvk number",
        "INSERT INTO organisatie (naam, bron, bron_id, kvk_nummer) VALUES ('x', 't', '3', '123')",
    ),
    (
        "theme not in taxonomy",
        "WITH o AS (INSERT INTO organisatie (naam, bron, bron_id) VALUES ('x', 't', '4') RETURNING id),"
        " a AS (INSERT INTO aanbod (organisatie_id, naam, bron, bron_id) SELECT id, 'a', 't', '4' "
        "FROM o RETURNING id) INSERT INTO aanbod_thema SELECT id, 'zorg' FROM a",
    ),
]


@pytest.mark.parametrize("label,sql", BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_constraints_keep_bad_data_out(engine, label, sql):
    with engine.connect() as conn:
        with pytest.raises((sa.exc.IntegrityError, sa.exc.DataError)):
            conn.execute(sa.text(sql))
        conn.rollback()


def test_location_area_codes_follow_the_point(engine):
    with engine.connect() as conn:
        org = conn.execute(
            sa.text(
                "INSERT INTO organisatie (naam, bron, bron_id) VALUES ('Trigger', 'test', 't1') "
                "RETURNING id"
            )
        ).scalar()
        # A point inside buurt BU09350000? Take the buurt's own interior point.
        loc = conn.execute(
            sa.text(
                "INSERT INTO locatie (organisatie_id, geom, geocode_precisie, bron, bron_id) "
                "SELECT :org, ST_PointOnSurface(geom), 'handmatig', 'test', 't1' FROM gebied "
                "WHERE code = 'BU09173300' RETURNING id"
            ),
            {"org": org},
        ).scalar()
        codes = conn.execute(
            sa.text("SELECT buurtcode, wijkcode, gemeentecode FROM locatie WHERE id = :id"),
            {"id": loc},
        ).one()
        assert tuple(codes) == ("BU09173300", "WK091733", "GM0917")
        conn.execute(
            sa.text(
                "UPDATE locatie SET geom = (SELECT ST_PointOnSurface(geom) FROM gebied "
                "WHERE code = 'BU09350000') WHERE id = :id"
            ),
            {"id": loc},
        )
        codes = conn.execute(
            sa.text("SELECT buurtcode, wijkcode, gemeentecode FROM locatie WHERE id = :id"),
            {"id": loc},
        ).one()
        assert tuple(codes) == ("BU09350000", "WK093500", "GM0935")
        conn.execute(
            sa.text("UPDATE locatie SET geom = 'SRID=28992;POINT(100000 400000)' WHERE id = :id"),
            {"id": loc},
        )
        codes = conn.execute(
            sa.text("SELECT buurtcode, wijkcode, gemeentecode FROM locatie WHERE id = :id"),
            {"id": loc},
        ).one()
        assert tuple(codes) == (None, None, None)
        conn.rollback()
