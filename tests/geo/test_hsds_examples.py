"""HSDS 3.0 in: every official example is read completely (tests/data/hsds-3.0, unmodified).

The examples' one location lies outside the Netherlands (a US postal address, coordinates
100/101), so the only rejection is the region. A copy with a Zuid-Limburg address, made
here, lands completely: postal-only address used with a warning, schedules and a foreign
taxonomy kept, contacts stored as contact persons and never public.
"""

import csv
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.records import hsds
from geo.records.export import export_rows
from geo.records.importer import import_file

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "hsds-3.0" / "examples"
WITH_RECORD = (
    "tabular.json",
    "service_full.json",
    "organization_full.json",
    "service_at_location_full.json",
    "service_at_location_list.json",
    "csv",
)
WITHOUT_RECORD = (
    "base.json",
    "location.json",
    "organization_list.json",
    "taxonomy.json",
    "taxonomy_list.json",
    "taxonomy_term.json",
    "taxonomy_term_list.json",
)
SERVICE = "ac148810-d857-441c-9679-408f346de14b"
ORG = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
LOCATION = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"


def _zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in folder.iterdir():
            archive.write(path, f"pakket/{path.name}")
    return target


@pytest.mark.parametrize("name", WITH_RECORD)
def test_every_example_with_a_service_is_read_completely(name):
    (row,) = hsds.read_hsds(EXAMPLES / name)
    v = row.values
    assert (v["organisatie"], v["aanbod"]) == ("Example Organization Inc.", "Community Counselling")
    assert v["aanbod_id"] == SERVICE and v["organisatie_id"] == ORG
    assert v["locatie_naam"] == "MyCity Civic Center" and v["locatie_id"] == LOCATION
    assert v["aanbod_omschrijving"].startswith("Counselling Services")
    assert v["aanmelden"].startswith("If you are an NHS patient")
    assert v["kosten"].startswith("Non-NHS patients")
    service = json.loads(v["hsds_aanbod"])
    assert service["status"] == "active" and service["alternate_name"]
    assert float(service["minimum_age"]) == 12 and float(service["maximum_age"]) == 100
    if name != "service_at_location_list.json":  # the list page leaves the details out
        assert v["land"] == "US"  # the only address: a postal one in the US
        assert v["telefoon"] == "+44 1234 234567"
        assert v["talen"] == "ur"
        assert json.loads(v["openingstijden_json"])["dagen"] == {
            "do": [["10:00", "18:00"]],
            "vr": [["10:00", "18:00"]],
        }
        assert service["cost_options"][0]["option"] == "Under 18s and Over 60s"
        assert service["required_documents"][0]["document"].startswith("Any official")
        assert service["service_areas"][0]["extent_type"] == "geojson"
        location = json.loads(v["hsds_locatie"])
        assert location["description"].startswith("MyCity Civic Center is located")
        assert location["addresses"][0]["address_type"] == "postal"
        assert location["accessibility"][0]["details"].startswith("Switch hearing aid")
        assert json.loads(v["contactpersonen"])[0]["naam"] == "Ann Persona"


def test_tables_are_found_by_resource_name_in_folder_and_zip(tmp_path):
    folder = tmp_path / "pakket"
    shutil.copytree(EXAMPLES / "csv", folder)
    (folder / "services.csv").rename(folder / "diensten.csv")  # the datapackage names it
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        if resource["name"] == "service":
            resource["path"] = "diensten.csv"
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    for source in (folder, _zip(folder, tmp_path / "pakket.zip")):
        (row,) = hsds.read_hsds(source)
        assert row.values["aanbod"] == "Community Counselling"


@pytest.mark.parametrize("name", WITHOUT_RECORD)
def test_examples_without_a_service_are_read_without_rows(name):
    assert hsds.read_hsds(EXAMPLES / name) == []


def test_service_list_without_location_is_read(rec_engine):
    (row,) = hsds.read_hsds(EXAMPLES / "service_list.json")
    assert row.values["organisatie"] == "Example Organization Inc."
    result = import_file(rec_engine, EXAMPLES / "service_list.json", "lijst")
    assert (result.read, result.rejected) == (1, 1)
    assert "kan niet op de kaart" in result.rejects[0].reason  # no place at all


@pytest.mark.parametrize("name", WITH_RECORD)
def test_the_only_rejection_of_the_examples_is_the_region(rec_engine, name):
    result = import_file(rec_engine, EXAMPLES / name, "voorbeeld")
    assert (result.read, result.inserted, result.rejected) == (1, 0, 1)
    assert all("buiten Nederland" in r.reason for r in result.rejects), result.rejects


def _locations(node):
    """Every location object of a nested document (the examples repeat it)."""
    if isinstance(node, dict):
        if "location_type" in node:
            yield node
        for value in node.values():
            yield from _locations(value)
    elif isinstance(node, list):
        for value in node:
            yield from _locations(value)


def _contacts(node):
    """Every contact of a nested document."""
    if isinstance(node, dict):
        yield from (c for c in node.get("contacts", []) if isinstance(c, dict))
        for value in node.values():
            yield from _contacts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _contacts(value)


def _dutch_copy(tmp_path: Path, physical: bool = False) -> Path:
    data = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
    for location in _locations(data):
        location.pop("latitude")
        location.pop("longitude")
        for address in location.get("addresses", []):
            address.update(
                address_1="Markt 1",
                address_2="",
                city="Maastricht",
                region="Limburg",
                state_province="Limburg",
                postal_code="6211 CD",
                country="NL",
            )
            if physical:
                address["address_type"] = "physical"
    data["phones"][0]["number"] = "043 321 00 00"
    data["attributes"][0]["taxonomy_term"] |= {"taxonomy": "Eigen indeling", "code": "x1"}
    for contact in _contacts(data):
        contact["phones"] = [{"id": "c-tel", "number": "06 12 34 56 78"}]
    path = tmp_path / "maastricht.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_zuid_limburg_copy_lands_completely(rec_engine, tmp_path):
    result = import_file(rec_engine, _dutch_copy(tmp_path), "kopie")
    assert (result.read, result.inserted, result.rejected) == (1, 1, 0)
    reasons = [w.reason for w in result.warnings]
    assert any("alleen een postadres" in r for r in reasons), reasons  # placed by it, noted
    assert any("geen term hoort bij een thema" in r for r in reasons), reasons
    with rec_engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT o.naam, o.hsds, a.hsds AS a_hsds, a.openingstijden, a.talen, "
                "l.postcode, l.geocode_precisie, l.gemeentecode, l.hsds AS l_hsds, "
                "(SELECT array_agg(thema_slug) FROM aanbod_thema WHERE aanbod_id = a.id) AS themas, "
                "(SELECT array_agg(doelgroep_slug) FROM aanbod_doelgroep WHERE aanbod_id = a.id) AS dg "
                "FROM organisatie o JOIN aanbod a ON a.organisatie_id = o.id "
                "JOIN aanbod_locatie al ON al.aanbod_id = a.id JOIN locatie l ON l.id = al.locatie_id "
                "WHERE o.bron = 'kopie'"
            )
        ).one()
    assert row.naam == "Example Organization Inc."
    assert row.hsds["alternate_name"] == "Example Org"
    assert row.hsds["parent_organization_id"] == "cd09a387-91f4-4555-94ec-e799c35344cd"
    assert row.hsds["identifiers"][0]["identifier_scheme"] == "GB-COH"
    assert row.postcode == "6211CD" and row.geocode_precisie in {"adres", "pc6"}
    assert row.gemeentecode == "GM0935"
    hours = row.openingstijden
    assert hours["dagen"] == {"do": [["10:00", "18:00"]], "vr": [["10:00", "18:00"]]}
    assert "not available on public holidays" in hours["tekst"]  # free text kept
    schedule = row.a_hsds["schedules"][0]
    assert (schedule["byday"], schedule["valid_from"], schedule["valid_to"]) == (
        "TH,FR",
        "2005-01-01",
        "2005-01-01",
    )
    terms = row.a_hsds["terms"]
    assert {(t["taxonomy"], t["code"]) for t in terms} == {("Eigen indeling", "x1")}
    assert row.themas == ["informatie-advies"]  # the default: the term maps nowhere
    assert row.dg == ["iedereen"]  # ages 12 to 100 name no narrower doelgroep
    assert row.talen == ["ur"]
    phones = {p["number"] for p in row.a_hsds["phones"]}
    assert phones == {"043 321 00 00"}  # the service's phone, with type and extension
    assert row.a_hsds["phones"][0]["type"] == "voice"
    assert str(row.a_hsds["phones"][0]["extension"]) == "100"
    assert row.l_hsds["accessibility"][0]["details"].startswith("Switch hearing aid")


def test_a_physical_address_is_used_without_a_warning(rec_engine, tmp_path):
    result = import_file(rec_engine, _dutch_copy(tmp_path, physical=True), "fysiek")
    assert (result.inserted, result.rejected) == (1, 0)
    assert not any("postadres" in w.reason for w in result.warnings)


def test_contacts_are_contact_persons_and_never_public(rec_engine, tmp_path):
    path = _dutch_copy(tmp_path)
    import_file(rec_engine, path, "contact")
    import_file(rec_engine, path, "contact")  # a re-import updates, never doubles
    with rec_engine.connect() as conn:
        people = conn.execute(
            sa.text(
                "SELECT c.naam, c.functie, c.email, c.telefoon FROM contactpersoon c "
                "JOIN organisatie o ON o.id = c.organisatie_id WHERE o.bron = 'contact'"
            )
        ).all()
        public = export_rows(conn, role="publiek", bron="contact")
        professional = export_rows(conn, role="professional", bron="contact")
    assert [tuple(p) for p in people] == [
        ("Ann Persona", "Reception Manager, Reception", "email@example.com", "06 12 34 56 78")
    ]
    text = json.dumps(public + professional)
    assert public and "Ann Persona" not in text and "06 12 34 56 78" not in text


def test_known_taxonomies_map_to_our_themes(rec_engine, tmp_path):
    data = json.loads(_dutch_copy(tmp_path).read_text(encoding="utf-8"))
    data["attributes"] = [
        {
            "id": "a1",
            "taxonomy_term": {
                "id": "t1",
                "taxonomy": "Open Eligibility",
                "code": "1102",
                "name": "Housing",
                "description": "",
            },
        },
        {
            "id": "a2",
            "taxonomy_term": {
                "id": "t2",
                "taxonomy": "AIRS",
                "code": "BD-1800.2000",
                "name": "Food Pantries",
                "description": "",
            },
        },
        {
            "id": "a3",
            "taxonomy_term": {
                "id": "t3",
                "taxonomy": "Open Eligibility",
                "code": "",
                "name": "Seniors",
                "description": "",
            },
        },
    ]
    path = tmp_path / "taxonomie.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    (row,) = hsds.read_hsds(path)
    assert row.values["thema"] == "wonen-huishouden; geld-uitkering"
    assert row.values["doelgroep"] == "ouderen"
    result = import_file(rec_engine, path, "taxonomie")
    assert (result.inserted, result.rejected) == (1, 0)
    assert not any("geen term" in w.reason for w in result.warnings)


def test_tabular_tables_named_by_file_and_byday_lists(rec_engine, tmp_path):
    data = json.loads((EXAMPLES / "tabular.json").read_text(encoding="utf-8"))
    assert "organizations.csv" in data  # the example names its tables by file
    address = data["addresses.csv"][0]
    address.update(
        address_1="Bongerd 12",
        postal_code="6411 AB",
        city="Heerlen",
        country="NL",
        address_type="physical",
    )
    data["locations.csv"][0].update(latitude=None, longitude=None)
    path = tmp_path / "tabel.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = import_file(rec_engine, path, "tabel")
    assert (result.read, result.inserted, result.rejected) == (1, 1, 0)
    with rec_engine.connect() as conn:
        hours = conn.execute(
            sa.text("SELECT openingstijden FROM aanbod WHERE bron = 'tabel'")
        ).scalar_one()
    assert set(hours["dagen"]) == {"do", "vr"}


def test_csv_tables_keep_working_with_quoted_phone(tmp_path):
    folder = tmp_path / "csv"
    shutil.copytree(EXAMPLES / "csv", folder)
    with open(folder / "phones.csv", encoding="utf-8") as handle:
        phones = list(csv.DictReader(handle))
    assert phones[0]["number"] == '"+44 1234 234567"'
    (row,) = hsds.read_hsds(folder)
    assert row.values["telefoon"] == "+44 1234 234567"
