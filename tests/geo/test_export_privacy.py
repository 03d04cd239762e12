"""Exports never leak confidential locations, internal records or contact persons.

A small database holds an internal organisation, a professional-only service, two
confidential locations (one placed by hand, one by BAG address) and a contact person. Every
role exports CSV and HSDS JSON through the CLI; the public files are searched as text and
parsed, and every point in them is compared with the exact one in RD New (EPSG:28992).
"""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from geo.records.importer import import_file
from server import create_app
from tests.conftest import url_string

RECORDS = """\
organisatie,organisatie_id,aanbod,thema,locatie_naam,straat,huisnummer,postcode,plaats,lat,lon,vertrouwelijk
Stichting Welzijn Heerlen,welzijn,Sociaal loket,informatie-advies,Wijkpunt Bongerd,Bongerd,12,6411 AB,Heerlen,,,nee
Stichting Welzijn Heerlen,welzijn,Casusoverleg Zorg,zorg-ondersteuning,Wijkpunt Bongerd,Bongerd,12,6411 AB,Heerlen,,,nee
Stichting Welzijn Heerlen,welzijn,Crisisopvang,veiligheid,Schuilhuis Zonnebloem,Verborgenlaan,77B,6228 XY,Maastricht,50.8412,5.7243,ja
Opvang Veilig Thuis,opvang,Noodbed,veiligheid,Opvanghuis Kerkrade,Markt,5,6461 AA,Kerkrade,,,ja
Interne Werkgroep Armoede,werkgroep,Werkgroepoverleg,geld-uitkering,Stadhuis,Markt,1,6211 CD,Maastricht,,,nee
"""
# Text that must never be in a public file (and the contact person: in no file at all).
HIDDEN = (
    "Schuilhuis Zonnebloem",
    "Verborgenlaan",
    "6228 XY",
    "6228XY",
    "Opvanghuis Kerkrade",
    "6461 AA",
    "6461AA",
)
CONTACT = ("Geheime Contactpersoon", "geheim.contact@intern.example", "06-99887766", "coördinator")
INTERNAL = "Interne Werkgroep Armoede"
PROFESSIONAL = "Casusoverleg Zorg"
ROLES = ("publiek", "professional", "beheerder")


@pytest.fixture(scope="module")
def exports(base_engine, tmp_path_factory):
    """Import the records, mark what is secret, export every role as CSV and HSDS JSON."""
    folder = tmp_path_factory.mktemp("privacy")
    source = folder / "records.csv"
    source.write_text(RECORDS, encoding="utf-8")
    result = import_file(base_engine, source, "privacy")
    assert (result.inserted, result.rejected) == (5, 0), result.rejects
    with base_engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE organisatie SET zichtbaarheid = 'intern' WHERE naam = :n"),
            {"n": INTERNAL},
        )
        conn.execute(
            sa.text("UPDATE aanbod SET zichtbaarheid = 'professional' WHERE naam = :n"),
            {"n": PROFESSIONAL},
        )
        conn.execute(
            sa.text(
                "INSERT INTO contactpersoon (organisatie_id, naam, functie, telefoon, email) "
                "SELECT id, 'Geheime Contactpersoon', 'coördinator', '06-99887766', "
                "'geheim.contact@intern.example' FROM organisatie"
            )
        )
        exact = {
            row.naam: row
            for row in conn.execute(
                sa.text(
                    "SELECT l.naam, l.geocode_precisie, ST_X(l.geom) AS x, ST_Y(l.geom) AS y, "
                    "ST_X(ST_PointOnSurface(b.geom)) AS bx, ST_Y(ST_PointOnSurface(b.geom)) AS by "
                    "FROM locatie l JOIN gebied b ON b.code = l.buurtcode WHERE l.vertrouwelijk"
                )
            )
        }
    assert exact["Schuilhuis Zonnebloem"].geocode_precisie == "handmatig"
    assert exact["Opvanghuis Kerkrade"].geocode_precisie == "adres"
    runner = create_app(
        {"DATABASE_URL": url_string(base_engine.url), "TESTING": True}
    ).test_cli_runner()
    files = {}
    for role in ROLES:
        for suffix in (".csv", ".json"):
            path = folder / f"{role}{suffix}"
            out = runner.invoke(
                args=["organisations", "export", str(path), "--rol", role, "--bron", "privacy"]
            )
            assert out.exit_code == 0, out.output
            files[role, suffix] = path.read_text(encoding="utf-8")
    yield files, exact
    with base_engine.begin() as conn:
        conn.execute(
            sa.text("TRUNCATE organisatie, mogelijk_dubbel, import_run, wijziging CASCADE")
        )


def _points(text: str, suffix: str) -> list[tuple[float, float]]:
    """Every (lat, lon) pair in an exported file."""
    if suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        pairs = [
            (r[a], r[b]) for r in rows for a, b in (("lat", "lon"), ("kaart_lat", "kaart_lon"))
        ]
    else:
        pairs = [(loc["latitude"], loc["longitude"]) for loc in json.loads(text)["location"]]
    return [(float(a), float(b)) for a, b in pairs if a and b]


def _distances(engine, points, x, y) -> list[float]:
    """Metres in RD New from each WGS84 point to (x, y)."""
    with engine.connect() as conn:
        return [
            conn.execute(
                sa.text(
                    "SELECT ST_Distance(ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 28992), "
                    "ST_SetSRID(ST_MakePoint(:x, :y), 28992))"
                ),
                {"lat": lat, "lon": lon, "x": x, "y": y},
            ).scalar()
            for lat, lon in points
        ]


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_public_export_has_no_confidential_address_or_position(exports, base_engine, suffix):
    files, exact = exports
    text = files["publiek", suffix]
    for secret in HIDDEN:
        assert secret not in text
    points = _points(text, suffix)
    assert points or suffix == ".json"  # public HSDS has manual coordinates only, none here
    for location in exact.values():
        assert all(d > 50 for d in _distances(base_engine, points, location.x, location.y))
    # the generalisation is not vacuous: the buurt's point is far from the real one
    assert all(((p.x - p.bx) ** 2 + (p.y - p.by) ** 2) ** 0.5 > 50 for p in exact.values())


def test_public_csv_rows_are_generalised_like_the_ogc_layer(exports, base_engine):
    files, exact = exports
    rows = [
        r
        for r in csv.DictReader(io.StringIO(files["publiek", ".csv"]))
        if r["vertrouwelijk"] == "ja"
    ]
    assert sorted(r["aanbod"] for r in rows) == ["Crisisopvang", "Noodbed"]
    for row in rows:
        assert row["geocode_precisie"] == "buurt"
        for column in (
            "locatie_naam",
            "straat",
            "huisnummer",
            "huisletter",
            "toevoeging",
            "postcode",
            "lat",
            "lon",
        ):
            assert row[column] == "", column
        assert row["plaats"] in {"Maastricht", "Kerkrade"}
        assert row["id"].startswith("vertrouwelijk-")  # derived ids hash the address
        buurt = next(
            p
            for p in exact.values()
            if p.naam
            == {"Crisisopvang": "Schuilhuis Zonnebloem", "Noodbed": "Opvanghuis Kerkrade"}[
                row["aanbod"]
            ]
        )
        shown = (float(row["kaart_lat"]), float(row["kaart_lon"]))
        assert _distances(base_engine, [shown], buurt.bx, buurt.by)[0] < 0.1


def test_public_hsds_location_is_generalised(exports):
    files, _ = exports
    data = json.loads(files["publiek", ".json"])
    terms = {t["id"]: t["code"] for t in data["taxonomy_term"]}

    def trait(code):
        return {
            a["link_id"]: a["value"]
            for a in data["attribute"]
            if terms[a["taxonomy_term_id"]] == code
        }

    confidential = {key for key, value in trait("vertrouwelijk").items() if value == "ja"}
    assert len(confidential) == 2
    links = [s for s in data["service_at_location"] if s["id"] in confidential]
    locations = {loc["id"]: loc for loc in data["location"]}
    for link in links:
        location = locations[link["location_id"]]
        assert trait("bron_id")[location["id"]].startswith("vertrouwelijk-")
        assert trait("geocode_precisie")[location["id"]] == "buurt"
        assert "name" not in location  # the buurt's point (numeric), never the address
        assert isinstance(location["latitude"], float)
        address = next(a for a in data["address"] if a["location_id"] == location["id"])
        assert (address["address_1"], address["postal_code"]) == ("", "")
        assert address["city"] in {"Maastricht", "Kerkrade"}


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_public_export_leaves_out_internal_and_professional_records(exports, suffix):
    files, _ = exports
    assert INTERNAL not in files["publiek", suffix]
    assert PROFESSIONAL not in files["publiek", suffix]
    assert "Sociaal loket" in files["publiek", suffix]
    assert PROFESSIONAL in files["professional", suffix]
    assert INTERNAL not in files["professional", suffix]
    assert INTERNAL in files["beheerder", suffix] and PROFESSIONAL in files["beheerder", suffix]


@pytest.mark.parametrize("role", ["professional", "beheerder"])
@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_professional_exports_keep_exact_data(exports, base_engine, role, suffix):
    files, exact = exports
    text = files[role, suffix]
    for kept in (
        "Schuilhuis Zonnebloem",
        "Verborgenlaan",
        "6228XY",
        "Opvanghuis Kerkrade",
        "6461AA",
    ):
        assert kept in text
    manual = exact["Schuilhuis Zonnebloem"]
    points = _points(text, suffix)
    assert min(_distances(base_engine, points, manual.x, manual.y)) < 1
    if suffix == ".csv":
        rows = [r for r in csv.DictReader(io.StringIO(text)) if r["vertrouwelijk"] == "ja"]
        assert {r["geocode_precisie"] for r in rows} == {"handmatig", "adres"}
        address = exact["Opvanghuis Kerkrade"]
        kaart = [(float(r["kaart_lat"]), float(r["kaart_lon"])) for r in rows]
        assert min(_distances(base_engine, kaart, address.x, address.y)) < 1


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_contact_persons_are_in_no_export(exports, role, suffix):
    files, _ = exports
    for secret in CONTACT:
        assert secret not in files[role, suffix]
