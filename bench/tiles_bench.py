"""Benchmark: cold point tiles at national density, counted live or read from kept cells.

A database on the bench cluster gets the synthetic nation's areas (``bench/national.py``,
``var/national``) and ``--diensten`` services (default 244,473, as many as the nation's
records) placed at a random sample of the nation's synthetic addresses, with visibility
openbaar 85 %, professional 10 %, intern 5 % and one random theme each, inserted in one
transaction (so laag_geojson, kaart_punt and the thinning cells of migration 0025 are
written as by any import). Then, on the same random tiles at service points, in
alternating order:

* ``live``: ``layers.tiles.tile`` with the stored cells switched off (``sql/tile.sql``,
  every point in the tile counted), the tile SQL alone, i.e. a cold tile;
* ``stored``: the same call reading the kept cells (``sql/tile_stored.sql``; at z7-z9 the
  edge points tested against the tile polygon after the strips are read) and, at other
  zooms, counting the narrow copy ``tegel_punt`` instead of the view;
* at z7-z9 also ``stored_sql``: the kept cells read with the polygon test in the strips'
  join, as at zoom 10 (as before this session).

Both answers are decoded and compared for every tile. Also timed: one edited service
(commit, with and without the cell triggers) and all cells built from scratch.
``--keep`` keeps the database (``--db NAME`` reuses it, e.g. for
``bench/frontend_bench.py --db NAME``); ``--overview`` times only z7-z9 (``--tiles`` of them).

    .venv/bin/python bench/tiles_bench.py [--diensten 244473] [--tiles 60] [--keep] [--db NAME]
        [--overview]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import time
import uuid

import mapbox_vector_tile
import pandas as pd
import sqlalchemy as sa
from common import BENCH_CLUSTER, ROOT, machine

from geo import pgcluster
from geo.area_store import load_areas
from geo.areas import AreaSources
from geo.db import make_engine, upgrade
from layers import tile_cells, tiles
from layers.catalog import load_catalog
from layers.visibility import Visibility

NATION = ROOT / "var" / "national"
PUBLIC = Visibility(("openbaar",))
ORIGIN = tiles.ORIGIN


def create_database(name: str) -> sa.Engine:
    """A new migrated database with the nation's areas (about 2 minutes)."""
    pgcluster.start(BENCH_CLUSTER)
    admin = make_engine(BENCH_CLUSTER.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = make_engine(sa.make_url(BENCH_CLUSTER.url(name)))
    upgrade(engine)
    load_areas(engine, AreaSources.from_manifest(NATION / "gebieden.toml"))
    return engine


def seed(engine: sa.Engine, n: int, rng: random.Random) -> float:
    """``n`` services at sampled national addresses, one transaction; seconds to commit."""
    addresses = pd.read_csv(NATION / "adressen.csv", usecols=["x", "y"])
    rows = addresses.sample(n=n, replace=n > len(addresses), random_state=rng.randrange(2**31))
    keys = [f"tb-{k}" for k in range(n)]
    vis = rng.choices(["openbaar", "professional", "intern"], weights=[85, 10, 5], k=n)
    with engine.connect() as conn:
        slugs = list(conn.execute(sa.text("SELECT slug FROM thema")).scalars())
    themes = [rng.choice(slugs) for _ in range(n)]
    params = {
        "keys": keys,
        "vis": vis,
        "themes": themes,
        "orgs": [f"tb-org-{k // 20}" for k in range(n)],
        "xs": rows["x"].astype(float).tolist(),
        "ys": rows["y"].astype(float).tolist(),
    }
    statements = [
        "INSERT INTO organisatie (naam, bron, bron_id, synthetisch) SELECT DISTINCT"
        " 'Bank ' || o, 'bench', o, true FROM unnest(CAST(:orgs AS text[])) o",
        "INSERT INTO locatie (organisatie_id, straat, huisnummer, postcode, woonplaats, geom,"
        " geocode_precisie, bron, bron_id) SELECT g.id, 'Bankstraat', 1, '6211AA', 'Ergens',"
        " ST_SetSRID(ST_MakePoint(p.x, p.y), 28992), 'adres', 'bench', p.k"
        " FROM unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[]), CAST(:keys AS text[]),"
        " CAST(:orgs AS text[])) AS p(x, y, k, o) JOIN organisatie g"
        " ON g.bron = 'bench' AND g.bron_id = p.o",
        "INSERT INTO aanbod (organisatie_id, naam, bron, bron_id, zichtbaarheid)"
        " SELECT g.id, 'Dienst ' || p.k, 'bench', p.k, CAST(p.v AS zichtbaarheid)"
        " FROM unnest(CAST(:keys AS text[]), CAST(:vis AS text[]), CAST(:orgs AS text[]))"
        " AS p(k, v, o) JOIN organisatie g ON g.bron = 'bench' AND g.bron_id = p.o",
        "INSERT INTO aanbod_thema (aanbod_id, thema_slug) SELECT a.id, p.t"
        " FROM unnest(CAST(:keys AS text[]), CAST(:themes AS text[])) AS p(k, t)"
        " JOIN aanbod a ON a.bron = 'bench' AND a.bron_id = p.k",
        "INSERT INTO aanbod_locatie (aanbod_id, locatie_id, bron, bron_id)"
        " SELECT a.id, l.id, 'bench', a.bron_id FROM aanbod a"
        " JOIN locatie l ON l.bron = 'bench' AND l.bron_id = a.bron_id WHERE a.bron = 'bench'",
    ]
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(sa.text(statement), params)
        began = time.perf_counter()
        conn.commit()
        return time.perf_counter() - began


def tile_of(x: float, y: float, z: int) -> tuple[int, int]:
    size = 2 * ORIGIN / 2**z
    return int((x + ORIGIN) // size), int((ORIGIN - y) // size)


def tile_list(engine, zooms, count: int, rng: random.Random) -> list[tuple[int, int, int]]:
    with engine.connect() as conn:
        points = conn.execute(
            sa.text(
                "SELECT ST_X(g), ST_Y(g) FROM (SELECT ST_Transform(geom, 3857) AS g"
                " FROM tegel_punt TABLESAMPLE SYSTEM (5)) s"
            )
        ).all()
    picked = rng.sample(points, count)
    out = []
    for x, y in picked:
        z = rng.choice(zooms)
        out.append((z, *tile_of(x, y, z)))
    return out


def _decoded(body: bytes) -> dict:
    if not body:
        return {}
    layer = mapbox_vector_tile.decode(body)["voorzieningen"]["features"]
    return {f["id"]: (f["properties"]["aantal"], str(f["geometry"])) for f in layer}


def time_tiles(engine, tile_ids, kinds=("live", "stored")) -> dict[str, list[float]]:
    """Cold tile SQL per tile, ``kinds`` in alternating order; answers compared.

    ``live`` counts every point (``sql/tile.sql``), ``stored`` reads the kept cells as
    ``layers.tiles`` does, ``stored_sql`` reads them with the polygon test in the join at every
    stored zoom (the polygon test in the strips' join, as at zoom 10).
    """
    real, copy, overview = tiles.stored_levels, tiles.reads_copy, tile_cells.OVERVIEW_ZOOMS
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    with engine.connect() as conn:
        collection = load_catalog(conn)["voorzieningen"]
        for i, (z, x, y) in enumerate(tile_ids):
            bodies = {}
            for kind in kinds if i % 2 else kinds[::-1]:
                tiles.stored_levels = real if kind != "live" else (lambda *a: None)
                tiles.reads_copy = copy if kind != "live" else (lambda *a: False)
                tile_cells.OVERVIEW_ZOOMS = overview if kind != "stored_sql" else range(0)
                began = time.perf_counter()
                bodies[kind] = tiles.tile(conn, collection, z, x, y, PUBLIC)
                times[kind].append((time.perf_counter() - began) * 1000)
                conn.rollback()
            tiles.stored_levels, tiles.reads_copy = real, copy
            tile_cells.OVERVIEW_ZOOMS = overview
            first = _decoded(bodies[kinds[0]])
            assert all(_decoded(bodies[k]) == first for k in kinds[1:]), (z, x, y)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _say(label: str, times: dict[str, list[float]]) -> None:
    for kind, values in times.items():
        print(
            f"{label} {kind:6s}: p50 {statistics.median(values):6.1f} ms, p95 {p95(values):6.1f}"
            f" ms, max {max(values):6.1f} ms over {len(values)} tiles"
        )
    for kind in (k for k in times if k != "stored"):
        ratio = p95(times[kind]) / p95(times["stored"])
        print(f"{label} p95 {kind}/stored: {ratio:.2f}x")


def time_edits(engine, runs: int = 10) -> dict[str, float]:
    """Median commit of moving one service 10 m, with and without the cell triggers."""
    out = {}
    triggers = [
        f"{table} {verb}"
        for table, prefix in (("laag_geojson", "tegel"), ("kaart_punt", "kaart_cel"))
        for verb in (f"TRIGGER {prefix}_ins", f"TRIGGER {prefix}_upd", f"TRIGGER {prefix}_del")
    ]
    with engine.connect() as conn:
        ids = list(conn.execute(sa.text("SELECT id FROM locatie ORDER BY random() LIMIT 40")))
    for label, enable in (("with cells", True), ("without cells", False)):
        with engine.begin() as conn:
            for t in triggers:
                table, trigger = t.split(" ", 1)
                verb = "ENABLE" if enable else "DISABLE"
                conn.execute(sa.text(f"ALTER TABLE {table} {verb} {trigger}"))
        spent = []
        for (lid,) in ids[:runs] if enable else ids[runs : 2 * runs]:
            began = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(
                    sa.text("UPDATE locatie SET geom = ST_Translate(geom, 10, 0) WHERE id = :id"),
                    {"id": lid},
                )
            spent.append((time.perf_counter() - began) * 1000)
        out[label] = statistics.median(spent)
    with engine.begin() as conn:
        for t in triggers:
            table, trigger = t.split(" ", 1)
            conn.execute(sa.text(f"ALTER TABLE {table} ENABLE {trigger}"))
        began = time.perf_counter()
        conn.execute(sa.text("DELETE FROM tegel_punt"))
        conn.execute(sa.text("SELECT tegel_bijwerken(NULL)"))
        out["rebuild all cells"] = (time.perf_counter() - began) * 1000
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--diensten", type=int, default=244_473)
    parser.add_argument("--tiles", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db", help="reuse this database (made with --keep)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--overview",
        action="store_true",
        help="only z7-z9: live, stored and tile_stored.sql side by side (--tiles of them)",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(machine())
    name = args.db or f"sk_tiles_{uuid.uuid4().hex[:8]}"
    if args.db:
        pgcluster.start(BENCH_CLUSTER)
        engine = make_engine(sa.make_url(BENCH_CLUSTER.url(name)))
    else:
        began = time.perf_counter()
        engine = create_database(name)
        print(f"database {name}: migrated, national areas in {time.perf_counter() - began:.0f} s")
        commit = seed(engine, args.diensten, rng)
        print(f"{args.diensten} services inserted; commit (stored text, cells) {commit:.1f} s")
    try:
        measure(engine, args, rng)
    finally:
        engine.dispose()
        if not args.keep and not args.db:
            admin = make_engine(BENCH_CLUSTER.url("postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        elif not args.db:
            print(f"kept database {name}")


def measure(engine, args, rng) -> None:
    """Tiles live and stored at three zoom ranges, then the cost of edits."""
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
        conn.commit()
        n = conn.execute(sa.text("SELECT count(*) FROM tegel_punt")).scalar_one()
        cells = conn.execute(sa.text("SELECT count(*) FROM tegel_cel")).scalar_one()
    print(f"tegel_punt {n} rows, tegel_cel {cells} rows; load: {uptime()}")
    if args.overview:
        ids = tile_list(engine, [7, 8, 9], args.tiles, rng)
        _say("z7-z9  ", time_tiles(engine, ids, ("live", "stored", "stored_sql")))
        print(f"load after: {uptime()}")
        return
    _say("z10-z12", time_tiles(engine, tile_list(engine, [10, 11, 12], args.tiles, rng)))
    _say("z10-z16", time_tiles(engine, tile_list(engine, list(range(10, 17)), args.tiles, rng)))
    z7_z9 = tile_list(engine, [7, 8, 9], args.tiles // 2, rng)
    _say("z7-z9  ", time_tiles(engine, z7_z9, ("live", "stored", "stored_sql")))
    for label, ms in time_edits(engine).items():
        print(f"edit: {label}: {ms:.0f} ms")
    print(f"load after: {uptime()}")


def uptime() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


if __name__ == "__main__":
    main()
