"""The real-world corpus (tests/data/real-world, built by make_corpus.py) imported for real.

Per file: rows read, rows landed, precision of the landed locations and number of
warnings, asserted exactly. Across the corpus: the share of rows with a usable visiting
address that land as they are (goal of issue 12: at least 95 %).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.bag_loader import load_bag
from geo.geocode import FOUT_NIET_GEVONDEN
from geo.postcode_loader import load_postcodes
from geo.records.importer import ImportResult, import_file
from geo.records.validate import POSTBUS_ONLY

DATA = Path(__file__).resolve().parents[2] / "data"
CORPUS = Path(__file__).resolve().parents[1] / "data" / "real-world"
MANIFEST = tomllib.loads((CORPUS / "corpus.toml").read_text(encoding="utf-8"))

# file: (read, landed, {precision: locations}, warnings). Measured, not tuned.
# Locations, not rows: rows at the same address share one location.
EXPECTED: dict[str, tuple[int, int, dict[str, int], int]] = {
    # Explanation sheet first, title rows, merged organisation cells; "12a" is not in the
    # BAG sample, so those rows fall back to the postcode.
    "01_maastricht_werkboek.xlsx": (23, 23, {"adres": 19, "pc6": 4}, 0),
    "02_heerlen_export.csv": (24, 24, {"adres": 24}, 0),  # cp1252, ';', phones without 0
    "03_sittard_geleen.tsv": (20, 20, {"adres": 20}, 7),  # 7 x KvK "n.v.t." left out
    # "Straat + huisnr" and "Postcode/plaats" columns ("6461AA  KERKRADE"), split.
    "04_kerkrade_landgraaf.ods": (18, 18, {"adres": 18}, 0),
    # One "Adres" column ("Markt 78, 6211 CL Maastricht", "Markt 1 6211CS MAASTRICHT",
    # "Vrijthof 18, Maastricht"), split: placed by the BAG table like separate columns.
    # "12a" and the BAG sample's bad rows (17) fall back to the postcode; "Markt 14,
    # Maastricht" (line 22) has no postcode and its BAG row has no coordinates: refused.
    "05_adres_in_een_kolom.csv": (23, 22, {"adres": 19, "pc6": 3}, 0),
    "06_zonder_postcode.csv": (16, 16, {"adres": 16}, 0),  # street + number + place
    "07_wmo_contracten.xlsx": (22, 22, {"adres": 22}, 0),  # Wmo products via mapping
    # 12 providers outside Zuid-Limburg are refused; 12 inside get a proposed theme.
    "08_landelijke_zorgaanbieders.csv": (24, 12, {"adres": 12}, 0),
    # 3 PO boxes ("Alleen een postbus: geef het bezoekadres op"), 3 rows without address
    "09_postbussen.csv": (15, 9, {"adres": 9}, 0),
    "10_hsds_dienst.json": (1, 1, {"adres": 1}, 1),  # its term names no theme of ours
    "11_locaties_eigen_telefoon.csv": (8, 8, {"adres": 8}, 0),
    "12_alleen_postcode.csv": (20, 20, {"pc6": 20}, 10),  # website "geen" left out
    # Excel 97-2003: numbers and dates as number cells, a phone without its 0.
    "13_heuvelland_oud_excel.xls": (14, 14, {"adres": 14}, 0),
}


@pytest.fixture(scope="module")
def corpus_engine(databases):
    """Areas, the region's postcodes, the real BAG sample and the demo address extract."""
    engine = databases.create_with_areas()
    load_postcodes(
        engine, DATA / "pc6_maastricht_centroids_cbs2021.csv", DATA / "pc4_zuid_limburg.csv"
    )
    load_bag(engine, CORPUS.parent / "bag_sample.csv", bron="BAG (test)")
    load_bag(engine, DATA / "demo" / "adressen_synthetisch.csv", bron="BAG (demo)")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def imported(corpus_engine) -> dict[str, ImportResult]:
    """Every corpus file imported once, as its manifest says."""
    results = {}
    for name, entry in MANIFEST.items():
        mapping = CORPUS / entry["mapping"] if "mapping" in entry else None
        results[name] = import_file(
            corpus_engine,
            CORPUS / name,
            entry["bron"],
            mapping_file=mapping,
            encoding=entry.get("encoding"),
            sheet=entry.get("blad"),
        )
    return results


def _precisions(engine, bron: str) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT l.geocode_precisie, count(*) FROM locatie l "
                "JOIN organisatie o ON o.id = l.organisatie_id "
                "WHERE o.bron = :bron GROUP BY 1 ORDER BY 1"
            ),
            {"bron": bron},
        ).all()
    return {precision: n for precision, n in rows}


def test_corpus_has_the_shapes(imported):
    suffixes = {Path(name).suffix for name in MANIFEST}
    assert suffixes >= {".xlsx", ".xls", ".ods", ".tsv", ".csv", ".json"}
    assert len(MANIFEST) >= 10


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_each_file(imported, corpus_engine, name):
    result = imported[name]
    landed = result.inserted + result.updated + result.unchanged
    measured = (
        result.read,
        landed,
        _precisions(corpus_engine, MANIFEST[name]["bron"]),
        len(result.warnings),
    )
    print(name, measured, [(r.line, r.column, r.reason) for r in result.rejects][:5])
    print("  warnings:", sorted({w.reason for w in result.warnings})[:6])
    assert measured == EXPECTED[name]


def _share(imported) -> tuple[int, int]:
    """(rows with a usable address that landed, rows with a usable address)."""
    landed = usable = 0
    for name, entry in MANIFEST.items():
        result = imported[name]
        without = set(entry["zonder_adres"])
        rejected = {r.line for r in result.rejects}
        lines = result.read - len(without)
        usable += lines
        landed += lines - len(rejected - without)
    return landed, usable


def test_share_of_rows_with_a_usable_address_that_land(imported):
    landed, usable = _share(imported)
    print(f"Real-world corpus: {landed} of {usable} rows land as-is ({landed / usable:.1%})")
    assert (landed, usable) == (209, 210)
    assert landed / usable >= 0.95


def test_every_refusal_is_a_row_without_a_usable_address(imported):
    reasons = {
        (name, r.reason)
        for name, result in imported.items()
        for r in result.rejects
        if r.line not in set(MANIFEST[name]["zonder_adres"])
    }
    # The one exception: an address without postcode that the BAG sample lacks (its row
    # there has no coordinates), so there is nothing to fall back on.
    assert reasons == {("05_adres_in_een_kolom.csv", FOUT_NIET_GEVONDEN)}


def test_providers_outside_the_region_are_told_so(imported):
    """Issue 12 point 8: not "adres niet gevonden" but where the postcode lies."""
    reasons = [r.reason for r in imported["08_landelijke_zorgaanbieders.csv"].rejects]
    assert len(reasons) == 12
    assert all(
        re.fullmatch(
            r"Postcode \d{4} [A-Z]{2} ligt buiten het gebied dat geladen is \(postcodes "
            r"6100-6499\)\. Laad de gebieden van die gemeente of controleer de postcode\.",
            reason,
        )
        for reason in reasons
    ), reasons


def test_a_postbus_is_refused_with_what_to_do(imported):
    reasons = {(r.line, r.column, r.reason) for r in imported["09_postbussen.csv"].rejects}
    postbus = {line for line, column, reason in reasons if reason.startswith(POSTBUS_ONLY)}
    assert postbus == {3, 8, 13}
    assert (3, "straat", f"{POSTBUS_ONLY} (Postbus 1901)") in reasons


def test_a_row_without_postcode_is_placed_on_street_number_and_place(imported, corpus_engine):
    with corpus_engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT l.postcode, l.straat, l.geocode_precisie FROM locatie l "
                "JOIN organisatie o ON o.id = l.organisatie_id WHERE o.bron = 'Dorpsraden'"
            )
        ).all()
    assert len(rows) == 16
    assert {(r.postcode, r.geocode_precisie) for r in rows} == {(None, "adres")}


def test_each_office_keeps_its_own_phone(imported, corpus_engine):
    """11_locaties_eigen_telefoon.csv: one organisation, a number per office (issue 12, 7)."""
    with corpus_engine.connect() as conn:
        org, own, shown = conn.execute(
            sa.text(
                "SELECT min(o.telefoon), array_agg(l.telefoon ORDER BY l.bron_id), "
                "array_agg(v.telefoon ORDER BY l.bron_id) FROM organisatie o "
                "JOIN locatie l ON l.organisatie_id = o.id "
                "JOIN aanbod_locatie al ON al.locatie_id = l.id "
                "JOIN laag_voorzieningen v ON v.id = al.id "
                "WHERE o.bron = 'Maatschappelijk Werk Maastricht'"
            )
        ).one()
    assert len(shown) == len(set(shown)) == 8  # every office its own number on the map
    assert own.count(None) == 1 and org in shown  # the first office's is the organisation's
