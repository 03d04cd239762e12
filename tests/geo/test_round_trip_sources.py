"""Identity kept through a round trip (issue 12, points 2 and 7).

Per-location phone numbers stay with their location (flat files and HSDS, in the published
layer and on the organisation page), and an export of several sources imported into an
empty database gives the same database content, every record under its own source; the
same export imported again changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.bag_loader import load_bag
from geo.postcode_loader import load_postcodes
from geo.records.export import export_file
from geo.records.fields import phone
from geo.records.importer import import_file
from geo.records.sources import NO_SOURCE
from layers.pages.organisation import organisation
from layers.visibility import PUBLIC
from server import create_app
from tests.conftest import app_config
from tests.geo.conftest import CSV, DATA, TESTDATA
from tests.geo.test_hsds_examples import _dutch_copy

# One organisation at three places: the head office has the organisation's number, the
# Markt office its own, the Bongerd office none (call the organisation).
PHONES = (
    "organisatie_id,organisatie,aanbod,thema,locatie_naam,straat,huisnummer,postcode,plaats,"
    "telefoon\r\n"
    "mw1,Maatschappelijk Werk Zuid,Spreekuur,informatie-advies,Hoofdkantoor,Bongerd,12,"
    "6411 AB,Heerlen,045 560 00 00\r\n"
    "mw1,Maatschappelijk Werk Zuid,Spreekuur,informatie-advies,Wijkpost Markt,Markt,1,"
    "6211 CD,Maastricht,043 350 60 70\r\n"
    "mw1,Maatschappelijk Werk Zuid,Spreekuur,informatie-advies,Wijkpost Bongerd,Bongerd,14A,"
    "6411 AB,Heerlen,\r\n"
)
ORG, OWN = phone("045 560 00 00"), phone("043 350 60 70")


def _phones_file(tmp_path: Path) -> Path:
    path = tmp_path / "wijkposten.csv"
    path.write_text(PHONES, encoding="utf-8")
    return path


def _location_phones(engine, bron: str) -> dict[str, tuple]:
    """Location name -> (its own number, the number the published layer shows)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT l.naam, l.telefoon, v.telefoon FROM locatie l "
                "JOIN aanbod_locatie al ON al.locatie_id = l.id "
                "JOIN laag_voorzieningen v ON v.id = al.id WHERE l.bron = :bron"
            ),
            {"bron": bron},
        ).all()
    return {name: (own, shown) for name, own, shown in rows}


def test_each_location_keeps_its_own_phone(rec_engine, tmp_path):
    result = import_file(rec_engine, _phones_file(tmp_path), "wijkposten")
    assert (result.inserted, result.rejected) == (3, 0)
    assert _location_phones(rec_engine, "wijkposten") == {
        "Hoofdkantoor": (None, ORG),  # the organisation's own number: not stored twice
        "Wijkpost Markt": (OWN, OWN),
        "Wijkpost Bongerd": (None, ORG),
    }
    with rec_engine.connect() as conn:
        org_id, org_phone = conn.execute(
            sa.text("SELECT id, telefoon FROM organisatie WHERE bron = 'wijkposten'")
        ).one()
        page = organisation(conn, org_id, PUBLIC)
    assert org_phone == ORG
    assert page is not None
    assert {loc["naam"]: loc["telefoon"] for loc in page["locaties"]} == {
        "Hoofdkantoor": None,
        "Wijkpost Markt": OWN,
        "Wijkpost Bongerd": None,
    }
    again = import_file(rec_engine, _phones_file(tmp_path), "wijkposten")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_the_organisation_page_shows_the_location_phone(rec_engine, tmp_path):
    import_file(rec_engine, _phones_file(tmp_path), "wijkposten")
    with rec_engine.connect() as conn:
        org_id = conn.execute(
            sa.text("SELECT id FROM organisatie WHERE bron = 'wijkposten'")
        ).scalar_one()
    client = create_app(app_config(rec_engine.url)).test_client()
    html = client.get(f"/organisatie/{org_id}").get_data(as_text=True)
    markt = html[html.index("Wijkpost Markt</h3>") : html.index("Wijkpost Bongerd</h3>")]
    assert OWN in markt and ORG not in markt
    assert html.count(ORG) == 1  # in the contact section, not repeated per location


def test_an_hsds_location_phone_is_the_location_s(rec_engine, tmp_path):
    assert import_file(rec_engine, _dutch_copy(tmp_path), "hsds").rejected == 0
    phones = _location_phones(rec_engine, "hsds")
    assert [shown for _, shown in phones.values()] == [phone("043 321 00 00")]


def test_export_keeps_phones_per_location(rec_engine, tmp_path):
    import_file(rec_engine, _phones_file(tmp_path), "wijkposten")
    with rec_engine.connect() as conn:
        export_file(conn, tmp_path / "e.json", role="beheerder")
        export_file(conn, tmp_path / "e.csv", role="beheerder")
    data = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    names = {loc["id"]: loc["name"] for loc in data["location"]}
    by_location = {
        names[p["location_id"]]: p["number"] for p in data["phone"] if "location_id" in p
    }
    assert by_location == {"Wijkpost Markt": OWN}
    assert [p["number"] for p in data["phone"] if "organization_id" in p] == [ORG]
    text = (tmp_path / "e.csv").read_text(encoding="utf-8")
    assert "telefoon,organisatie_telefoon" in text.splitlines()[0]
    assert f"{OWN},{ORG}" in text and text.count(f"{ORG},{ORG}") == 2


# Database content of every source: organisations, services, locations (with phones and
# precision), links, themes and doelgroepen, and the sources themselves.
CONTENT = {
    "organisaties": """
        SELECT bron, bron_id, naam, omschrijving, website, email, telefoon, kvk_nummer,
               zichtbaarheid::text, synthetisch, laatst_geverifieerd_op
        FROM organisatie ORDER BY bron, bron_id""",
    "aanbod": """
        SELECT a.bron, a.bron_id, o.bron_id, a.naam, a.omschrijving, a.kosten, a.aanmelden,
               a.voorwaarden, a.talen, a.openingstijden::text, a.werkgebied, a.capaciteit,
               a.zichtbaarheid::text, a.laatst_geverifieerd_op,
               ARRAY(SELECT thema_slug FROM aanbod_thema WHERE aanbod_id = a.id ORDER BY 1),
               ARRAY(SELECT doelgroep_slug FROM aanbod_doelgroep WHERE aanbod_id = a.id ORDER BY 1)
        FROM aanbod a JOIN organisatie o ON o.id = a.organisatie_id ORDER BY a.bron, a.bron_id""",
    "locaties": """
        SELECT l.bron, l.bron_id, o.bron_id, l.naam, l.straat, l.huisnummer, l.huisletter,
               l.toevoeging, l.postcode, l.woonplaats, l.telefoon, l.geocode_precisie,
               l.buurtcode, l.vertrouwelijk, l.toegankelijkheid, l.zichtbaarheid::text,
               round(ST_X(l.geom)::numeric, 1), round(ST_Y(l.geom)::numeric, 1)
        FROM locatie l JOIN organisatie o ON o.id = l.organisatie_id
        ORDER BY l.bron, l.bron_id""",
    "koppelingen": """
        SELECT al.bron, al.bron_id, a.bron_id, l.bron_id, al.zichtbaarheid::text
        FROM aanbod_locatie al JOIN aanbod a ON a.id = al.aanbod_id
        JOIN locatie l ON l.id = al.locatie_id ORDER BY al.bron, al.bron_id""",
    "bronnen": "SELECT DISTINCT bron FROM import_run ORDER BY bron",
}


def _content(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            name: [tuple(r) for r in conn.execute(sa.text(sql))] for name, sql in CONTENT.items()
        }


@pytest.fixture(scope="module")
def empty_engine(databases):
    """A second database (areas, postcodes, the same BAG sample) to import the export into."""
    engine = databases.create_with_areas()
    load_postcodes(
        engine, DATA / "pc6_maastricht_centroids_cbs2021.csv", DATA / "pc4_zuid_limburg.csv"
    )
    load_bag(engine, TESTDATA / "bag_records.csv", bron="BAG (test)")
    yield engine
    engine.dispose()


@pytest.fixture
def fresh(empty_engine):
    yield empty_engine
    with empty_engine.begin() as conn:
        conn.execute(
            sa.text("TRUNCATE organisatie, mogelijk_dubbel, import_run, wijziging CASCADE")
        )


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_round_trip_keeps_every_source(rec_engine, fresh, tmp_path, suffix):
    import_file(rec_engine, CSV, "Gemeente Heerlen")
    import_file(rec_engine, _phones_file(tmp_path), "Maatschappelijk Werk")
    if suffix == ".json":  # HSDS keeps the HSDS fields too; our CSV has columns only
        assert import_file(rec_engine, _dutch_copy(tmp_path), "Open Referral").rejected == 0
    export = tmp_path / f"alles{suffix}"
    with rec_engine.connect() as conn:
        written = export_file(conn, export, role="beheerder")
    before = _content(rec_engine)
    assert len(before["bronnen"]) == (3 if suffix == ".json" else 2)

    result = import_file(fresh, export)  # no --bron: the file names each record's source
    assert (result.read, result.inserted, result.rejected) == (written, written, 0)
    assert sorted(result.bron.split(", ")) == [b for (b,) in before["bronnen"]]
    after = _content(fresh)
    for table in CONTENT:
        assert after[table] == before[table], table

    again = import_file(fresh, export)  # the same export again changes nothing
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (
        0,
        0,
        written,
        0,
    )
    assert _content(fresh) == after


def test_a_row_without_its_source_is_rejected_when_others_name_theirs(fresh, tmp_path):
    path = tmp_path / "gemengd.csv"
    path.write_text(
        "id,organisatie,thema,postcode,plaats,bron\r\n"
        "a,Buurthuis Een,meedoen-ontmoeten,6211 CD,Maastricht,Gemeente Maastricht\r\n"
        "b,Buurthuis Twee,meedoen-ontmoeten,6211 CD,Maastricht,\r\n",
        encoding="utf-8",
    )
    result = import_file(fresh, path)
    assert (result.inserted, result.bron) == (1, "Gemeente Maastricht")
    assert [(r.line, r.column, r.reason) for r in result.rejects] == [(3, "bron", NO_SOURCE)]


def test_rejects_and_warnings_both_open_in_dutch_excel(rec_engine, tmp_path):
    """Both files of one CLI import: UTF-8 with BOM, ';' separated, a ';' in a cell quoted."""
    path = tmp_path / "aanbod.csv"
    path.write_text(
        "id,organisatie,omschrijving,thema,kvk,postcode,plaats\r\n"
        "a,Buurthuis Één,Koffie; thee,meedoen-ontmoeten,n.v.t.,6211 CD,Maastricht\r\n"
        "b,Buurthuis Twee,Soep; brood,bestaat-niet,,6211 CD,Maastricht\r\n",
        encoding="utf-8",
    )
    app = create_app(app_config(rec_engine.url))
    run = app.test_cli_runner().invoke(
        args=["organisations", "import", str(path), "--bron", "excel"]
    )
    assert run.exit_code == 0, run.output
    files = {name: tmp_path / f"aanbod.{name}.csv" for name in ("afgewezen", "waarschuwingen")}
    rows = {}
    for name, target in files.items():
        raw = target.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        rows[name] = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows["afgewezen"][0][:3] == ["regel", "kolom", "reden"]
    rejected = dict(zip(rows["afgewezen"][0], rows["afgewezen"][1], strict=True))
    assert (rejected["regel"], rejected["kolom"], rejected["omschrijving"]) == (
        "3",
        "thema",
        "Soep; brood",
    )
    assert rows["waarschuwingen"] == [
        ["regel", "kolom", "reden", "waarde"],
        ["2", "kvk", "KvK-nummer 'n.v.t.' is geen nummer; niet opgeslagen", "n.v.t."],
    ]
