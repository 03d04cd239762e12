"""The read-only HSDS 3.0 API: paging, 400 and 404, public records only, generalised shelters."""

import json

import pytest
import sqlalchemy as sa

from geo.records.importer import import_file
from server import create_app
from tests.conftest import app_config
from tests.geo.test_hsds_export import VALIDATORS

ROWS = """id,organisatie,aanbod,thema,doelgroep,straat,huisnummer,postcode,plaats,lat,lon,telefoon,zichtbaarheid,vertrouwelijk
p1,Buurthuis Open,Koffie-ochtend,meedoen-ontmoeten,iedereen,Markt,1,6211CD,Maastricht,50.8510,5.6910,043 321 00 00,openbaar,nee
p2,Buurthuis Open,Taalcafé,meedoen-ontmoeten,nieuwkomers,Markt,1,6211CD,Maastricht,50.8510,5.6910,,openbaar,nee
v1,Opvang Schuilplek,Opvang,veiligheid,iedereen,Verborgenlaan,7,6211CK,Maastricht,50.8520,5.6920,,openbaar,ja
x1,Alleen Voor Professionals,Casusoverleg,zorg-ondersteuning,iedereen,Markt,3,6211CD,Maastricht,50.8515,5.6915,,professional,nee
x2,Interne Notitie,Intern overleg,informatie-advies,iedereen,Markt,5,6211CD,Maastricht,50.8516,5.6916,,intern,nee
"""
SECRETS = ("Alleen Voor Professionals", "Interne Notitie", "Verborgenlaan", "Geheime Persoon")


@pytest.fixture(scope="module")
def api(databases, tmp_path_factory):
    engine = databases.create_with_areas()
    path = tmp_path_factory.mktemp("hsds") / "records.csv"
    path.write_text(ROWS, encoding="utf-8")
    assert import_file(engine, path, "api").rejected == 0
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO contactpersoon (organisatie_id, naam, email) "
                "SELECT id, 'Geheime Persoon', 'geheim@voorbeeld.nl' FROM organisatie"
            )
        )
    app = create_app(app_config(engine.url))
    yield app.test_client(), engine
    engine.dispose()


def _all(client, path):
    return client.get(path, query_string={"per_page": 500}).json["contents"]


def test_meta_and_lists_are_paged_as_the_specification(api):
    client, _ = api
    assert client.get("/hsds/").json["version"] == "3.0"
    body = client.get("/hsds/services?page=1&per_page=2").json
    assert {k: body[k] for k in ("total_items", "total_pages", "page_number", "size")} == {
        "total_items": 3,
        "total_pages": 2,
        "page_number": 1,
        "size": 2,
    }
    assert (body["first_page"], body["last_page"], body["empty"]) == (True, False, False)
    second = client.get("/hsds/services?page=2&per_page=2").json
    assert len(second["contents"]) == 1 and second["last_page"] is True
    beyond = client.get("/hsds/services?page=9&per_page=2").json
    assert beyond["empty"] is True and beyond["contents"] == []
    names = {s["name"] for s in body["contents"] + second["contents"]}
    assert names == {"Koffie-ochtend", "Taalcafé", "Opvang"}


@pytest.mark.parametrize(
    "query", ["page=0", "page=x", "per_page=0", "per_page=501", "page=-1", "per_page=1.5"]
)
def test_bad_paging_is_a_400_problem(api, query):
    client, _ = api
    response = client.get(f"/hsds/services?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "page" in response.json["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/hsds/services/x",
        "/hsds/organizations/x",
        "/hsds/service_at_locations/x",
        "/hsds/taxonomies/x",
        "/hsds/taxonomy_terms/x",
    ],
)
def test_unknown_ids_are_404(api, path):
    client, _ = api
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_single_objects_are_full_and_valid(api):
    client, _ = api
    for service in _all(client, "/hsds/services"):
        full = client.get(f"/hsds/services/{service['id']}").json
        assert full["organization"]["name"] and full["service_at_locations"]
        flat = {k: v for k, v in full.items() if not isinstance(v, (list, dict))}
        assert list(VALIDATORS["service"].iter_errors(flat)) == []
    org = _all(client, "/hsds/organizations")[0]
    assert client.get(f"/hsds/organizations/{org['id']}").json["services"]
    sal = _all(client, "/hsds/service_at_locations")[0]
    body = client.get(f"/hsds/service_at_locations/{sal['id']}").json
    assert body["location"]["addresses"] and body["service"]["id"] == sal["service_id"]
    term = _all(client, "/hsds/taxonomy_terms")[0]
    assert client.get(f"/hsds/taxonomy_terms/{term['id']}").json == term
    taxonomy = _all(client, "/hsds/taxonomies")[0]
    assert client.get(f"/hsds/taxonomies/{taxonomy['id']}").json["name"]


@pytest.mark.parametrize(
    "path",
    ["/hsds/services", "/hsds/organizations", "/hsds/service_at_locations", "/hsds/taxonomy_terms"],
)
def test_only_public_records_and_no_contact_persons(api, path):
    client, _ = api
    text = json.dumps(_all(client, path), ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text


def test_signed_in_or_not_the_api_is_public_only(api):
    client, _ = api
    orgs = {o["name"] for o in _all(client, "/hsds/organizations")}
    assert orgs == {"Buurthuis Open", "Opvang Schuilplek"}


def test_confidential_locations_are_generalised(api):
    client, engine = api
    with engine.connect() as conn:
        buurt = conn.execute(
            sa.text(
                "SELECT ST_Y(ST_Transform(ST_PointOnSurface(b.geom), 4326)), "
                "ST_X(ST_Transform(ST_PointOnSurface(b.geom), 4326)) FROM locatie l "
                "JOIN gebied b ON b.code = l.buurtcode WHERE l.vertrouwelijk"
            )
        ).one()
    shelter = next(
        s for s in _all(client, "/hsds/service_at_locations") if s["service"]["name"] == "Opvang"
    )
    location = shelter["location"]
    assert "name" not in location
    assert (round(location["latitude"], 5), round(location["longitude"], 5)) == (
        round(buurt[0], 5),
        round(buurt[1], 5),
    )
    assert [(a["address_1"], a["postal_code"]) for a in location["addresses"]] == [("", "")]
    precision = [
        a["value"]
        for a in location["attributes"]
        if a["taxonomy_term"]["code"] == "geocode_precisie"
    ]
    assert precision == ["buurt"]


def test_a_write_is_seen_at_once(api):
    client, engine = api
    assert "Buurthuis Open" in {o["name"] for o in _all(client, "/hsds/organizations")}
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE organisatie SET naam = 'Buurthuis Nieuw' WHERE naam = 'Buurthuis Open'")
        )
    try:
        assert "Buurthuis Nieuw" in {o["name"] for o in _all(client, "/hsds/organizations")}
    finally:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE organisatie SET naam = 'Buurthuis Open' WHERE naam = 'Buurthuis Nieuw'"
                )
            )
