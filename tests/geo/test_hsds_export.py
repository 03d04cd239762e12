"""HSDS 3.0 out: every exported object validates against the official schemas (jsonschema).

Ids are stable (two exports, and export -> import -> export), phones stay with their
object, every placed location has numeric coordinates and its precision, and a re-import
gives the same records, from every source.
"""

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from geo.records.export import export_file
from geo.records.hsds_write import is_uuid
from geo.records.importer import import_file
from tests.geo.conftest import CSV
from tests.geo.test_hsds_examples import _dutch_copy
from tests.geo.test_records_export import _snapshot

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "hsds-3.0" / "schema"


def _validators() -> dict[str, Draft202012Validator]:
    resources = {
        path.name: Resource.from_contents(
            json.loads(path.read_text(encoding="utf-8")), default_specification=DRAFT202012
        )
        for path in SCHEMAS.glob("*.json")
    }
    registry = Registry().with_resources(resources.items())
    return {
        name.removesuffix(".json"): Draft202012Validator(
            resource.contents, registry=registry, format_checker=FormatChecker()
        )
        for name, resource in resources.items()
    }


VALIDATORS = _validators()


def _export(engine, path: Path, **filters) -> dict:
    with engine.connect() as conn:
        export_file(conn, path, **filters)
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def loaded(rec_engine, tmp_path):
    import_file(rec_engine, CSV, "origineel")
    result = import_file(rec_engine, _dutch_copy(tmp_path), "hsds")
    assert result.rejected == 0
    return rec_engine


def _problems(data: dict) -> list[str]:
    problems = []
    for table, rows in data.items():
        if table == "hsds_version":
            continue
        for row in rows:
            problems += [
                f"{table} {row.get('id')}: {error.message}"
                for error in VALIDATORS[table].iter_errors(row)
            ]
    return problems


@pytest.mark.parametrize("role", ["publiek", "professional", "beheerder"])
def test_every_exported_object_validates_against_the_30_schemas(loaded, tmp_path, role):
    data = _export(loaded, tmp_path / "e.json", role=role)
    assert len(data["service_at_location"]) >= 5
    assert _problems(data) == []
    assert all(
        is_uuid(row["id"]) for rows in data.values() if isinstance(rows, list) for row in rows
    )


def test_the_validator_does_check(loaded, tmp_path):
    data = _export(loaded, tmp_path / "e.json", role="beheerder")
    data["address"][0].pop("state_province")
    data["location"][0]["latitude"] = "50.85"
    data["service"][0]["id"] = "org-1"
    assert len(_problems(data)) == 3


def test_ids_are_stable_across_exports_and_a_round_trip(loaded, tmp_path):
    first = _export(loaded, tmp_path / "a.json", role="beheerder", bron="origineel")
    second = _export(loaded, tmp_path / "b.json", role="beheerder", bron="origineel")
    assert first == second
    assert import_file(loaded, tmp_path / "a.json", "kopie").rejected == 0
    again = _export(loaded, tmp_path / "c.json", role="beheerder", bron="kopie")
    for table in ("organization", "service", "location", "service_at_location", "phone"):
        assert {r["id"] for r in again[table]} == {r["id"] for r in first[table]}, table
    kept = _export(loaded, tmp_path / "d.json", role="beheerder", bron="hsds")
    assert {r["id"] for r in kept["service"]} == {"ac148810-d857-441c-9679-408f346de14b"}
    assert {r["id"] for r in kept["location"]} == {"3a19ff88-4620-4d17-9830-ac1d859eb5d5"}


def test_phones_stay_where_they_belong(loaded, tmp_path):
    data = _export(loaded, tmp_path / "e.json", role="beheerder")
    service = next(s for s in data["service"] if s["name"] == "Community Counselling")
    phone = next(p for p in data["phone"] if p["number"] == "043 321 00 00")
    assert phone["service_id"] == service["id"]
    assert phone["location_id"] == "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
    assert (phone["type"], phone["extension"]) == ("voice", 100)
    loket = next(o for o in data["organization"] if o["name"] == "Stichting Welzijn Heerlen")
    own = [p for p in data["phone"] if p.get("organization_id") == loket["id"]]
    assert [p["number"] for p in own] == ["045 560 0000"]
    assert not any("service_id" in p for p in own)


def test_every_placed_location_has_numeric_coordinates_and_precision(loaded, tmp_path):
    data = _export(loaded, tmp_path / "e.json", role="publiek")
    terms = {t["id"]: t["code"] for t in data["taxonomy_term"]}
    precision = {
        a["link_id"]: a["value"]
        for a in data["attribute"]
        if terms[a["taxonomy_term_id"]] == "geocode_precisie"
    }
    for location in data["location"]:
        assert isinstance(location["latitude"], float) and 50 < location["latitude"] < 54
        assert isinstance(location["longitude"], float) and 3 < location["longitude"] < 8
        assert precision[location["id"]] in {"adres", "pc6", "pc4", "handmatig", "buurt"}
    assert {"pc4", "adres", "handmatig"} <= set(precision.values())


HSDS_SNAPSHOT = """
SELECT o.hsds - 'phones' AS org, a.hsds -> 'schedules' AS schedules, a.hsds -> 'terms' AS terms,
       a.hsds -> 'cost_options' AS costs, a.hsds ->> 'status' AS status, a.werkgebied,
       l.hsds -> 'accessibility' AS access, l.hsds ->> 'description' AS description,
       a.openingstijden, a.talen, l.postcode, l.geocode_precisie
FROM organisatie o JOIN aanbod a ON a.organisatie_id = o.id JOIN locatie l ON l.organisatie_id = o.id
WHERE o.bron = :bron
"""


def test_round_trip_keeps_the_hsds_fields(loaded, tmp_path):
    _export(loaded, tmp_path / "e.json", role="beheerder", bron="hsds")
    assert import_file(loaded, tmp_path / "e.json", "terug").inserted == 1
    with loaded.connect() as conn:
        before, after = (
            [dict(r) for r in conn.execute(sa.text(HSDS_SNAPSHOT), {"bron": b}).mappings()]
            for b in ("hsds", "terug")
        )
    assert after == before and before[0]["schedules"][0]["byday"] == "TH,FR"


def test_round_trip_keeps_every_source(loaded, tmp_path):
    import_file(loaded, CSV, "tweede")  # the same keys as 'origineel'
    data = _export(loaded, tmp_path / "alles.json", role="beheerder")
    assert len(data["service_at_location"]) == 6 + 6 + 1
    result = import_file(loaded, tmp_path / "alles.json", "samen")
    assert (result.read, result.inserted, result.rejected) == (13, 13, 0)
    with loaded.connect() as conn:
        count = conn.execute(
            sa.text(
                "SELECT count(*) FROM aanbod_locatie al JOIN aanbod a ON a.id = al.aanbod_id "
                "WHERE a.bron = 'samen'"
            )
        ).scalar_one()
    assert count == 13


def test_export_reimport_gives_the_same_records(loaded, tmp_path):
    _export(loaded, tmp_path / "e.json", role="beheerder", bron="origineel")
    result = import_file(loaded, tmp_path / "e.json", "kopie")
    assert (result.read, result.inserted, result.rejected) == (6, 6, 0)
    assert _snapshot(loaded, "kopie") == _snapshot(loaded, "origineel")
