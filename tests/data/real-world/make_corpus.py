"""Build the real-world corpus: files in the shapes municipalities and care lists have.

Run ``python tests/data/real-world/make_corpus.py`` from the repository root; the output is
deterministic (a fixed random seed, fixed zip timestamps) and committed next to this script.

Addresses come from the shipped data: ``tests/data/bag_sample.csv`` (real Maastricht BAG
addresses), ``data/pc6_maastricht_centroids_cbs2021.csv`` (real Maastricht postcodes) and
``data/demo/adressen_synthetisch.csv`` (the demo address extract: real place and street
names of Zuid-Limburg, invented combinations). Organisation names are invented.

``corpus.toml`` lists, per file, how it is imported (source, encoding, mapping file, sheet)
and which lines carry no usable visiting address (no address at all, a PO box, a place
outside Zuid-Limburg): the denominator of the "lands as-is" share excludes those lines.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import xlwt
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.odsfile import write_ods  # noqa: E402 - the repository root is added above

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
FIXED = (2026, 12, 1, 0, 0, 0)
THEMES = {
    "Zorg en ondersteuning": "zorg-ondersteuning",
    "Meedoen en ontmoeten": "meedoen-ontmoeten",
    "Informatie en advies": "informatie-advies",
    "Geld en uitkering": "geld-uitkering",
    "Opgroeien en opvoeden": "opgroeien-opvoeden",
    "Werk en dagbesteding": "werk-dagbesteding",
    "Wonen en huishouden": "wonen-huishouden",
}
ACTIVITIES = [
    ("Inloopspreekuur", "Informatie en advies"),
    ("Koffieochtend", "Meedoen en ontmoeten"),
    ("Schuldhulpmaatjes", "Geld en uitkering"),
    ("Opvoedsteunpunt", "Opgroeien en opvoeden"),
    ("Dagbesteding De Brug", "Werk en dagbesteding"),
    ("Klussendienst", "Wonen en huishouden"),
    ("Mantelzorgcafé", "Zorg en ondersteuning"),
    ("Formulierenhulp", "Geld en uitkering"),
]
ORGS = [
    "Stichting Buurtwerk {p}",
    "Welzijn {p}",
    "Vrijwilligerscentrale {p}",
    "Wijkcentrum {p}-Centrum",
    "Zorgcoöperatie {p}",
    "Stichting Samen {p}",
]


def _bag() -> list[dict]:
    """Clean rows of the real Maastricht/Heerlen BAG sample (the test file has bad rows)."""
    rows = list(csv.DictReader((ROOT / "tests/data/bag_sample.csv").open(encoding="utf-8")))
    seen, out = set(), []
    for r in rows:
        key = (r["postcode"], r["huisnummer"], r["huisletter"], r["toevoeging"])
        if re.fullmatch(r"[1-9][0-9]{3}[A-Z]{2}", r["postcode"]) and key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _synthetic(rng: random.Random, places: tuple[str, ...], n: int) -> list[dict]:
    path = ROOT / "data/demo/adressen_synthetisch.csv"
    rows = [r for r in csv.DictReader(path.open(encoding="utf-8")) if r["woonplaats"] in places]
    rows.sort(key=lambda r: (r["postcode"], int(r["huisnummer"]), r["huisletter"]))
    return rng.sample(rows, n)


def _pc6(rng: random.Random, n: int) -> list[str]:
    path = ROOT / "data/pc6_maastricht_centroids_cbs2021.csv"
    codes = sorted(r["pc6"] for r in csv.DictReader(path.open(encoding="utf-8")))
    return rng.sample(codes, n)


def _spaced(postcode: str) -> str:
    return f"{postcode[:4]} {postcode[4:]}"


def _house(r: dict) -> str:
    return f"{r['huisnummer']}{r['huisletter']}" + (
        f"-{r['toevoeging']}" if r["toevoeging"] else ""
    )


def _phone(rng: random.Random, area: str, drop_zero: bool = False) -> str:
    number = f"{area} {rng.randint(200, 899)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    return number.replace(" ", "")[1:] if drop_zero else number


def _write_csv(path: Path, rows: list[list[str]], delimiter=",", encoding="utf-8") -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def _save_xlsx(workbook: Workbook, path: Path) -> None:
    """Save with fixed document dates and zip timestamps, so the bytes are reproducible."""
    workbook.properties.created = workbook.properties.modified = datetime(*FIXED)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _fixed_core(data)
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED), data, zipfile.ZIP_DEFLATED)


def _fixed_core(data: bytes) -> bytes:
    return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-12-01T00:00:00Z", data)


class Corpus:
    """Collects the manifest entries while the files are written."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, dict]] = []

    def add(self, name: str, bron: str, unusable: list[int], **options) -> None:
        """Record how ``name`` is imported and its lines without a usable address."""
        self.entries.append((name, {"bron": bron, **options, "zonder_adres": unusable}))

    def write(self) -> None:
        """Write ``corpus.toml``."""
        lines = [
            "# Written by make_corpus.py: how each file is imported, and its lines",
            "# without a usable visiting address (not counted in the landing share).",
        ]
        for name, entry in self.entries:
            lines += ["", f'["{name}"]']
            for key, value in entry.items():
                lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        (HERE / "corpus.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def maastricht_workbook(rng: random.Random, corpus: Corpus) -> None:
    """XLSX: explanation sheet first, two title rows, organisation cells merged."""
    workbook = Workbook()
    uitleg = workbook.active
    uitleg.title = "Toelichting"
    uitleg.append(["Sociale kaart gemeente Maastricht — toelichting"])
    uitleg.append(["Vul per activiteit één regel in op het blad 'Sociale kaart'."])
    sheet = workbook.create_sheet("Sociale kaart")
    sheet.append(["Overzicht voorzieningen Maastricht"])
    sheet.append(["Stand: november 2026"])
    sheet.merge_cells("A1:L1")
    header = ["Naam organisatie", "KvK-nummer", "Activiteit", "Thema's", "Doelgroepen"]
    header += ["Straatnaam", "Huisnr", "Postcode", "Woonplaats", "Telefoonnummer"]
    header += ["E-mailadres", "Openingsuren"]
    sheet.append(header)
    line = 4
    addresses = _bag()
    for i, address in enumerate(addresses):
        org = ORGS[i // 3 % len(ORGS)].format(p="Maastricht")
        activity, theme = ACTIVITIES[i % len(ACTIVITIES)]
        first = i % 3 == 0
        sheet.append(
            [
                org if first else None,
                f"{40100000 + i // 3 * 7}" if first else None,
                activity,
                theme,
                "iedereen" if i % 2 else "ouderen; mantelzorgers",
                address["straat"],
                _house(address),
                _spaced(address["postcode"]),
                address["woonplaats"],
                _phone(rng, "043"),
                f"info@{org.split()[-1].lower()}.example",
                "ma-vr 09:00-17:00" if i % 2 else "di en do 10.00 - 12.00 uur",
            ]
        )
        if first:
            start = line
        if i % 3 == 2 or i == len(addresses) - 1:
            sheet.merge_cells(f"A{start}:A{line}")
        line += 1
    _save_xlsx(workbook, HERE / "01_maastricht_werkboek.xlsx")
    corpus.add("01_maastricht_werkboek.xlsx", "Gemeente Maastricht", [])


def heerlen_cp1252(rng: random.Random, corpus: Corpus) -> None:
    """Semicolon CSV saved by an old Excel: cp1252, a title line, phones without a 0."""
    rows = [["Export sociale kaart Heerlen (Wmo-loket)", "", "", "", "", "", "", "", ""]]
    rows.append(["Organisatienaam", "Dienst", "Categorie", "Straat", "Huisnummer"])
    rows[-1] += ["Postcode", "Plaats", "Tel", "Mail"]
    for i, a in enumerate(_synthetic(rng, ("Heerlen", "Hoensbroek"), 24)):
        activity, theme = ACTIVITIES[(i + 3) % len(ACTIVITIES)]
        org = ["Café De Ontmoeting", "Stichting Één Heerlen", "Buurtbeheer Zeswegen"][i % 3]
        rows.append(
            [
                org,
                activity,
                theme,
                a["straat"],
                _house(a),
                a["postcode"] if i % 4 else _spaced(a["postcode"]).lower(),
                a["woonplaats"].upper() if i % 5 == 0 else a["woonplaats"],
                _phone(rng, "045", drop_zero=i % 2 == 0),
                f"contact{i % 3}@heerlen-welzijn.example",
            ]
        )
    _write_csv(HERE / "02_heerlen_export.csv", rows, ";", "cp1252")
    corpus.add("02_heerlen_export.csv", "Gemeente Heerlen Wmo-loket", [], encoding="cp1252")


def sittard_tsv(rng: random.Random, corpus: Corpus) -> None:
    """TSV with KvK 'n.v.t.', free-text opening hours and an 'op afspraak'."""
    rows = [["Naam", "KvK nr", "Activiteit", "Thema", "Adres", "Huisnr", "Postcode"]]
    rows[0] += ["Woonplaats", "Telefoonnummer", "Geopend"]
    hours = ["ma t/m vr 9-17 uur", "op afspraak", "Ma - Vr: 08.30 - 17.00", "dinsdag 13-16 uur"]
    for i, a in enumerate(_synthetic(rng, ("Sittard", "Geleen", "Born"), 20)):
        activity, theme = ACTIVITIES[i % len(ACTIVITIES)]
        rows.append(
            [
                f"Vereniging {a['straat'].split()[0]}",
                "n.v.t." if i % 3 == 0 else f"{14200000 + i * 11}",
                activity,
                THEMES[theme],
                a["straat"],
                _house(a),
                a["postcode"],
                a["woonplaats"],
                _phone(rng, "046"),
                hours[i % len(hours)],
            ]
        )
    _write_csv(HERE / "03_sittard_geleen.tsv", rows, "\t")
    corpus.add("03_sittard_geleen.tsv", "Gemeente Sittard-Geleen", [])


def kerkrade_ods(rng: random.Random, corpus: Corpus) -> None:
    """ODS (LibreOffice) with an explanation sheet, a title row and combined address columns."""
    data = [["Wegwijzer Parkstad-Oost 2026"], []]
    data.append(["Aanbieder", "Activiteit", "Thema", "Straat + huisnr", "Postcode/plaats"])
    for i, a in enumerate(_synthetic(rng, ("Kerkrade", "Landgraaf", "Eygelshoven"), 18)):
        activity, theme = ACTIVITIES[(i + 5) % len(ACTIVITIES)]
        place = a["woonplaats"].upper() if i % 2 else a["woonplaats"]
        data.append(
            [
                f"Stichting Wijkwerk {a['woonplaats']}",
                activity,
                THEMES[theme],
                f"{a['straat']} {_house(a)}",
                f"{a['postcode']}  {place}" if i % 3 else f"{_spaced(a['postcode'])} {place}",
            ]
        )
    write_ods(
        HERE / "04_kerkrade_landgraaf.ods", {"Uitleg": [["Lees eerst dit blad."]], "Data": data}
    )
    corpus.add("04_kerkrade_landgraaf.ods", "Wegwijzer Parkstad-Oost", [])


def combined_address(rng: random.Random, corpus: Corpus) -> None:
    """One 'Adres' column: street and number, with or without postcode and place."""
    rows = [["Naam organisatie", "Activiteit", "Thema", "Adres"]]
    for i, a in enumerate(_bag()):
        activity, theme = ACTIVITIES[(i + 1) % len(ACTIVITIES)]
        street = f"{a['straat']} {_house(a)}"
        written = [
            f"{street}, {_spaced(a['postcode'])} {a['woonplaats']}",
            f"{street} {a['postcode']} {a['woonplaats'].upper()}",
            f"{street}, {a['woonplaats']}",  # no postcode: street, number and place
        ]
        rows.append([f"Buurtnetwerk {a['straat']}", activity, THEMES[theme], written[i % 3]])
    _write_csv(HERE / "05_adres_in_een_kolom.csv", rows)
    corpus.add("05_adres_in_een_kolom.csv", "Buurtnetwerken Maastricht", [])


def without_postcode(rng: random.Random, corpus: Corpus) -> None:
    """Street, number and place, but no postcode column at all."""
    rows = [["Organisatie", "Aanbod", "Thema", "Straat", "Huisnummer", "Plaats"]]
    places = ("Brunssum", "Beek", "Stein", "Meerssen", "Vaals")
    for i, a in enumerate(_synthetic(rng, places, 16)):
        activity, theme = ACTIVITIES[(i + 2) % len(ACTIVITIES)]
        rows.append(
            [f"Dorpsraad {a['woonplaats']}", activity, THEMES[theme], a["straat"], _house(a)]
            + [a["woonplaats"]]
        )
    _write_csv(HERE / "06_zonder_postcode.csv", rows)
    corpus.add("06_zonder_postcode.csv", "Dorpsraden", [])


WMO = {
    "Huishoudelijke ondersteuning": "wonen-huishouden",
    "Begeleiding individueel": ["zorg-ondersteuning"],
    "Begeleiding groep (dagbesteding)": ["werk-dagbesteding"],
    "Kortdurend verblijf": "zorg-ondersteuning",
    "Vervoer Wmo (regiotaxi)": "vervoer",
}


def wmo_products(rng: random.Random, corpus: Corpus) -> None:
    """Wmo contract list: product names as themes, mapped by a mapping file."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Gecontracteerd 2026"
    sheet.append(["Naam aanbieder", "AGB-code", "Product", "Straat", "Huisnummer", "Postcode"])
    sheet.append([])
    products = list(WMO)
    places = ("Maastricht", "Heerlen", "Valkenburg", "Eijsden", "Voerendaal")
    for i, a in enumerate(_synthetic(rng, places, 22)):
        sheet.append(
            [
                f"Zorggroep {['Mosa', 'Geuldal', 'Heuvelland', 'Parkstad'][i % 4]}",
                f"9805{1000 + i}",
                products[i % len(products)] if i % 7 else "Overig",
                a["straat"],
                _house(a),
                a["postcode"],
            ]
        )
    _save_xlsx(workbook, HERE / "07_wmo_contracten.xlsx")
    lines = [
        "[kolommen]",
        '"Naam aanbieder" = "organisatie"',
        '"Product" = "thema"',
        "",
        "[waarden.thema]",
    ]
    for name, value in WMO.items():
        lines.append(f"{json.dumps(name)} = {json.dumps(value)}")
    lines += ['"Overig" = ""', "", "[standaard]", 'doelgroep = "iedereen"']
    (HERE / "07_wmo_koppeling.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus.add("07_wmo_contracten.xlsx", "Wmo-contracten", [], mapping="07_wmo_koppeling.toml")


NATIONAL = [  # (postcode, number, street, place): outside Zuid-Limburg
    ("3511AB", "1", "Stationsplein", "Utrecht"),
    ("5611AB", "10", "Stationsplein", "Eindhoven"),
    ("1012AB", "2", "Damrak", "Amsterdam"),
    ("9711AB", "5", "Grote Markt", "Groningen"),
    ("6511AA", "3", "Stationsplein", "Nijmegen"),
    ("5911AA", "8", "Markt", "Venlo"),
]
KINDS = ["Thuiszorg", "Fysiotherapie", "Jeugdhulp", "Huisartsenpraktijk", "Logopedie"]


def national_list(rng: random.Random, corpus: Corpus) -> None:
    """A national care-provider list: no theme column, most rows outside the region."""
    rows = [["Naam", "Soort zorg", "Straat", "Huisnummer", "Postcode", "Plaats", "Telefoon"]]
    rows[0][1] = "Activiteit"
    local = _synthetic(rng, ("Maastricht", "Heerlen", "Sittard", "Kerkrade"), 12)
    unusable = []
    for i in range(24):
        kind = KINDS[i % len(KINDS)]
        if i % 2:
            postcode, number, street, place = NATIONAL[i // 2 % len(NATIONAL)]
            unusable.append(len(rows) + 1)
        else:
            a = local[i // 2]
            postcode, number, street, place = a["postcode"], _house(a), a["straat"], a["woonplaats"]
        rows.append(
            [f"{kind} {place} {i}", kind, street, number, postcode, place, _phone(rng, "088")]
        )
    _write_csv(HERE / "08_landelijke_zorgaanbieders.csv", rows)
    corpus.add("08_landelijke_zorgaanbieders.csv", "Landelijk zorgaanbiedersregister", unusable)


def po_boxes(rng: random.Random, corpus: Corpus) -> None:
    """Addresses as kept by an administration: PO boxes and rows without any address."""
    rows = [["organisatie", "aanbod", "thema", "straat", "huisnummer", "postcode", "plaats"]]
    unusable = []
    for i, a in enumerate(_bag()[:15]):
        activity, theme = ACTIVITIES[i % len(ACTIVITIES)]
        if i % 5 == 1:
            row = ["Postbus", str(1900 + i), f"6200 A{'BCDE'[i % 4]}", "Maastricht"]
            unusable.append(len(rows) + 1)
        elif i % 5 == 3:
            row = ["", "", "", "Maastricht"]
            unusable.append(len(rows) + 1)
        else:
            row = [a["straat"], _house(a), a["postcode"], a["woonplaats"]]
        rows.append([f"Fonds {i}", activity, THEMES[theme], *row])
    _write_csv(HERE / "09_postbussen.csv", rows)
    corpus.add("09_postbussen.csv", "Fondsenlijst", unusable)


def hsds_copy(rng: random.Random, corpus: Corpus) -> None:
    """The official HSDS 3 service example with a real Maastricht address."""
    example = ROOT / "tests/data/hsds-3.0/examples/service_full.json"
    data = json.loads(example.read_text(encoding="utf-8"))
    a = _bag()[2]

    def locations(node):
        if isinstance(node, dict):
            if "addresses" in node:
                yield node
            for value in node.values():
                yield from locations(value)
        elif isinstance(node, list):
            for value in node:
                yield from locations(value)

    for location in locations(data):
        location.pop("latitude", None)
        location.pop("longitude", None)
        for address in location["addresses"]:
            address.update(
                address_1=f"{a['straat']} {_house(a)}",
                address_2="",
                city="Maastricht",
                region="Limburg",
                state_province="Limburg",
                postal_code=_spaced(a["postcode"]),
                country="NL",
                address_type="physical",
            )
    data["phones"][0]["number"] = "043 350 40 00"
    path = HERE / "10_hsds_dienst.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    corpus.add("10_hsds_dienst.json", "HSDS-voorbeeld Maastricht", [])


def location_phones(rng: random.Random, corpus: Corpus) -> None:
    """One organisation with several locations, each with its own phone number."""
    rows = [["organisatie_id", "organisatie", "aanbod", "thema", "locatie_naam", "straat"]]
    rows[0] += ["huisnummer", "postcode", "plaats", "telefoon"]
    for a in _bag()[:8]:
        rows.append(
            ["mw1", "Maatschappelijk Werk Maastricht", "Spreekuur", "informatie-advies"]
            + [f"Wijkpost {a['straat']}", a["straat"], _house(a), a["postcode"]]
            + [a["woonplaats"], _phone(rng, "043")]
        )
    _write_csv(HERE / "11_locaties_eigen_telefoon.csv", rows)
    corpus.add("11_locaties_eigen_telefoon.csv", "Maatschappelijk Werk Maastricht", [])


def old_excel(rng: random.Random, corpus: Corpus) -> None:
    """Excel 97-2003 (.xls): a title row, numbers as number cells, a date cell.

    House numbers and phone numbers typed as numbers (Excel dropped the phone's 0), the
    check date a real date cell. xlwt writes the same bytes every time (no timestamps).
    """
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Voorzieningen")
    dates = xlwt.easyxf(num_format_str="DD-MM-YYYY")
    sheet.write(0, 0, "Overzicht voorzieningen Heuvelland (export 2019)")
    headers = ["Organisatie", "Activiteit", "Thema", "Straat", "Huisnr", "Postcode"]
    headers += ["Woonplaats", "Telefoon", "Geverifieerd op"]
    for col, header in enumerate(headers):
        sheet.write(2, col, header)
    places = ("Valkenburg", "Gulpen", "Eijsden", "Margraten", "Wijlre")
    for i, a in enumerate(_synthetic(rng, places, 14)):
        activity, theme = ACTIVITIES[(i + 3) % len(ACTIVITIES)]
        row = 3 + i
        values = [f"Steunpunt {a['woonplaats']}", activity, THEMES[theme], a["straat"]]
        for col, value in enumerate(values):
            sheet.write(row, col, value)
        number = int(a["huisnummer"])
        sheet.write(row, 4, number if not a["huisletter"] else f"{number}{a['huisletter']}")
        sheet.write(row, 5, _spaced(a["postcode"]))
        sheet.write(row, 6, a["woonplaats"])
        sheet.write(row, 7, int(_phone(rng, "043", drop_zero=True)))
        sheet.write(row, 8, datetime(2025, 1 + i % 12, 1 + i), dates)
    buffer = io.BytesIO()
    workbook.save(buffer)
    (HERE / "13_heuvelland_oud_excel.xls").write_bytes(buffer.getvalue())
    corpus.add("13_heuvelland_oud_excel.xls", "Steunpunten Heuvelland", [])


def postcode_only(rng: random.Random, corpus: Corpus) -> None:
    """Neighbourhood activities known by postcode only (no house number)."""
    rows = [["Naam", "Activiteit", "Thema", "Postcode", "Plaats", "Website"]]
    for i, code in enumerate(_pc6(rng, 20)):
        activity, theme = ACTIVITIES[(i + 4) % len(ACTIVITIES)]
        rows.append(
            [f"Buurtgroep {code}", activity, THEMES[theme], _spaced(code), "Maastricht"]
            + ["www.buurtgroepen-maastricht.example" if i % 2 else "geen"]
        )
    _write_csv(HERE / "12_alleen_postcode.csv", rows)
    corpus.add("12_alleen_postcode.csv", "Buurtgroepen Maastricht", [])


def main() -> None:
    """Write every file and the manifest."""
    corpus = Corpus()
    for make in (
        maastricht_workbook,
        heerlen_cp1252,
        sittard_tsv,
        kerkrade_ods,
        combined_address,
        without_postcode,
        wmo_products,
        national_list,
        po_boxes,
        hsds_copy,
        location_phones,
        postcode_only,
        old_excel,
    ):
        make(random.Random(make.__name__), corpus)
    corpus.write()


if __name__ == "__main__":
    main()
