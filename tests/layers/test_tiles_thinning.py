"""Point thinning in vector tiles up to ``tiles.THIN_MAX_ZOOM``: one feature per cell, the
lowest id, with ``aantal``; tested on a database of its own with 400 services on a 10 m grid
(``dense``). Helpers and the seeding functions come from ``test_tiles.py``."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from pyproj import Transformer

from layers import tile_grid, tiles
from layers.catalog import load_catalog
from layers.tiles import tile
from tests.layers.test_tiles import (
    EVERYONE,
    PUBLIC,
    _org,
    counted,
    features,
    tile_xy,
)

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


def _services_at(
    conn: sa.Connection,
    org: int,
    positions: list[tuple[float, float]],
    themes: list[str],
    zichtbaarheid: str = "openbaar",
) -> list[int]:
    """One service per RD position, set-based; their feature ids in the order given."""
    keys = [f"dicht-{org}-{k}" for k in range(len(positions))]
    params = {
        "org": org,
        "keys": keys,
        "themes": themes,
        "vis": zichtbaarheid,
        "xs": [p[0] for p in positions],
        "ys": [p[1] for p in positions],
    }
    conn.execute(
        sa.text(
            "INSERT INTO locatie (organisatie_id, straat, huisnummer, postcode, woonplaats, geom,"
            " geocode_precisie, bron, bron_id) SELECT :org, 'Rasterstraat', 1, '6211AA',"
            " 'Maastricht', ST_SetSRID(ST_MakePoint(x, y), 28992), 'adres', 'test', k"
            " FROM unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[]), CAST(:keys AS text[]))"
            " AS p(x, y, k)"
        ),
        params,
    )
    conn.execute(
        sa.text(
            "INSERT INTO aanbod (organisatie_id, naam, bron, bron_id, zichtbaarheid)"
            " SELECT :org, 'Dienst ' || k, 'test', k, :vis FROM unnest(CAST(:keys AS text[])) k"
        ),
        params,
    )
    conn.execute(
        sa.text(
            "INSERT INTO aanbod_thema (aanbod_id, thema_slug) SELECT a.id, p.t"
            " FROM unnest(CAST(:keys AS text[]), CAST(:themes AS text[])) AS p(k, t)"
            " JOIN aanbod a ON a.bron = 'test' AND a.bron_id = p.k"
        ),
        params,
    )
    rows = conn.execute(
        sa.text(
            "INSERT INTO aanbod_locatie (aanbod_id, locatie_id, bron, bron_id)"
            " SELECT a.id, l.id, 'test', p.k FROM unnest(CAST(:keys AS text[])) WITH ORDINALITY"
            " AS p(k, i) JOIN aanbod a ON a.bron = 'test' AND a.bron_id = p.k"
            " JOIN locatie l ON l.bron = 'test' AND l.bron_id = p.k ORDER BY p.i"
            " RETURNING id, bron_id"
        ),
        params,
    ).all()
    ids = {key: fid for fid, key in rows}
    return [ids[key] for key in keys]


def seed_dense(engine: sa.Engine) -> Dense:
    """Every 7th grid point staff-only (inserted first), the rest public; every 3rd vervoer."""
    x0, y0 = (c - DENSE_STEP * (DENSE_SIDE - 1) / 2 for c in DENSE_CENTRE_RD)
    grid = [
        (x0 + i * DENSE_STEP, y0 + j * DENSE_STEP)
        for i in range(DENSE_SIDE)
        for j in range(DENSE_SIDE)
    ]
    hidden = grid[::7]
    shown = [p for k, p in enumerate(grid) if k % 7]
    themes = ["vervoer" if k % 3 == 0 else "meedoen-ontmoeten" for k in range(len(shown))]
    with engine.begin() as conn:
        intern = _services_at(
            conn,
            _org(conn, "Intern Raster", zichtbaarheid="intern"),
            hidden,
            ["zorg-ondersteuning"] * len(hidden),
            "intern",
        )
        public = _services_at(conn, _org(conn, "Raster"), shown, themes)
    where = {**dict(zip(intern, hidden, strict=True)), **dict(zip(public, shown, strict=True))}
    vervoer = frozenset(f for f, t in zip(public, themes, strict=True) if t == "vervoer")
    return Dense(engine, where, frozenset(intern), frozenset(public), vervoer)


@pytest.fixture(scope="module")
def dense(databases):
    engine = databases.create_with_areas()
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
    monkeypatch.setattr(tile_grid, "THIN_MAX_ZOOM", -1)
    every = {f["id"]: f for f in features(dense_tile(dense_conn, dense, z), "voorzieningen")}
    assert set(every) == dense.public and set(thinned) < set(every)
    for fid, feature in thinned.items():
        assert feature["geometry"] == every[fid]["geometry"]
        assert feature["properties"]["id"] == fid
        assert {**feature["properties"], "aantal": 1} == every[fid]["properties"]


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
    kept = [set(counted(dense_tile(dense_conn, dense, z), "voorzieningen")) for z in range(10, 14)]
    assert kept[0] <= kept[1] <= kept[2] < kept[3] == dense.public
