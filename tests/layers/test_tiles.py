"""Vector tiles from the real PostGIS: areas from the session database, services seeded here.

``seed_voorzieningen`` is shared with ``tests/server/test_tiles_http.py``. Point tiles are
thinned up to ``tiles.THIN_MAX_ZOOM``; the thinning tests use a database of their own with
400 services on a 10 m grid (``dense``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mapbox_vector_tile
import pytest
import sqlalchemy as sa
from pyproj import Transformer

from layers import tiles
from layers.catalog import load_catalog
from layers.errors import InvalidParameter
from layers.tiles import ORIGIN, tile, validate_tile

PUBLIC = ("openbaar",)
EVERYONE = ("openbaar", "professional", "intern")
TO_3857 = Transformer.from_crs(4326, 3857, always_xy=True)
FROM_3857_TO_RD = Transformer.from_crs(3857, 28992, always_xy=True)
# Central Maastricht: the Markt area and the buurt Binnenstad (BU09350000).
MARKT = (5.6935, 50.8495)
INTERN = (5.6945, 50.8500)
HEERLEN = (5.9800, 50.8880)
AMSTERDAM = (4.9000, 52.3700)
BINNENSTAD = "BU09350000"


@dataclass(frozen=True)
class Seeded:
    """Ids (aanbod_locatie.id, the feature ids) and points of the seeded services."""

    engine: sa.Engine
    markt: tuple[int, int]  # two public services at one public location
    intern: int  # an organisation visible to staff only
    opvang: int  # a public service at a confidential location
    heerlen: int  # a synthetic public service in Heerlen, theme vervoer
    opvang_rd: tuple[float, float]  # where the confidential location really is
    buurtpunt_rd: tuple[float, float]  # where it is published: its buurt's inner point


def tile_xy(lonlat: tuple[float, float], z: int) -> tuple[int, int]:
    """Column and row of the WebMercatorQuad tile at zoom ``z`` holding a lon/lat point."""
    mx, my = TO_3857.transform(*lonlat)
    size = 2 * ORIGIN / 2**z
    return int((mx + ORIGIN) // size), int((ORIGIN - my) // size)


def decode(body: bytes) -> dict:
    """Decoded layers, tile coordinates with y down (as encoded)."""
    return mapbox_vector_tile.decode(body, default_options={"y_coord_down": True})


def features(body: bytes, layer: str) -> list[dict]:
    return decode(body)[layer]["features"] if body else []


def counted(body: bytes, layer: str) -> dict[int, int]:
    """Feature id -> ``aantal`` (how many points the feature stands for)."""
    return {f["id"]: f["properties"]["aantal"] for f in features(body, layer)}


def point_rd(feature: dict, z: int, x: int, y: int) -> tuple[float, float]:
    """A decoded point feature back in RD metres."""
    px, py = feature["geometry"]["coordinates"]
    size = 2 * ORIGIN / 2**z
    mx = -ORIGIN + (x + px / 4096) * size
    my = ORIGIN - (y + py / 4096) * size
    return FROM_3857_TO_RD.transform(mx, my)


def vertex_count(body: bytes, layer: str) -> int:
    def count(coords) -> int:
        return 1 if isinstance(coords[0], (int, float)) else sum(count(c) for c in coords)

    return sum(count(f["geometry"]["coordinates"]) for f in features(body, layer))


def _insert(conn: sa.Connection, table: str, **values) -> int:
    columns = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    returning = "" if table == "aanbod_thema" else " RETURNING id"
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}){returning}"
    result = conn.execute(sa.text(sql), values)
    return result.scalar_one() if returning else 0


def _service(
    conn, org: int, loc: int, naam: str, themas: tuple[str, ...], zichtbaarheid: str = "openbaar"
) -> int:
    aanbod = _insert(
        conn,
        "aanbod",
        organisatie_id=org,
        naam=naam,
        bron="test",
        bron_id=naam,
        zichtbaarheid=zichtbaarheid,
    )
    for slug in themas:
        _insert(conn, "aanbod_thema", aanbod_id=aanbod, thema_slug=slug)
    return _insert(
        conn,
        "aanbod_locatie",
        aanbod_id=aanbod,
        locatie_id=loc,
        bron="test",
        bron_id=f"{naam}@{loc}",
    )


def _location(conn, org: int, lonlat: tuple[float, float], bron_id: str) -> int:
    return conn.execute(
        sa.text(
            "INSERT INTO locatie (organisatie_id, straat, huisnummer, postcode, woonplaats, geom, "
            " geocode_precisie, bron, bron_id) VALUES (:org, 'Teststraat', 1, '6211AA', 'Test', "
            " ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 28992), 'adres', 'test', :b)"
            " RETURNING id"
        ),
        {"org": org, "lon": lonlat[0], "lat": lonlat[1], "b": bron_id},
    ).scalar_one()


def _confidential_location(conn, org: int) -> int:
    """A shelter inside Binnenstad, at least 150 m from the buurt's inner point."""
    return conn.execute(
        sa.text(
            "INSERT INTO locatie (organisatie_id, straat, huisnummer, postcode, woonplaats, geom, "
            " geocode_precisie, vertrouwelijk, bron, bron_id) "
            "SELECT :org, 'Geheimstraat', 9, '6211AB', 'Maastricht', "
            " ST_PointOnSurface(ST_Difference(b.geom, ST_Buffer(ST_PointOnSurface(b.geom), 150))),"
            " 'handmatig', true, 'test', 'opvang' FROM gebied b WHERE b.code = :code RETURNING id"
        ),
        {"org": org, "code": BINNENSTAD},
    ).scalar_one()


def _org(conn, naam: str, zichtbaarheid: str = "openbaar", synthetisch: bool = False) -> int:
    return _insert(
        conn,
        "organisatie",
        naam=naam,
        bron="test",
        bron_id=naam,
        zichtbaarheid=zichtbaarheid,
        synthetisch=synthetisch,
    )


def seed_voorzieningen(engine: sa.Engine) -> Seeded:
    """Four organisations: public, staff-only, a shelter (confidential) and one in Heerlen."""
    with engine.begin() as conn:
        buurthuis = _org(conn, "Buurthuis De Markt")
        markt = _location(conn, buurthuis, MARKT, "markt")
        ids = (
            _service(conn, buurthuis, markt, "Inloop", ("meedoen-ontmoeten",)),
            _service(conn, buurthuis, markt, "Spreekuur", ("informatie-advies",)),
        )
        stille = _org(conn, "Interne Dienst", zichtbaarheid="intern")
        intern = _service(
            conn,
            stille,
            _location(conn, stille, INTERN, "intern"),
            "Intern overleg",
            ("zorg-ondersteuning",),
        )
        opvang_org = _org(conn, "Vrouwenopvang")
        opvang_loc = _confidential_location(conn, opvang_org)
        opvang = _service(conn, opvang_org, opvang_loc, "Opvang", ("veiligheid",))
        bus = _org(conn, "Buurtbus Heerlen", synthetisch=True)
        heerlen = _service(
            conn, bus, _location(conn, bus, HEERLEN, "heerlen"), "Buurtbus", ("vervoer",)
        )
        real = conn.execute(
            sa.text("SELECT ST_X(geom), ST_Y(geom) FROM locatie WHERE id = :i"), {"i": opvang_loc}
        ).one()
        published = conn.execute(
            sa.text(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM gebied "
                "WHERE code = :code) s"
            ),
            {"code": BINNENSTAD},
        ).one()
    return Seeded(engine, ids, intern, opvang, heerlen, tuple(real), tuple(published))


@pytest.fixture(scope="module")
def seeded(databases):
    """A database of its own: the shipped areas plus the services above."""
    engine = databases.create_with_areas()
    yield seed_voorzieningen(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def conn(seeded):
    with seeded.engine.connect() as connection:
        yield connection


@pytest.fixture(scope="module")
def catalog(conn):
    return load_catalog(conn)


# ------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "zxy",
    [(23, 0, 0), (-1, 0, 0), (0, 1, 0), (0, 0, 1), (12, 4096, 0), (12, 0, -1), (22, 2**22, 0)],
)
def test_tiles_outside_the_matrix_set_are_rejected(zxy):
    with pytest.raises(InvalidParameter):
        validate_tile(*zxy)


def test_tiles_inside_the_matrix_set_are_accepted():
    for zxy in [(0, 0, 0), (12, 4095, 4095), (22, 2**22 - 1, 0)]:
        validate_tile(*zxy)


def test_simplification_shrinks_with_zoom_and_stops_at_14():
    tolerances = [tiles.simplify_tolerance(z) for z in range(0, 15)]
    assert all(a > b for a, b in zip(tolerances[:13], tolerances[1:14], strict=True))
    assert tolerances[14] == 0.0 and tiles.simplify_tolerance(22) == 0.0
    assert 5 < tiles.simplify_tolerance(12) < 15  # about half a screen pixel, in metres


def test_the_tile_matrix_set_has_23_matrices_of_doubling_size():
    tms = tiles.tile_matrix_set()
    assert tms["uri"] == tiles.TILE_MATRIX_SET_URI and len(tms["tileMatrices"]) == 23
    first, last = tms["tileMatrices"][0], tms["tileMatrices"][-1]
    assert first["matrixWidth"] == 1 and last["matrixWidth"] == 2**22
    assert first["scaleDenominator"] == pytest.approx(559082264.0287178)
    assert first["cellSize"] == pytest.approx(156543.03392804097)


# ------------------------------------------------------------------------------ areas
def test_area_tile_has_one_layer_with_integer_ids_from_the_cbs_codes(engine):
    with engine.connect() as c:
        buurten = load_catalog(c)["buurten"]
        body = tile(c, buurten, 12, *tile_xy(MARKT, 12), PUBLIC)
    layers = decode(body)
    assert list(layers) == ["buurten"]
    found = layers["buurten"]["features"]
    assert len(found) > 5
    for feature in found:
        assert feature["id"] == int(feature["properties"]["code"][2:])
        assert feature["properties"]["code"].startswith("BU")
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    binnenstad = next(f for f in found if f["properties"]["code"] == BINNENSTAD)
    assert binnenstad["properties"]["naam"] == "Binnenstad"
    assert binnenstad["properties"]["gemeentecode"] == "GM0935"
    assert not any(k.startswith("aantal") for k in binnenstad["properties"])  # nor thinning


def test_area_counts_come_when_asked_for(engine):
    with engine.connect() as c:
        gemeenten = load_catalog(c)["gemeenten"]
        body = tile(
            c,
            gemeenten,
            10,
            *tile_xy(MARKT, 10),
            PUBLIC,
            properties=["naam", "aantal_voorzieningen"],
        )
        with pytest.raises(InvalidParameter, match="geen_kolom"):
            tile(c, gemeenten, 10, 0, 0, PUBLIC, properties=["geen_kolom"])
        with pytest.raises(InvalidParameter, match="aantal"):  # only points have aantal
            tile(c, gemeenten, 10, 0, 0, PUBLIC, properties=["aantal"])
    maastricht = next(f for f in features(body, "gemeenten") if f["id"] == 935)
    assert set(maastricht["properties"]) == {"naam", "aantal_voorzieningen"}


def test_polygons_are_simplified_at_low_zoom(engine, monkeypatch):
    with engine.connect() as c:
        catalog = load_catalog(c)
        xy8 = tile_xy(MARKT, 8)
        simplified = tile(c, catalog["gemeenten"], 8, *xy8, PUBLIC)
        monkeypatch.setattr(tiles, "simplify_tolerance", lambda z: 0.0)
        unsimplified = tile(c, catalog["gemeenten"], 8, *xy8, PUBLIC)
    assert len(simplified) < len(unsimplified)
    assert vertex_count(simplified, "gemeenten") < 0.8 * vertex_count(unsimplified, "gemeenten")
    assert {f["id"] for f in features(simplified, "gemeenten")} == {
        f["id"] for f in features(unsimplified, "gemeenten")
    }


def test_a_low_zoom_tile_is_smaller_than_the_detailed_tiles_it_covers(engine):
    z8 = tile_xy(MARKT, 8)
    with engine.connect() as c:
        buurten = load_catalog(c)["buurten"]
        overview = tile(c, buurten, 8, *z8, PUBLIC)
        detail = [
            tile(c, buurten, 10, 4 * z8[0] + i, 4 * z8[1] + j, PUBLIC)
            for i in range(4)
            for j in range(4)
        ]
    assert 0 < len(overview) < sum(len(b) for b in detail)
    assert vertex_count(overview, "buurten") < sum(vertex_count(b, "buurten") for b in detail)


def test_tiles_far_from_the_data_are_empty(engine):
    with engine.connect() as c:
        catalog = load_catalog(c)
        assert tile(c, catalog["buurten"], 10, *tile_xy(AMSTERDAM, 10), PUBLIC) == b""
        assert tile(c, catalog["gemeenten"], 3, 7, 7, PUBLIC) == b""  # the South Pacific
        world = features(tile(c, catalog["gemeenten"], 0, 0, 0, PUBLIC), "gemeenten")
        assert 0 < len(world) <= 16  # areas smaller than a grid cell are dropped


# ----------------------------------------------------------------------------- points
def test_point_tile_at_z12_shows_public_services_only(conn, catalog, seeded):
    z12 = tile_xy(MARKT, 12)
    public = counted(tile(conn, catalog["voorzieningen"], 12, *z12, PUBLIC), "voorzieningen")
    # Thinned: the Markt's two services share one address, the lower id stands for both.
    assert seeded.markt[0] in public and public[seeded.markt[0]] >= 2
    assert sum(public.values()) == 3 and set(public) <= {seeded.markt[0], seeded.opvang}
    everyone = counted(tile(conn, catalog["voorzieningen"], 12, *z12, EVERYONE), "voorzieningen")
    assert sum(everyone.values()) == 4


def test_point_tile_at_z14_and_its_compact_properties(conn, catalog, seeded):
    z14 = tile_xy(MARKT, 14)
    found = {
        f["id"]: f
        for f in features(tile(conn, catalog["voorzieningen"], 14, *z14, PUBLIC), "voorzieningen")
    }
    assert set(found) == {*seeded.markt, seeded.opvang}
    inloop = found[seeded.markt[0]]
    assert inloop["geometry"]["type"] == "Point"
    assert inloop["properties"] == {
        "id": seeded.markt[0],
        "organisatie": "Buurthuis De Markt",
        "aanbod": "Inloop",
        "thema": "meedoen-ontmoeten",
        "gemeentecode": "GM0935",
        "buurtcode": BINNENSTAD,
        "geocode_precisie": "adres",
        "synthetisch": False,
        "aantal": 1,
    }
    assert found[seeded.opvang]["properties"]["geocode_precisie"] == "buurt"


def test_confidential_location_is_only_at_its_buurt_point(conn, catalog, seeded):
    to_wgs84 = Transformer.from_crs(28992, 4326, always_xy=True)
    z, (x, y) = 16, tile_xy(to_wgs84.transform(*seeded.buurtpunt_rd), 16)
    shown = next(
        f
        for f in features(tile(conn, catalog["voorzieningen"], z, x, y, PUBLIC), "voorzieningen")
        if f["id"] == seeded.opvang
    )
    where = point_rd(shown, z, x, y)
    assert math.dist(where, seeded.buurtpunt_rd) < 1.0
    assert math.dist(where, seeded.opvang_rd) > 150
    z, (x, y) = 17, tile_xy(to_wgs84.transform(*seeded.opvang_rd), 17)
    around_real = tile(conn, catalog["voorzieningen"], z, x, y, EVERYONE)
    assert seeded.opvang not in {f["id"] for f in features(around_real, "voorzieningen")}


def test_point_tiles_filter_on_properties(conn, catalog, seeded):
    """At z8 (thinned: Maastricht's services share a cell) filters apply before thinning."""
    collection, z8 = catalog["voorzieningen"], tile_xy(MARKT, 8)

    def ids(**filters) -> dict[int, int]:
        return counted(tile(conn, collection, 8, *z8, PUBLIC, filters), "voorzieningen")

    everything = ids()
    assert sum(everything.values()) == 4 and everything[seeded.heerlen] == 1
    assert ids(gemeentecode="GM0917") == {seeded.heerlen: 1}
    assert ids(thema="vervoer") == {seeded.heerlen: 1}
    assert ids(synthetisch="true") == {seeded.heerlen: 1}
    # markt[1] shares its address with markt[0] (a lower id), yet stands alone here.
    assert ids(gemeentecode="GM0935", thema="informatie-advies") == {seeded.markt[1]: 1}
    assert ids(gemeentecode="GM9999") == {}
    with pytest.raises(InvalidParameter, match="onbekend"):
        ids(onbekend="x")
    with pytest.raises(InvalidParameter, match="true or false"):
        ids(synthetisch="misschien")


def test_theme_collection_tiles_hold_that_theme_only(conn, catalog, seeded):
    body = tile(conn, catalog["veiligheid"], 12, *tile_xy(MARKT, 12), EVERYONE)
    assert list(decode(body)) == ["veiligheid"]
    assert [f["id"] for f in features(body, "veiligheid")] == [seeded.opvang]
    assert tile(conn, catalog["vervoer"], 12, *tile_xy(MARKT, 12), EVERYONE) == b""


def test_tiles_run_without_jit_and_leave_the_settings_as_they_were(seeded, catalog):
    """Tiles run without JIT and parallel workers (layers.tiles._run), and only they do."""
    show = sa.text(
        "SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather')"
    )
    during = sa.text(
        "SELECT current_setting('jit') || '/' || current_setting('max_parallel_workers_per_gather')"
    )
    xy = tile_xy(MARKT, 12)
    autocommit = seeded.engine.execution_options(isolation_level="AUTOCOMMIT")
    with autocommit.connect() as c:
        before = tuple(c.execute(show).one())
        assert before != ("off", "0")
        assert tiles._run(c, during, {}) == "off/0"
        assert tile(c, catalog["voorzieningen"], 12, *xy, PUBLIC)
        assert tuple(c.execute(show).one()) == before
    with seeded.engine.connect() as c:
        assert tiles._run(c, during, {}) == "off/0"
        assert tile(c, catalog["voorzieningen"], 12, *xy, PUBLIC)
        assert tuple(c.execute(show).one()) == ("off", "0")  # SET LOCAL: this transaction
        c.rollback()
        assert tuple(c.execute(show).one()) == before


def test_text_ids_give_distinct_integer_feature_ids(engine):
    ids = [
        "GM0917",
        "BU09170001",
        "7-zorg-ondersteuning-GM0917-1-12",
        "7-zorg-ondersteuning-GM0917-11-2",
    ]
    sql = tiles.TEXT_FID_SQL.format(id="i")
    with engine.connect() as conn:
        fids = (
            conn.execute(
                sa.text(f"SELECT {sql} FROM unnest(CAST(:ids AS text[])) AS i"), {"ids": ids}
            )
            .scalars()
            .all()
        )
    assert fids[:2] == [917, 9170001]
    assert len(set(fids)) == 4 and all(0 <= f < 2**53 for f in fids)
