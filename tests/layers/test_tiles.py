"""Vector tiles from the real PostGIS: areas from the session database, services seeded here.

``seed_voorzieningen`` is shared with ``tests/server/test_tiles_http.py``. Point tiles are
thinned up to ``tiles.THIN_MAX_ZOOM``; the thinning tests use a database of their own with
400 services on a 10 m grid (``dense``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import mapbox_vector_tile
import pytest
import sqlalchemy as sa
from pyproj import Transformer

from geo.area_store import load_areas
from geo.areas import AreaSources
from geo.db import make_engine
from layers import tiles
from layers.catalog import load_catalog
from layers.errors import InvalidParameter
from layers.tiles import ORIGIN, tile, validate_tile
from tests.conftest import DATA

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
    size = 2 * ORIGIN / 2 ** z
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
    size = 2 * ORIGIN / 2 ** z
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


def _service(conn, org: int, loc: int, naam: str, themas: tuple[str, ...],
             zichtbaarheid: str = "openbaar") -> int:
    aanbod = _insert(conn, "aanbod", organisatie_id=org, naam=naam, bron="test",
                     bron_id=naam, zichtbaarheid=zichtbaarheid)
    for slug in themas:
        _insert(conn, "aanbod_thema", aanbod_id=aanbod, thema_slug=slug)
    return _insert(conn, "aanbod_locatie", aanbod_id=aanbod, locatie_id=loc, bron="test",
                   bron_id=f"{naam}@{loc}")


def _location(conn, org: int, lonlat: tuple[float, float], bron_id: str) -> int:
    return conn.execute(sa.text(
        "INSERT INTO locatie (organisatie_id, straat, huisnummer, postcode, woonplaats, geom, "
        " geocode_precisie, bron, bron_id) VALUES (:org, 'Teststraat', 1, '6211AA', 'Test', "
        " ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 28992), 'adres', 'test', :b)"
        " RETURNING id"), {"org": org, "lon": lonlat[0], "lat": lonlat[1], "b": bron_id}
    ).scalar_one()


def _confidential_location(conn, org: int) -> int:
    """A shelter inside Binnenstad, at least 150 m from the buurt's inner point."""
    return conn.execute(sa.text(
        "INSERT INTO locatie (organisatie_id, straat, huisnummer, postcode, woonplaats, geom, "
        " geocode_precisie, vertrouwelijk, bron, bron_id) "
        "SELECT :org, 'Geheimstraat', 9, '6211AB', 'Maastricht', "
        " ST_PointOnSurface(ST_Difference(b.geom, ST_Buffer(ST_PointOnSurface(b.geom), 150))),"
        " 'handmatig', true, 'test', 'opvang' FROM gebied b WHERE b.code = :code RETURNING id"),
        {"org": org, "code": BINNENSTAD}).scalar_one()


def _org(conn, naam: str, zichtbaarheid: str = "openbaar", synthetisch: bool = False) -> int:
    return _insert(conn, "organisatie", naam=naam, bron="test", bron_id=naam,
                   zichtbaarheid=zichtbaarheid, synthetisch=synthetisch)


def seed_voorzieningen(engine: sa.Engine) -> Seeded:
    """Four organisations: public, staff-only, a shelter (confidential) and one in Heerlen."""
    with engine.begin() as conn:
        buurthuis = _org(conn, "Buurthuis De Markt")
        markt = _location(conn, buurthuis, MARKT, "markt")
        ids = (_service(conn, buurthuis, markt, "Inloop", ("meedoen-ontmoeten",)),
               _service(conn, buurthuis, markt, "Spreekuur", ("informatie-advies",)))
        stille = _org(conn, "Interne Dienst", zichtbaarheid="intern")
        intern = _service(conn, stille, _location(conn, stille, INTERN, "intern"),
                          "Intern overleg", ("zorg-ondersteuning",))
        opvang_org = _org(conn, "Vrouwenopvang")
        opvang_loc = _confidential_location(conn, opvang_org)
        opvang = _service(conn, opvang_org, opvang_loc, "Opvang", ("veiligheid",))
        bus = _org(conn, "Buurtbus Heerlen", synthetisch=True)
        heerlen = _service(conn, bus, _location(conn, bus, HEERLEN, "heerlen"), "Buurtbus",
                           ("vervoer",))
        real = conn.execute(sa.text("SELECT ST_X(geom), ST_Y(geom) FROM locatie WHERE id = :i"),
                            {"i": opvang_loc}).one()
        published = conn.execute(sa.text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM gebied "
            "WHERE code = :code) s"), {"code": BINNENSTAD}).one()
    return Seeded(engine, ids, intern, opvang, heerlen, tuple(real), tuple(published))


@pytest.fixture(scope="module")
def seeded(databases):
    """A database of its own: the shipped areas plus the services above."""
    url = databases.create()
    engine = make_engine(url)
    load_areas(engine, AreaSources.from_manifest(DATA / "gebieden.toml"))
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
@pytest.mark.parametrize("zxy", [(23, 0, 0), (-1, 0, 0), (0, 1, 0), (0, 0, 1), (12, 4096, 0),
                                 (12, 0, -1), (22, 2 ** 22, 0)])
def test_tiles_outside_the_matrix_set_are_rejected(zxy):
    with pytest.raises(InvalidParameter):
        validate_tile(*zxy)


def test_tiles_inside_the_matrix_set_are_accepted():
    for zxy in [(0, 0, 0), (12, 4095, 4095), (22, 2 ** 22 - 1, 0)]:
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
    assert first["matrixWidth"] == 1 and last["matrixWidth"] == 2 ** 22
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
        body = tile(c, gemeenten, 10, *tile_xy(MARKT, 10), PUBLIC,
                    properties=["naam", "aantal_voorzieningen"])
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
    assert ({f["id"] for f in features(simplified, "gemeenten")}
            == {f["id"] for f in features(unsimplified, "gemeenten")})


def test_a_low_zoom_tile_is_smaller_than_the_detailed_tiles_it_covers(engine):
    z8 = tile_xy(MARKT, 8)
    with engine.connect() as c:
        buurten = load_catalog(c)["buurten"]
        overview = tile(c, buurten, 8, *z8, PUBLIC)
        detail = [tile(c, buurten, 10, 4 * z8[0] + i, 4 * z8[1] + j, PUBLIC)
                  for i in range(4) for j in range(4)]
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
    everyone = counted(tile(conn, catalog["voorzieningen"], 12, *z12, EVERYONE),
                       "voorzieningen")
    assert sum(everyone.values()) == 4


def test_point_tile_at_z14_and_its_compact_properties(conn, catalog, seeded):
    z14 = tile_xy(MARKT, 14)
    found = {f["id"]: f for f in features(
        tile(conn, catalog["voorzieningen"], 14, *z14, PUBLIC), "voorzieningen")}
    assert set(found) == {*seeded.markt, seeded.opvang}
    inloop = found[seeded.markt[0]]
    assert inloop["geometry"]["type"] == "Point"
    assert inloop["properties"] == {
        "id": seeded.markt[0], "organisatie": "Buurthuis De Markt", "aanbod": "Inloop",
        "thema": "meedoen-ontmoeten", "gemeentecode": "GM0935", "buurtcode": BINNENSTAD,
        "geocode_precisie": "adres", "synthetisch": False, "aantal": 1}
    assert found[seeded.opvang]["properties"]["geocode_precisie"] == "buurt"


def test_confidential_location_is_only_at_its_buurt_point(conn, catalog, seeded):
    to_wgs84 = Transformer.from_crs(28992, 4326, always_xy=True)
    z, (x, y) = 16, tile_xy(to_wgs84.transform(*seeded.buurtpunt_rd), 16)
    shown = next(f for f in features(tile(conn, catalog["voorzieningen"], z, x, y, PUBLIC),
                                     "voorzieningen") if f["id"] == seeded.opvang)
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


# --------------------------------------------------------------------- point thinning
# 400 services on a 10 m grid (190 m square) around this RD point in Maastricht: one tile
# at each zoom 10..16, at least 7% of a tile's width from its edges.
DENSE_CENTRE_RD = (177_000.0, 318_600.0)
DENSE_SIDE = 20
DENSE_STEP = 10.0


@dataclass(frozen=True)
class Dense:
    """The grid of services: feature ids and where they are (RD metres)."""

    engine: sa.Engine
    where: dict[int, tuple[float, float]]  # every feature id -> its RD position
    intern: frozenset[int]  # staff-only, inserted first: the lowest id in many cells
    public: frozenset[int]
    vervoer: frozenset[int]  # public services with the theme vervoer

    def tile(self, z: int) -> tuple[int, int]:
        to_wgs84 = Transformer.from_crs(28992, 4326, always_xy=True)
        return tile_xy(to_wgs84.transform(*DENSE_CENTRE_RD), z)


def _services_at(conn: sa.Connection, org: int, positions: list[tuple[float, float]],
                 themes: list[str], zichtbaarheid: str = "openbaar") -> list[int]:
    """One service per RD position, set-based; their feature ids in the order given."""
    keys = [f"dicht-{org}-{k}" for k in range(len(positions))]
    params = {"org": org, "keys": keys, "themes": themes, "vis": zichtbaarheid,
              "xs": [p[0] for p in positions], "ys": [p[1] for p in positions]}
    conn.execute(sa.text(
        "INSERT INTO locatie (organisatie_id, straat, huisnummer, postcode, woonplaats, geom,"
        " geocode_precisie, bron, bron_id) SELECT :org, 'Rasterstraat', 1, '6211AA',"
        " 'Maastricht', ST_SetSRID(ST_MakePoint(x, y), 28992), 'adres', 'test', k"
        " FROM unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[]), CAST(:keys AS text[]))"
        " AS p(x, y, k)"), params)
    conn.execute(sa.text(
        "INSERT INTO aanbod (organisatie_id, naam, bron, bron_id, zichtbaarheid)"
        " SELECT :org, 'Dienst ' || k, 'test', k, :vis FROM unnest(CAST(:keys AS text[])) k"),
        params)
    conn.execute(sa.text(
        "INSERT INTO aanbod_thema (aanbod_id, thema_slug) SELECT a.id, p.t"
        " FROM unnest(CAST(:keys AS text[]), CAST(:themes AS text[])) AS p(k, t)"
        " JOIN aanbod a ON a.bron = 'test' AND a.bron_id = p.k"), params)
    rows = conn.execute(sa.text(
        "INSERT INTO aanbod_locatie (aanbod_id, locatie_id, bron, bron_id)"
        " SELECT a.id, l.id, 'test', p.k FROM unnest(CAST(:keys AS text[])) WITH ORDINALITY"
        " AS p(k, i) JOIN aanbod a ON a.bron = 'test' AND a.bron_id = p.k"
        " JOIN locatie l ON l.bron = 'test' AND l.bron_id = p.k ORDER BY p.i"
        " RETURNING id, bron_id"), params).all()
    ids = {key: fid for fid, key in rows}
    return [ids[key] for key in keys]


def seed_dense(engine: sa.Engine) -> Dense:
    """Every 7th grid point staff-only (inserted first), the rest public; every 3rd vervoer."""
    x0, y0 = (c - DENSE_STEP * (DENSE_SIDE - 1) / 2 for c in DENSE_CENTRE_RD)
    grid = [(x0 + i * DENSE_STEP, y0 + j * DENSE_STEP)
            for i in range(DENSE_SIDE) for j in range(DENSE_SIDE)]
    hidden = grid[::7]
    shown = [p for k, p in enumerate(grid) if k % 7]
    themes = ["vervoer" if k % 3 == 0 else "meedoen-ontmoeten" for k in range(len(shown))]
    with engine.begin() as conn:
        intern = _services_at(conn, _org(conn, "Intern Raster", zichtbaarheid="intern"),
                              hidden, ["zorg-ondersteuning"] * len(hidden), "intern")
        public = _services_at(conn, _org(conn, "Raster"), shown, themes)
    where = {**dict(zip(intern, hidden, strict=True)), **dict(zip(public, shown, strict=True))}
    vervoer = frozenset(f for f, t in zip(public, themes, strict=True) if t == "vervoer")
    return Dense(engine, where, frozenset(intern), frozenset(public), vervoer)


@pytest.fixture(scope="module")
def dense(databases):
    url = databases.create()
    engine = make_engine(url)
    load_areas(engine, AreaSources.from_manifest(DATA / "gebieden.toml"))
    yield seed_dense(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def dense_conn(dense):
    with dense.engine.connect() as connection:
        yield connection


def expected_cells(dense: Dense, ids, z: int) -> dict[int, int]:
    """Lowest id -> number of points, per thinning cell of zoom ``z`` (as tile.sql groups)."""
    size = tiles.thinning_cell(z)
    cells = defaultdict(list)
    for fid in ids:
        x, y = dense.where[fid]
        cells[(math.floor(x / size), math.floor(y / size))].append(fid)
    return {min(members): len(members) for members in cells.values()}


def dense_tile(conn, dense: Dense, z: int, visibility=PUBLIC, **filters) -> bytes:
    collection = load_catalog(conn)["voorzieningen"]
    return tile(conn, collection, z, *dense.tile(z), visibility, filters)


def test_thinning_cells_are_a_few_pixels_and_halve_per_zoom():
    assert tiles.thinning_cell(tiles.THIN_MAX_ZOOM + 1) is None
    z12 = tiles.thinning_cell(12)
    assert 60 < z12 < 130  # 4 screen pixels at z12, in RD metres
    assert tiles.thinning_cell(11) == 2 * z12 and tiles.thinning_cell(10) == 4 * z12


@pytest.mark.parametrize("z", [10, 11, 12])
def test_a_dense_tile_keeps_the_lowest_id_per_cell_with_its_count(dense_conn, dense, z):
    body = dense_tile(dense_conn, dense, z)
    found = counted(body, "voorzieningen")
    assert found == expected_cells(dense, dense.public, z)
    assert len(found) < len(dense.public) == sum(found.values())


@pytest.mark.parametrize("z", [10, 12])
def test_kept_features_are_real_features_unchanged(dense_conn, dense, z, monkeypatch):
    thinned = {f["id"]: f for f in features(dense_tile(dense_conn, dense, z), "voorzieningen")}
    monkeypatch.setattr(tiles, "THIN_MAX_ZOOM", -1)
    every = {f["id"]: f for f in features(dense_tile(dense_conn, dense, z), "voorzieningen")}
    assert set(every) == dense.public and set(thinned) < set(every)
    for fid, feature in thinned.items():
        assert feature["geometry"] == every[fid]["geometry"]
        assert feature["properties"]["id"] == fid
        assert ({**feature["properties"], "aantal": 1} == every[fid]["properties"])


@pytest.mark.parametrize("z", [13, 16])
def test_above_the_threshold_every_point_is_there_with_aantal_1(dense_conn, dense, z):
    assert tiles.THIN_MAX_ZOOM < 13
    found = counted(dense_tile(dense_conn, dense, z), "voorzieningen")
    assert found == dict.fromkeys(dense.public, 1)


def test_thinning_counts_only_what_the_caller_may_see(dense_conn, dense):
    public = counted(dense_tile(dense_conn, dense, 12), "voorzieningen")
    assert not set(public) & dense.intern
    assert public == expected_cells(dense, dense.public, 12)  # staff-only not even counted
    everyone = counted(dense_tile(dense_conn, dense, 12, EVERYONE), "voorzieningen")
    assert everyone == expected_cells(dense, dense.public | dense.intern, 12)
    assert set(everyone) & dense.intern  # staff see staff-only points stand for their cell


def test_thinning_counts_only_what_the_filters_let_through(dense_conn, dense):
    for z in (11, 12):
        found = counted(dense_tile(dense_conn, dense, z, thema="vervoer"), "voorzieningen")
        assert found == expected_cells(dense, dense.vervoer, z)
        assert sum(found.values()) == len(dense.vervoer)


def test_a_point_kept_at_a_low_zoom_is_kept_at_every_deeper_zoom(dense_conn, dense):
    kept = [set(counted(dense_tile(dense_conn, dense, z), "voorzieningen"))
            for z in range(10, 14)]
    assert kept[0] <= kept[1] <= kept[2] < kept[3] == dense.public


def test_tiles_run_without_jit_and_leave_the_settings_as_they_were(seeded, catalog):
    """Tiles run without JIT and parallel workers (layers.tiles._run), and only they do."""
    show = sa.text("SELECT current_setting('jit'), "
                   "current_setting('max_parallel_workers_per_gather')")
    during = sa.text("SELECT current_setting('jit') || '/' "
                     "|| current_setting('max_parallel_workers_per_gather')")
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
    ids = ["GM0917", "BU09170001", "7-zorg-ondersteuning-GM0917-1-12",
           "7-zorg-ondersteuning-GM0917-11-2"]
    sql = tiles.TEXT_FID_SQL.format(id="i")
    with engine.connect() as conn:
        fids = conn.execute(sa.text(f"SELECT {sql} FROM unnest(CAST(:ids AS text[])) AS i"),
                            {"ids": ids}).scalars().all()
    assert fids[:2] == [917, 9170001]
    assert len(set(fids)) == 4 and all(0 <= f < 2 ** 53 for f in fids)
