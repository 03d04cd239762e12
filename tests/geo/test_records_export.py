"""Export to CSV and HSDS 3; re-importing an export gives the same records; roles filter."""

import csv
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.records.export import export_file, export_rows
from geo.records.importer import import_file
from tests.geo.conftest import CSV

SNAPSHOT = """
SELECT o.naam, o.kvk_nummer, o.omschrijving, o.telefoon, o.email, o.website, o.zichtbaarheid,
       o.laatst_geverifieerd_op, o.synthetisch, a.naam AS aanbod, a.omschrijving AS a_oms,
       a.kosten, a.aanmelden, a.voorwaarden, a.talen, a.openingstijden, a.capaciteit,
       (SELECT array_agg(thema_slug ORDER BY thema_slug) FROM aanbod_thema WHERE aanbod_id = a.id),
       (SELECT array_agg(doelgroep_slug ORDER BY doelgroep_slug) FROM aanbod_doelgroep
         WHERE aanbod_id = a.id),
       l.naam AS locatie, l.straat, l.huisnummer, l.huisletter, l.toevoeging, l.postcode,
       l.woonplaats, round(ST_X(l.geom)) AS x, round(ST_Y(l.geom)) AS y, l.geocode_precisie,
       l.buurtcode, l.vertrouwelijk, al.bron_id
FROM aanbod_locatie al JOIN aanbod a ON a.id = al.aanbod_id
JOIN organisatie o ON o.id = a.organisatie_id JOIN locatie l ON l.id = al.locatie_id
WHERE o.bron = :bron ORDER BY al.bron_id
"""


def _snapshot(engine, bron):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(SNAPSHOT), {"bron": bron}).all()]


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_export_reimport_gives_the_same_records(rec_engine, tmp_path, suffix):
    import_file(rec_engine, CSV, "origineel")
    target = tmp_path / f"export{suffix}"
    with rec_engine.connect() as conn:
        count = export_file(conn, target, role="beheerder", bron="origineel")
    assert count == 6
    result = import_file(rec_engine, target, "kopie")
    assert (result.read, result.inserted, result.rejected) == (6, 6, 0)
    assert _snapshot(rec_engine, "kopie") == _snapshot(rec_engine, "origineel")


def test_public_export_leaves_out_internal_records_and_shows_precision(rec_engine, tmp_path):
    import_file(rec_engine, CSV, "origineel")
    with rec_engine.connect() as conn:
        public = export_rows(conn, role="publiek")
        everything = export_rows(conn, role="beheerder")
    assert len(everything) == 6 and len(public) == 5
    assert "Opvang Veilig Thuis" not in {r["organisatie"] for r in public}
    assert {r["geocode_precisie"] for r in public} == {"adres", "handmatig", "pc4"}
    assert all(r["kaart_lat"] and r["kaart_lon"] for r in public)


def test_contact_persons_never_exported(rec_engine, tmp_path):
    import_file(rec_engine, CSV, "origineel")
    with rec_engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO contactpersoon (organisatie_id, naam, telefoon, email) "
                "SELECT id, 'Geheime Contactpersoon', '0612345678', 'geheim@voorbeeld.nl' "
                "FROM organisatie"
            )
        )
        for suffix in (".csv", ".json"):
            export_file(conn, tmp_path / f"e{suffix}", role="beheerder")
    for suffix in (".csv", ".json"):
        text = (tmp_path / f"e{suffix}").read_text(encoding="utf-8")
        assert "Geheime" not in text and "geheim@" not in text and "0612345678" not in text


def test_hsds_export_has_the_hsds_tables(rec_engine, tmp_path):
    import_file(rec_engine, CSV, "origineel")
    with rec_engine.connect() as conn:
        export_file(conn, tmp_path / "hsds.json", role="publiek")
    data = json.loads((tmp_path / "hsds.json").read_text(encoding="utf-8"))
    assert {
        "organization",
        "service",
        "location",
        "address",
        "service_at_location",
        "schedule",
        "taxonomy_term",
        "attribute",
        "phone",
    } <= set(data)
    assert len(data["service_at_location"]) == 5
    assert len(data["organization"]) == 4
    loket = next(s for s in data["service"] if s["name"] == "Sociaal loket")
    days = {s["byday"] for s in data["schedule"] if s["service_id"] == loket["id"]}
    assert days == {"MO", "TU", "WE", "TH", "FR"}
    kvk = [i for i in data["organization_identifier"] if i["identifier_scheme"] == "NL-KVK"]
    assert [i["identifier"] for i in kvk] == ["12345678"]


def test_hsds_csv_datapackage_is_read(rec_engine, tmp_path):
    import_file(rec_engine, CSV, "origineel")
    with rec_engine.connect() as conn:
        export_file(conn, tmp_path / "hsds.json", role="beheerder", bron="origineel")
    data = json.loads((tmp_path / "hsds.json").read_text(encoding="utf-8"))
    package = tmp_path / "pakket"
    package.mkdir()
    (package / "datapackage.json").write_text(json.dumps({"name": "test", "resources": []}))
    for table, rows in data.items():
        if isinstance(rows, list) and rows:
            with open(package / f"{table}.csv", "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=sorted({k for r in rows for k in r}))
                writer.writeheader()
                writer.writerows(rows)
    result = import_file(rec_engine, package, "pakket")
    assert (result.read, result.inserted, result.rejected) == (6, 6, 0)
    assert _snapshot(rec_engine, "pakket") == _snapshot(rec_engine, "origineel")


def test_unreadable_hsds_is_one_sentence(rec_engine, tmp_path):
    from geo.records.columns import RecordFileError

    bad = tmp_path / "hsds.json"
    bad.write_text('{"organization": []}')
    with pytest.raises(RecordFileError, match="geen HSDS-tabel 'service_at_location'"):
        import_file(rec_engine, bad, "x")
    assert Path(bad).exists()
