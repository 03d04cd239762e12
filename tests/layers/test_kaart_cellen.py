"""The residents' map's cells kept at write time (migration 0025, ``kaart_cel``): a wide
crowded view adds them up (``punten_cellen_bewaard``) and shows the same places, themes and
visibility as grouping every point (``punten_cellen``); the cells follow every edit.
Tested on a database of its own with 6,000 services spread over the Netherlands."""

from __future__ import annotations

import json
import random

import pytest
import sqlalchemy as sa

from layers.pages import kaartpunten
from layers.visibility import Visibility
from tests.layers.test_tiles import _org
from tests.layers.test_tiles_thinning import _services_at

NATION = (3.0, 50.5, 7.5, 53.7)  # lon/lat box of a national first view
PUBLIC = Visibility(("openbaar",))
STAFF = Visibility(("openbaar", "professional", "intern"))


def _positions(rng: random.Random, n: int) -> list[tuple[float, float]]:
    return [(rng.uniform(20_000, 270_000), rng.uniform(310_000, 600_000)) for _ in range(n)]


@pytest.fixture(scope="module")
def nation(databases):
    engine = databases.create_with_areas()
    rng = random.Random(3)
    themes = ["vervoer", "meedoen-ontmoeten", "zorg-ondersteuning"]
    with engine.begin() as conn:
        for vis, n in (("openbaar", 4800), ("professional", 700), ("intern", 500)):
            org = _org(conn, f"Land {vis}", zichtbaarheid=vis)
            where = _positions(rng, n)
            # every 9th service shares the position of the one before (one place, two services)
            where = [where[k - 1] if k % 9 == 8 else p for k, p in enumerate(where)]
            _services_at(conn, org, where, [themes[k % 3] for k in range(n)], vis)
    yield engine
    engine.dispose()


def _kept(conn) -> set[tuple]:
    rows = conn.execute(
        sa.text(
            "SELECT zicht, cx, cy, id, plekken, diensten, round(lon::numeric, 9),"
            " round(lat::numeric, 9), themas FROM kaart_cel"
        )
    )
    return {(*r[:8], tuple(sorted(r[8]))) for r in rows}


def assert_cells_as_from_scratch(engine) -> None:
    with engine.connect() as conn:
        kept = _kept(conn)
        conn.execute(sa.text("SELECT kaart_cel_tellen(NULL, NULL)"))
        assert kept == _kept(conn)
        conn.rollback()


def _summary(body: str) -> tuple[int, set[str], set[int]]:
    cells = json.loads(body)
    assert all(len(c) == 5 for c in cells)
    return sum(c[4] for c in cells), {s for c in cells for s in c[3]}, {c[0][0] for c in cells}


def both(conn, visibility, monkeypatch) -> tuple[str, str]:
    stored = kaartpunten.map_points_json(conn, visibility, NATION)
    with monkeypatch.context() as m:
        m.setattr(kaartpunten, "stored_key", lambda *a: None)
        live = kaartpunten.map_points_json(conn, visibility, NATION)
    return stored, live


def _visible_ids(conn, visibility) -> set[int]:
    levels = list(visibility.levels)
    rows = conn.execute(
        sa.text("SELECT id FROM kaart_punt WHERE zichtbaarheid = ANY(:l)"), {"l": levels}
    )
    return set(rows.scalars())


@pytest.mark.parametrize("visibility", [PUBLIC, STAFF])
def test_a_national_view_adds_up_the_kept_cells(nation, visibility, monkeypatch):
    with nation.connect() as conn:
        stored, live = both(conn, visibility, monkeypatch)
        visible = _visible_ids(conn, visibility)
        places = conn.execute(
            sa.text(
                "SELECT count(DISTINCT (lon, lat)) FROM kaart_punt WHERE zichtbaarheid = ANY(:l)"
            ),
            {"l": list(visibility.levels)},
        ).scalar_one()
    assert stored != live  # the kept cells were read, not every point
    s_places, s_themes, s_ids = _summary(stored)
    l_places, l_themes, l_ids = _summary(live)
    assert s_places == l_places == places
    assert s_themes == l_themes
    assert s_ids <= visible and l_ids <= visible
    assert 0.5 < len(s_ids) / len(l_ids) < 2  # about as many groups as before


def test_nothing_a_role_may_not_see_is_counted(nation, monkeypatch):
    with nation.connect() as conn:
        public, _ = both(conn, PUBLIC, monkeypatch)
        staff, _ = both(conn, STAFF, monkeypatch)
        hidden = _visible_ids(conn, STAFF) - _visible_ids(conn, PUBLIC)
    assert not _summary(public)[2] & hidden
    assert _summary(public)[0] < _summary(staff)[0]


def test_scoped_professionals_and_narrow_views_group_every_point(nation, monkeypatch):
    scoped = Visibility(("openbaar",), ("GM0935",))
    assert kaartpunten.stored_key(scoped) is None
    narrow = (5.6, 50.8, 5.8, 50.9)
    with nation.connect() as conn, monkeypatch.context() as m:
        m.setattr(kaartpunten, "MAX_PLACES", 1)
        stored = kaartpunten.map_points_json(conn, PUBLIC, narrow)
        m.setattr(kaartpunten, "stored_key", lambda *a: None)
        assert stored == kaartpunten.map_points_json(conn, PUBLIC, narrow)


def test_the_kept_cells_follow_every_edit(nation, monkeypatch):
    assert_cells_as_from_scratch(nation)
    rng = random.Random(8)
    with nation.begin() as conn:
        new = _services_at(conn, _org(conn, "Later"), _positions(rng, 30), ["vervoer"] * 30)
    with nation.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE locatie SET geom = ST_Translate(geom, 2000, -900) WHERE id IN "
                "(SELECT locatie_id FROM aanbod_locatie WHERE id = ANY(:ids))"
            ),
            {"ids": new[:10]},
        )
        conn.execute(
            sa.text(
                "UPDATE aanbod SET zichtbaarheid = 'intern' WHERE id IN "
                "(SELECT aanbod_id FROM aanbod_locatie WHERE id = ANY(:ids))"
            ),
            {"ids": new[10:20]},
        )
        conn.execute(
            sa.text(
                "UPDATE aanbod_thema SET thema_slug = 'veiligheid' WHERE aanbod_id IN "
                "(SELECT aanbod_id FROM aanbod_locatie WHERE id = ANY(:ids))"
            ),
            {"ids": new[20:25]},
        )
        conn.execute(sa.text("DELETE FROM aanbod_locatie WHERE id = ANY(:ids)"), {"ids": new[25:]})
    assert_cells_as_from_scratch(nation)
    with nation.connect() as conn:
        stored, live = both(conn, PUBLIC, monkeypatch)
    assert _summary(stored)[:2] == _summary(live)[:2]
    assert "veiligheid" in _summary(stored)[1]


# Migration 0025's grouping of every point (each point joined with each role's levels,
# then grouped by position): the reference for the cells counted in one pass (0026).
CELLS_AS_0025 = """
WITH punt AS (
    SELECT k.*, floor(k.lon / 0.02)::int AS cx, floor(k.lat / 0.0125)::int AS cy
    FROM kaart_punt k
), plek AS (
    SELECT s.zicht, p.cx, p.cy, p.lon, p.lat, min(p.id) AS id, count(*) AS diensten
    FROM punt p JOIN tegel_zicht s ON p.zichtbaarheid = ANY(s.niveaus)
    GROUP BY s.zicht, p.cx, p.cy, p.lon, p.lat
), thema AS (
    SELECT s.zicht, p.cx, p.cy, array_agg(DISTINCT t.slug) AS themas
    FROM punt p JOIN tegel_zicht s ON p.zichtbaarheid = ANY(s.niveaus),
         unnest(p.themas) AS t(slug)
    GROUP BY s.zicht, p.cx, p.cy
)
SELECT c.zicht, c.cx, c.cy, c.id, c.plekken, c.diensten, round(c.lon::numeric, 9),
       round(c.lat::numeric, 9), coalesce(t.themas, '{}')
FROM (SELECT zicht, cx, cy, min(id) AS id, count(*) AS plekken, sum(diensten) AS diensten,
             avg(lon) AS lon, avg(lat) AS lat
      FROM plek GROUP BY zicht, cx, cy) c
LEFT JOIN thema t USING (zicht, cx, cy)
"""


def test_a_first_fill_counts_the_cells_as_grouping_every_point(nation):
    with nation.connect() as conn:
        conn.execute(sa.text("DELETE FROM kaart_punt"))
        assert _kept(conn) == set()
        conn.execute(sa.text("INSERT INTO kaart_punt SELECT * FROM kaart_punt_bron"))
        kept = _kept(conn)
        reference = {(*r[:8], tuple(sorted(r[8]))) for r in conn.execute(sa.text(CELLS_AS_0025))}
        levels = conn.execute(sa.text("SELECT count(DISTINCT zichtbaarheid) FROM kaart_punt"))
        assert levels.scalar_one() == 3
        assert len(kept) > 5000 and kept == reference
        conn.rollback()
