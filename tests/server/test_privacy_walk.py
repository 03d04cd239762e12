"""One walk over every public output: hidden records never leave anonymously.

A database is built through the real import with four kinds of record that the public
must not see in full: an internal organisation, a professional-only service at its own
location, a confidential shelter location (public organisation, hidden address) and a
contact person. Then every output an anonymous user can reach is read — OGC JSON, HTML,
CSV and GeoPackage, single features, decoded vector tiles, the map's points, search
(text, area, ``dichtbij``, suggestions), the list, the organisation pages, print HTML and
PDF text, and the exports per role — and none may contain the hidden names, addresses,
contacts, or a position within 50 m of a hidden point. The records, the roles and the
checker (``assert_clean``) are in tests/server/privacy_world.py.
"""

from __future__ import annotations

import io
import math
import re
import sqlite3
import tempfile
from pathlib import Path

import mapbox_vector_tile
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from geo.accounts import create_user
from geo.postcode_loader import load_postcodes
from geo.records.export import export_file
from geo.records.importer import import_file
from server import create_app
from tests.conftest import DATA, url_string
from tests.server.privacy_world import (
    ACCOUNTS,
    CURRENT,
    PASSWORD,
    ROLES,
    ROWS,
    SECRET_POINTS,
    Walker,
    assert_clean,
    current_secrets,
    near_secret,
    world_csv,
)


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    engine = databases.create_with_areas()
    load_postcodes(
        engine, DATA / "pc6_maastricht_centroids_cbs2021.csv", DATA / "pc4_zuid_limburg.csv"
    )
    path = tmp_path_factory.mktemp("privacy") / "sociale_kaart.csv"
    path.write_text(world_csv(ROWS), encoding="utf-8")
    result = import_file(engine, path, bron="privacytest")
    assert result.rejects == [] and result.inserted == len(ROWS), result.rejects
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO contactpersoon (organisatie_id, naam, functie, telefoon, email) "
                "SELECT id, 'Geheime Contactpersoon', 'coördinator', '06-99887766', "
                "'geheim.contact@intern.example' FROM organisatie"
            )
        )
        ids = dict(conn.execute(sa.text("SELECT naam, id FROM organisatie")).all())
        hidden = (
            conn.execute(
                sa.text(
                    "SELECT al.id FROM aanbod_locatie al JOIN locatie l ON l.id = al.locatie_id "
                    "JOIN aanbod a ON a.id = al.aanbod_id WHERE l.vertrouwelijk "
                    "OR l.zichtbaarheid <> 'openbaar' OR a.zichtbaarheid <> 'openbaar'"
                )
            )
            .scalars()
            .all()
        )
    assert len(hidden) == 3
    yield engine, ids, hidden
    engine.dispose()


@pytest.fixture(scope="module")
def walk_app(world):
    app = create_app(
        {"DATABASE_URL": url_string(world[0].url), "TESTING": True, "RATELIMIT_ENABLED": False}
    )
    with world[0].begin() as conn:
        for role, (rol, gemeenten, gebieden) in ACCOUNTS.items():
            create_user(
                conn, f"{role}@walk.example", rol, PASSWORD, gemeenten=gemeenten, gebieden=gebieden
            )
    return app


@pytest.fixture(scope="module", params=list(ROLES))
def anon(walk_app, request):
    """Despite its name: the walk runs anonymously and as every signed-in role."""
    client = walk_app.test_client()
    if request.param in ACCOUNTS:
        form = client.get("/beheer/inloggen").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        response = client.post(
            "/beheer/inloggen",
            data={
                "email": f"{request.param}@walk.example",
                "wachtwoord": PASSWORD,
                "csrf_token": token,
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    return Walker(client, request.param)


@pytest.fixture(autouse=True)
def _current_walker(request):
    CURRENT.clear()
    if "anon" in request.fixturenames:
        CURRENT.append(request.getfixturevalue("anon"))
    yield


def test_the_hidden_records_are_really_there(world):
    """Guard: the walk below must have something to find (the professional and owner
    views still hold every hidden record)."""
    engine, ids, hidden = world
    with engine.connect() as conn:
        names = set(
            conn.execute(
                sa.text(
                    "SELECT l.naam FROM locatie l WHERE l.vertrouwelijk OR l.zichtbaarheid <> "
                    "'openbaar'"
                )
            ).scalars()
        )
    assert {"Blijfhuis Zonnebloem", "Kastanjehof Achterzaal", "Achterkamer Vijverdal"} <= names
    assert "Intern Beraad Kastanje" in ids


def _collections(anon) -> list[str]:
    return [c["id"] for c in anon.get("/ogc/collections").json["collections"]]


def test_ogc_outputs(anon):
    for cid in _collections(anon):
        base = f"/ogc/collections/{cid}"
        for suffix in ("", "/queryables"):
            assert_clean(anon.get(base + suffix).get_data(as_text=True), base + suffix)
        for fmt in ("json", "html", "csv"):
            response = anon.get(f"{base}/items?limit=500&f={fmt}")
            assert response.status_code == 200, (cid, fmt)
            assert_clean(response.get_data(as_text=True), f"{cid} f={fmt}")
    for path in ("/ogc", "/ogc/api", "/ogc/collections", "/ogc/conformance"):
        assert_clean(anon.get(path).get_data(as_text=True), path)


def test_geopackage_download(anon):
    data = anon.get("/ogc/collections/voorzieningen/items?f=gpkg").data
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.gpkg"
        path.write_bytes(data)
        db = sqlite3.connect(path)
        rows = db.execute("SELECT * FROM voorzieningen").fetchall()
        db.close()
    assert rows
    for secret in current_secrets()[0]:
        assert secret.encode() not in data
    text = "\n".join(",".join(str(v) for v in row if not isinstance(v, bytes)) for row in rows)
    assert_clean(text, "gpkg attributes")
    import geopandas as gpd

    frame = gpd.read_file(io.BytesIO(data), layer="voorzieningen").to_crs(4326)
    assert not any(near_secret(p.x, p.y) for p in frame.geometry)


def test_single_features_hide_or_generalise(anon, world):
    for fid in world[2]:
        response = anon.get(f"/ogc/collections/voorzieningen/items/{fid}")
        assert response.status_code in (200, 404)
        assert_clean(response.get_data(as_text=True), f"feature {fid}")


def _tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _tile_lonlat(px: float, py: float, z: int, x: int, y: int) -> tuple[float, float]:
    n = 2**z
    lon = (x + px / 4096) / n * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + py / 4096) / n))))
    return lon, lat


def test_vector_tiles(anon):
    seen = 0
    for cid in ("voorzieningen", "veiligheid", "zorg-ondersteuning"):
        for lon, lat in SECRET_POINTS:
            for z in (10, 13, 16):
                x, y = _tile(lon, lat, z)
                response = anon.get(f"/ogc/collections/{cid}/tiles/WebMercatorQuad/{z}/{y}/{x}")
                assert response.status_code in (200, 204), response.status_code
                if not response.data:
                    continue
                layers = mapbox_vector_tile.decode(
                    response.data, default_options={"y_coord_down": True}
                )
                for layer in layers.values():
                    for feature in layer["features"]:
                        seen += 1
                        assert_clean(str(feature["properties"]), f"tile {cid} {z}")
                        if feature["geometry"]["type"] == "Point":
                            px, py = feature["geometry"]["coordinates"]
                            assert not near_secret(*_tile_lonlat(px, py, z, x, y)), cid
    assert seen  # the shelter's generalised point and its neighbours are in these tiles


def test_map_place_popups(anon, world):
    """Every popup of a visible place, and the hidden services asked for directly."""
    places = anon.get("/kaart/punten.json").json
    assert places
    ids = [sid for place in places for sid in place[0]]
    for sid in ids + list(world[2]):
        response = anon.get(f"/kaart/plek/{sid}.json")
        assert response.status_code in (200, 404), sid
        assert_clean(response.get_data(as_text=True), f"/kaart/plek/{sid}.json")


def test_map_points(anon):
    assert_clean(anon.get("/kaart/punten.json").get_data(as_text=True), "punten.json")


SEARCHES = [
    {"q": "Zonnebloem"},
    {"q": "Verborgenlaan"},
    {"q": "Kastanje"},
    {"q": "casusoverleg"},
    {"q": "opvang"},
    {"q": "Vijverdal"},
    {"q": "opvang", "dichtbij": "Banholt"},
    {"dichtbij": "Banholt"},
    {"dichtbij": "Kasteeldorp Oost"},
    {"gebied": "Kasteeldorp Oost"},
    {"gebied": "Kasteeldorp Oostt"},
    {"q": "opvang in Banholt"},
    {"dichtbij": "6262 NB"},
    {"dichtbij": "Verborgenlaan 7, Banholt"},
    {"dichtbij": "Dienstingang 2, Maastricht"},
    {"q": "zorg", "dichtbij": "Vijverdal"},
    {"gebied": "Vijverdal"},
]


@pytest.mark.parametrize(
    "params", SEARCHES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items())
)
def test_search_and_list(anon, params):
    asked = tuple(w for v in params.values() for w in v.replace(",", " ").split() if len(w) > 3)
    api = anon.get("/api/zoeken", query_string=params)
    assert api.status_code == 200
    assert_clean(api.get_data(as_text=True), f"/api/zoeken {params}", asked)
    page = anon.get("/lijst", query_string=params)
    assert page.status_code == 200
    assert_clean(page.get_data(as_text=True), f"/lijst {params}", asked)


def test_dichtbij_reference_point_is_public_geography(anon, world):
    """'dichtbij=Banholt' is the CBS point of Banholt's PC4, not the shelter's address."""
    with world[0].connect() as conn:
        lon, lat = conn.execute(
            sa.text(
                "SELECT ST_X(ST_Transform(geom, 4326)), ST_Y(ST_Transform(geom, 4326)) "
                "FROM postcode4 WHERE pc4 = '6262'"
            )
        ).one()
    point = anon.get("/api/zoeken", query_string={"dichtbij": "Banholt", "limit": 1}).json
    assert point["dichtbij"]["lon"] == pytest.approx(lon, abs=1e-5)
    assert point["dichtbij"]["lat"] == pytest.approx(lat, abs=1e-5)
    unknown = anon.get("/api/zoeken", query_string={"dichtbij": "Kasteeldorp Oost"}).json
    assert unknown["dichtbij"] is None and "niet vinden" in unknown["melding"]
    misspelt = anon.get("/api/zoeken", query_string={"gebied": "Kasteeldorp Oostt"}).json
    assert misspelt["total"] == 0 and "Bedoelt u" not in misspelt["melding"]


def test_organisation_pages(anon, world):
    ids = world[1]
    for name, oid in ids.items():
        response = anon.get(f"/organisatie/{oid}")
        if name == "Intern Beraad Kastanje" and anon.role != "redacteur":
            assert response.status_code == 404
        else:
            assert response.status_code == 200
        assert_clean(response.get_data(as_text=True), f"/organisatie/{oid}")


@pytest.mark.parametrize("q", ["Kastanje", "Zonnebloem", "Vijverdal", "Veilig", "casusoverleg"])
def test_self_registration_search(anon, q):
    """/aanmelden finds existing organisations to change: published, public ones only."""
    response = anon.get("/aanmelden", query_string={"q": q})
    assert response.status_code == 200
    # A public page: whoever is signed in, it lists public organisations only.
    assert_clean(response.get_data(as_text=True), f"/aanmelden?q={q}", (q,), public_only=True)


def test_self_registration_prefill(anon, world):
    """The change form is prefilled with public, non-confidential data only."""
    for name, oid in world[1].items():
        response = anon.get(f"/aanmelden/wijziging/{oid}")
        if name == "Intern Beraad Kastanje":
            assert response.status_code == 404
        else:
            assert response.status_code == 200
        assert_clean(
            response.get_data(as_text=True), f"/aanmelden/wijziging/{oid}", public_only=True
        )
    for path in ("/aanmelden/nieuw", "/aanmelden/bedankt"):
        assert_clean(anon.get(path).get_data(as_text=True), path)


def test_hsds_api(anon):
    """The HSDS API is public records only, whoever asks (confidential ones generalised)."""
    for path in ("/hsds/", "/hsds/taxonomies", "/hsds/taxonomy_terms?per_page=500"):
        response = anon.get(path)
        assert response.status_code == 200, path
        assert_clean(response.get_data(as_text=True), path, public_only=True)
    for kind in ("services", "organizations", "service_at_locations"):
        listing = anon.get(f"/hsds/{kind}?per_page=500")
        assert listing.status_code == 200, kind
        assert_clean(listing.get_data(as_text=True), kind, public_only=True)
        contents = listing.json["contents"]
        assert contents, kind
        for item in contents:
            single = anon.get(f"/hsds/{kind}/{item['id']}")
            assert single.status_code == 200
            assert_clean(
                single.get_data(as_text=True), f"/hsds/{kind}/{item['id']}", public_only=True
            )


def test_wijk_pages_by_role(anon, world):
    """The wijk of the hidden records: login for anonymous, 403 out of scope, else whole."""
    with world[0].connect() as conn:
        wijk = conn.execute(
            sa.text("SELECT wijkcode FROM locatie WHERE naam = 'Achterkamer Vijverdal'")
        ).scalar_one()
    for path in (f"/wijk/{wijk}", f"/wijk/{wijk}/print"):
        response = anon.get(path)
        if anon.role == "publiek":
            assert response.status_code == 302 and "/beheer/inloggen" in response.location
        elif anon.role == "professional-wijk":
            assert response.status_code == 403, path
            assert_clean(response.get_data(as_text=True), path)
        else:
            assert response.status_code == 200, path
            # professional data in scope, contact persons included (for professionals)
            text = response.get_data(as_text=True)
            assert "Casusoverleg Wijkteam" in text and "Geheime Contactpersoon" in text, path


def test_verification_link_without_a_valid_token(anon, world):
    """A verification page shows one organisation's record only to its signed link."""
    for token in ("onbekend", str(world[1]["Intern Beraad Kastanje"]), "a.b.c"):
        response = anon.get(f"/verificatie/{token}")
        assert response.status_code in (404, 410)
        assert_clean(response.get_data(as_text=True), f"/verificatie/{token}")


PRINT_SEARCHES = [
    {"q": "opvang", "gebied": "Banholt"},
    {"q": "casusoverleg"},
    {"dichtbij": "Banholt", "afstand": "10"},
    {"thema": "zorg-ondersteuning", "gebied": "Maastricht"},
]


@pytest.mark.parametrize(
    "params", PRINT_SEARCHES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items())
)
def test_print_of_a_search(anon, params):
    """A resident's own search on paper (HTML and PDF) follows the same rules."""
    asked = tuple(w for v in params.values() for w in v.split() if len(w) > 3)
    html = anon.get("/print", query_string=params)
    assert html.status_code in (200, 404), params
    assert_clean(html.get_data(as_text=True), f"/print {params}", asked)
    pdf = anon.get("/print.pdf", query_string=params)
    assert pdf.status_code in (200, 404), params
    if pdf.status_code == 200:
        reader = PdfReader(io.BytesIO(pdf.data))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        assert_clean(text, f"/print.pdf {params}", asked)


@pytest.mark.parametrize("code", ["GM1903", "GM0935"])
def test_print_html_and_pdf(anon, code):
    html = anon.get(f"/print/{code}")
    assert html.status_code == 200
    assert_clean(html.get_data(as_text=True), f"/print/{code}")
    pdf = anon.get(f"/print/{code}.pdf")
    assert pdf.status_code == 200
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Sociale kaart" in text or "sociale kaart" in text.lower()
    assert_clean(text, f"/print/{code}.pdf")


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_public_export(world, tmp_path, suffix):
    path = tmp_path / f"export{suffix}"
    with world[0].connect() as conn:
        count = export_file(conn, path, role="publiek")
    assert count >= 2
    assert_clean(path.read_text(encoding="utf-8"), f"export publiek {suffix}")


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_professional_export_keeps_addresses_but_never_contacts(world, tmp_path, suffix):
    path = tmp_path / f"export{suffix}"
    with world[0].connect() as conn:
        export_file(conn, path, role="beheerder")
    text = path.read_text(encoding="utf-8")
    assert "Verborgenlaan" in text and "Kastanjehof" in text  # the owner's export is whole
    for secret in ("Geheime Contactpersoon", "geheim.contact@intern.example"):
        assert secret not in text


def test_walk_covers_every_public_get_route(anon):
    """A new GET route must be added to this walk (or listed here as carrying no records)."""
    walked = {
        "/ogc/collections/<collection_id>/items",
        "/ogc/collections/<collection_id>",
        "/ogc/collections/<collection_id>/",
        "/ogc/collections/<collection_id>/queryables",
        "/ogc/collections/<collection_id>/items/<feature_id>",
        "/kaart/punten.json",
        "/kaart/plek/<int:dienst>.json",
        "/print",
        "/print.pdf",
        "/api/zoeken",
        "/lijst",
        "/organisatie/<int:organisatie_id>",
        "/print/<code>",
        "/print/<code>.pdf",
        "/aanmelden",
        "/aanmelden/nieuw",
        "/aanmelden/wijziging/<int:organisatie_id>",
        "/aanmelden/bedankt",
        "/verificatie/<token>",
        "/hsds/",
        "/hsds/services",
        "/hsds/services/<key>",
        "/hsds/organizations",
        "/hsds/organizations/<key>",
        "/hsds/service_at_locations",
        "/hsds/service_at_locations/<key>",
        "/hsds/taxonomies",
        "/hsds/taxonomies/<key>",
        "/hsds/taxonomy_terms",
        "/hsds/taxonomy_terms/<key>",
        "/ogc/",
        "/ogc/api",
        "/ogc/collections",
        "/ogc/conformance",
        "/ogc/collections/<collection_id>/tiles/WebMercatorQuad/<int(signed=True):z>/"
        "<int(signed=True):y>/<int(signed=True):x>",
    }
    # /dekking and its downloads carry area figures computed from public records only
    # (analysis/indicators.py reads laag_voorzieningen with zichtbaarheid 'openbaar').
    no_records = {
        "/healthz",
        "/",
        "/hulp",
        "/dekking",
        "/dekking/<gemeente>.<fmt>",
        "/kaart/gebieden/<niveau>.geojson",
        "/api/zoeken/gebieden",  # CBS area names and the shipped everyday names only
        "/kaart/namen.geojson",  # label points of CBS areas and woonplaatsen
        "/kaart/straten.geojson",  # street names of the loaded BAG addresses
        "/vendor/<package>/<path:filename>",
        "/static/<path:filename>",
        "/ogc/collections/<collection_id>/tiles",
        "/ogc/collections/<collection_id>/tiles/WebMercatorQuad",
        "/ogc/tileMatrixSets",
        "/ogc/tileMatrixSets/<tms_id>",
    }
    # The editors' workspace and the wijk pages are for signed-in staff only:
    # tests/server/test_authz_matrix.py checks who is sent away from every one of them, and
    # test_wijk_pages_by_role below walks the wijk pages of the hidden records.
    staff = {r for r in _rules(anon) if r.startswith(("/beheer", "/wijk"))}
    assert _rules(anon) - walked - no_records - staff == set()


def _rules(anon) -> set[str]:
    return {r.rule for r in anon.application.url_map.iter_rules() if "GET" in r.methods}


def test_each_role_sees_what_it_may(anon):
    """Guard for the walk: signed-in roles really get their wider view (not the public one)."""
    expected = {
        "publiek": set(),
        "professional-wijk": set(),
        "professional": {"Casusoverleg Wijkteam"},
        "redacteur": {"Casusoverleg Wijkteam", "Intern casusoverleg"},
    }[anon.role]
    response = anon.get("/ogc/collections/voorzieningen/items?limit=500")
    text = response.get_data(as_text=True)
    seen = {name for name in ("Casusoverleg Wijkteam", "Intern casusoverleg") if name in text}
    assert seen == expected, anon.role
    points = anon.get("/kaart/punten.json")
    assert len(points.json) == len(ROWS) - 2 + len(expected)  # the shelter is generalised
    if anon.role in ACCOUNTS:
        assert response.headers["Cache-Control"] == "private, no-store"
        assert points.headers["Cache-Control"] == "private, no-store"
