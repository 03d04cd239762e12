"""Area scope: a professional sees professional-only records inside their areas only.

One small database with three organisations: a public one and two professional-only ones,
one in Heerlen, one in Maastricht. A professional scoped to the Heerlen wijk sees the
Heerlen record in every output (OGC items and single features, extent, tiles, CSV and
GeoPackage exports, map points, search API and list, organisation page, print page); a
professional scoped to the Maastricht wijk and an anonymous visitor do not. The layer
cache is on, so a scoped answer kept in the cache must never reach another caller.
"""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import mapbox_vector_tile
import pytest
import sqlalchemy as sa

from geo.accounts import create_user
from server import create_app
from tests.conftest import app_config
from tests.layers.test_tiles import tile_xy
from tests.server.test_auth import PASSWORD, login

HEERLEN = (5.9800, 50.8878)  # lon, lat: Heerlen centrum
MAASTRICHT = (5.6910, 50.8510)  # Maastricht centrum
WIJKTEAM = "Wijkteam Heerlen-Centrum"
CRISIS = "Crisisopvang Maas"
PUBLIC_ORG = "Buurthuis De Bongerd"
FIELDS = ("id", "organisatie", "aanbod", "thema", "doelgroep", "lat", "lon", "telefoon")


def _csv(path: Path) -> Path:
    rows = [
        ("p1", PUBLIC_ORG, "Koffieochtend", "meedoen-ontmoeten", "iedereen", HEERLEN, "045 1"),
        ("p2", WIJKTEAM, "Wijkteam", "zorg-ondersteuning", "iedereen", HEERLEN, "045 2"),
        ("p3", CRISIS, "Crisisbedden", "zorg-ondersteuning", "iedereen", MAASTRICHT, "043 3"),
    ]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(FIELDS)
        for rid, org, svc, thema, groep, (lon, lat), tel in rows:
            writer.writerow((rid, org, svc, thema, groep, lat + 0.0001, lon + 0.0001, tel))
    return path


def build_scope_database(databases, **settings) -> tuple:
    """App, owner URL and facts of a database with one public and two professional records.

    Accounts: ``heerlen@`` (professional, the Heerlen record's wijk), ``maastricht@``
    (professional, the Maastricht record's wijk), ``overal@`` (professional without an
    area), ``redacteur@``. Returns ``(app, url, facts)``; facts holds the organisation ids,
    the aanbod_locatie ids and the area codes of both professional records.
    """
    engine = databases.create_with_areas()
    url = engine.url
    app = create_app(app_config(url, LAYER_CACHE_MB=16, MAIL_DIR=tempfile.mkdtemp(), **settings))
    source = _csv(Path(tempfile.mkdtemp()) / "scope.csv")
    result = app.test_cli_runner().invoke(
        args=["organisations", "import", str(source), "--bron", "scope-test"]
    )
    assert result.exit_code == 0, result.output
    facts: dict = {}
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE organisatie SET zichtbaarheid = 'professional' WHERE naam = ANY(:n)"),
            {"n": [WIJKTEAM, CRISIS]},
        )
        for key, name in (("heerlen", WIJKTEAM), ("maastricht", CRISIS), ("public", PUBLIC_ORG)):
            row = conn.execute(
                sa.text(
                    "SELECT o.id AS org, al.id AS fid, l.buurtcode, l.wijkcode, l.gemeentecode "
                    "FROM organisatie o JOIN locatie l ON l.organisatie_id = o.id "
                    "JOIN aanbod_locatie al ON al.locatie_id = l.id WHERE o.naam = :n"
                ),
                {"n": name},
            ).one()
            facts[key] = row._asdict()
        assert facts["heerlen"]["wijkcode"] and facts["maastricht"]["wijkcode"]
        create_user(
            conn, "heerlen@example.nl", "professional", PASSWORD,
            gebieden=(facts["heerlen"]["wijkcode"],),
        )  # fmt: skip
        create_user(
            conn, "maastricht@example.nl", "professional", PASSWORD,
            gebieden=(facts["maastricht"]["wijkcode"],),
        )  # fmt: skip
        create_user(conn, "overal@example.nl", "professional", PASSWORD)
        create_user(conn, "redacteur@example.nl", "redacteur", PASSWORD)
    engine.dispose()
    app.config["OWNER_URL"] = url
    return app, url, facts


@pytest.fixture(scope="module")
def scoped(databases):
    return build_scope_database(databases)


def clear_limits(app) -> None:
    """Reset the rate-limit counters (every test signs in several times)."""
    engine = sa.create_engine(app.config["OWNER_URL"])
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT limiet_wissen(NULL)"))
    engine.dispose()


def _client(app, who: str | None):
    client = app.test_client()
    if who:
        clear_limits(app)
        assert login(client, who).status_code == 302
    return client


def _outputs(client, facts) -> dict[str, str]:
    """Every output as text (GeoPackage as latin-1 bytes), keyed by a short name."""
    fid = facts["heerlen"]["fid"]
    org = facts["heerlen"]["org"]
    lon, lat = HEERLEN
    x, y = tile_xy((lon + 0.0001, lat + 0.0001), 15)
    tile = client.get(f"/ogc/collections/voorzieningen/tiles/WebMercatorQuad/15/{y}/{x}")
    names = []
    if tile.status_code == 200:
        for layer in mapbox_vector_tile.decode(tile.data).values():
            names += [str(f["properties"].get("organisatie")) for f in layer["features"]]
    single = client.get(f"/ogc/collections/voorzieningen/items/{fid}")
    return {
        "items": client.get("/ogc/collections/voorzieningen/items?limit=1000").get_data(True),
        "thema": client.get("/ogc/collections/zorg-ondersteuning/items").get_data(True),
        "item": single.get_data(True) if single.status_code == 200 else "",
        "csv": client.get("/ogc/collections/voorzieningen/items?f=csv").get_data(True),
        "gpkg": client.get("/ogc/collections/voorzieningen/items?f=gpkg").data.decode("latin-1"),
        "tile": " ".join(names),
        "punten": client.get("/kaart/punten.json").get_data(True),
        "zoeken": client.get("/api/zoeken?q=wijkteam").get_data(True),
        "lijst": client.get("/lijst?q=wijkteam").get_data(True),
        "organisatie": client.get(f"/organisatie/{org}").get_data(True),
        "print": client.get(f"/print/{facts['heerlen']['wijkcode']}").get_data(True),
    }


def _sees(outputs: dict[str, str], facts) -> dict[str, bool]:
    fid = str(facts["heerlen"]["fid"])
    seen = {k: WIJKTEAM in v for k, v in outputs.items() if k != "punten"}
    # one entry per place: [[service id, ...], lon, lat, themes]
    seen["punten"] = int(fid) in {i for p in json.loads(outputs["punten"]) for i in p[0]}
    return seen


def test_in_scope_professional_sees_the_record_in_every_output(scoped):
    app, _, facts = scoped
    seen = _sees(_outputs(_client(app, "heerlen@example.nl"), facts), facts)
    assert all(seen.values()), seen


@pytest.mark.parametrize("who", [None, "maastricht@example.nl"])
def test_outside_scope_and_anonymous_never_see_it(scoped, who):
    app, _, facts = scoped
    # Warm every cache with the in-scope answers first.
    _outputs(_client(app, "heerlen@example.nl"), facts)
    outputs = _outputs(_client(app, who), facts)
    seen = _sees(outputs, facts)
    assert not any(seen.values()), seen
    assert PUBLIC_ORG in outputs["items"] and PUBLIC_ORG in outputs["print"]


def test_out_of_scope_professional_sees_their_own_area(scoped):
    app, _, facts = scoped
    client = _client(app, "maastricht@example.nl")
    body = client.get("/ogc/collections/voorzieningen/items").get_data(True)
    assert CRISIS in body and WIJKTEAM not in body
    assert client.get(f"/organisatie/{facts['maastricht']['org']}").status_code == 200
    assert client.get(f"/organisatie/{facts['heerlen']['org']}").status_code == 404


def test_unscoped_professional_and_editor_see_both(scoped):
    app, _, facts = scoped
    for who in ("overal@example.nl", "redacteur@example.nl"):
        body = _client(app, who).get("/ogc/collections/voorzieningen/items").get_data(True)
        assert CRISIS in body and WIJKTEAM in body


def test_extent_count_follows_the_scope(scoped):
    app, _, _ = scoped
    counts = {
        who: _client(app, who).get("/ogc/collections/voorzieningen").json["itemCount"]
        for who in (None, "heerlen@example.nl", "maastricht@example.nl", "overal@example.nl")
    }
    assert counts == {
        None: 1,
        "heerlen@example.nl": 2,
        "maastricht@example.nl": 2,
        "overal@example.nl": 3,
    }


def test_scoped_answers_are_private(scoped):
    app, _, facts = scoped
    client = _client(app, "heerlen@example.nl")
    for path in ("/ogc/collections/voorzieningen/items", "/kaart/punten.json"):
        assert "no-store" in client.get(path).headers["Cache-Control"]
    anonymous = app.test_client().get("/kaart/punten.json")
    scoped_etag = client.get("/kaart/punten.json").headers["ETag"]
    assert anonymous.headers["ETag"] != scoped_etag


def test_confidential_location_stays_generalised_in_public_outputs(scoped):
    app, url, facts = scoped
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE locatie SET vertrouwelijk = true WHERE organisatie_id = :o"),
            {"o": facts["heerlen"]["org"]},
        )
    try:
        client = _client(app, "heerlen@example.nl")
        feature = client.get(f"/ogc/collections/voorzieningen/items/{facts['heerlen']['fid']}")
        assert feature.json["properties"]["geocode_precisie"] == "buurt"
    finally:
        with engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE locatie SET vertrouwelijk = false WHERE organisatie_id = :o"),
                {"o": facts["heerlen"]["org"]},
            )
        engine.dispose()
