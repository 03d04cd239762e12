"""Real open data for the demo, converted to the flat import format of docs/IMPORT.md.

* ``osm_records``: care and welfare amenities of the OpenStreetMap extract of central
  Maastricht (ODbL, © OpenStreetMap contributors), with their own coordinates.
* ``hospital_records``: the RIVM list of hospital locations, Zuid-Limburg only, without
  coordinates, so they are geocoded by postcode and house number.

Unnamed OSM amenities are kept, with a descriptive name such as "Politiebureau (naam
onbekend)": for coverage analysis a pharmacy without a name is still a pharmacy.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.records.columns import COLUMNS

DATA = Path(__file__).resolve().parent.parent / "data"
# The columns of the flat import format (geo.records), in the order the demo files have
# them: the two ids first, no RD x/y (OSM rows carry WGS84 lat/lon, the others none).
IDS = ("id", "organisatie_id")
IMPORT_COLUMNS = [*IDS, *(c for c in COLUMNS if c not in (*IDS, "x", "y"))]
ZUID_LIMBURG = (
    "Beek",
    "Brunssum",
    "Heerlen",
    "Kerkrade",
    "Landgraaf",
    "Maastricht",
    "Meerssen",
    "Simpelveld",
    "Stein",
    "Vaals",
    "Voerendaal",
    "Valkenburg aan de Geul",
    "Gulpen-Wittem",
    "Sittard-Geleen",
    "Eijsden-Margraten",
    "Beekdaelen",
)
ZORG = "zorg-ondersteuning"
# OSM amenity -> (Dutch label, themes, doelgroepen, service description in B1 Dutch).
OSM_AMENITIES = {
    "pharmacy": (
        "Apotheek",
        [ZORG],
        ["iedereen"],
        "Apotheek: hier haalt u uw medicijnen op en krijgt u uitleg over het gebruik.",
    ),
    "doctors": (
        "Huisartsenpraktijk",
        [ZORG],
        ["iedereen"],
        "Huisarts: voor vragen over uw gezondheid en als u ziek bent.",
    ),
    "clinic": (
        "Kliniek",
        [ZORG],
        ["iedereen"],
        "Kliniek of polikliniek: onderzoek en behandeling, meestal op afspraak.",
    ),
    "dentist": (
        "Tandarts",
        [ZORG],
        ["iedereen"],
        "Tandarts: controle en behandeling van uw gebit.",
    ),
    "hospital": (
        "Ziekenhuis",
        [ZORG],
        ["iedereen"],
        "Ziekenhuis: onderzoek en behandeling door medisch specialisten.",
    ),
    "nursing_home": (
        "Verpleeghuis",
        [ZORG],
        ["ouderen"],
        "Verpleeghuis: wonen met zorg voor mensen die veel zorg nodig hebben.",
    ),
    "social_facility": (
        "Sociale voorziening",
        [ZORG],
        ["iedereen"],
        "Voorziening voor zorg en hulp aan mensen die het moeilijk hebben.",
    ),
    "community_centre": (
        "Buurthuis",
        ["meedoen-ontmoeten"],
        ["iedereen"],
        "Ontmoetingsplek: activiteiten en andere mensen ontmoeten.",
    ),
    "library": (
        "Bibliotheek",
        ["informatie-advies"],
        ["iedereen"],
        "Bibliotheek: boeken lenen, informatie zoeken en hulp met de computer.",
    ),
    "childcare": (
        "Kinderopvang",
        ["opgroeien-opvoeden"],
        ["kinderen", "ouders"],
        "Kinderopvang: opvang voor kinderen als hun ouders werken of studeren.",
    ),
    "police": (
        "Politiebureau",
        ["veiligheid"],
        ["iedereen"],
        "Politiebureau: aangifte doen en vragen stellen aan de politie.",
    ),
    "townhall": (
        "Gemeentehuis",
        ["informatie-advies"],
        ["iedereen"],
        "Gemeentehuis: het loket van de gemeente voor inwoners.",
    ),
}
# OSM social_facility=* -> (themes, doelgroepen); other values keep the amenity default.
OSM_SOCIAL_FACILITY = {
    "shelter": (["wonen-huishouden", "veiligheid"], ["dak-en-thuislozen"]),
    "food_bank": (["geld-uitkering"], ["mensen-met-geldzorgen"]),
    "soup_kitchen": (
        ["geld-uitkering", "meedoen-ontmoeten"],
        ["dak-en-thuislozen", "mensen-met-geldzorgen"],
    ),
    "clothing_bank": (["geld-uitkering"], ["mensen-met-geldzorgen"]),
    "outreach": (["informatie-advies"], ["iedereen"]),
    "group_home": (["wonen-huishouden", ZORG], ["mensen-met-beperking"]),
    "assisted_living": (["wonen-huishouden", ZORG], ["ouderen", "mensen-met-beperking"]),
    "nursing_home": ([ZORG], ["ouderen"]),
    "day_care": (["werk-dagbesteding"], ["mensen-met-beperking", "ouderen"]),
    "workshop": (["werk-dagbesteding"], ["mensen-met-beperking"]),
}
WHEELCHAIR = {
    "yes": "Rolstoeltoegankelijk",
    "limited": "Beperkt rolstoeltoegankelijk",
    "no": "Niet rolstoeltoegankelijk",
}
OSM_DAYS = {"Mo": "ma", "Tu": "di", "We": "wo", "Th": "do", "Fr": "vr", "Sa": "za", "Su": "zo"}
MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
HOUSENUMBER = re.compile(
    r"^(?P<nr>\d{1,5})\s*(?P<letter>[A-Za-z](?![A-Za-z0-9]))?"
    r"\s*(?:[-/]?\s*(?P<rest>[A-Za-z0-9]{1,4}))?$"
)
RANGE = re.compile(r"^(?P<nr>(?P<first>\d{1,5})\s*[A-Za-z]?)\s*-\s*(?P<end>\d{1,5})\s*[A-Za-z]?$")
OSM_RULE = re.compile(
    r"^(?:(?P<days>[A-Z][a-z](?:[-,][A-Z][a-z])*)\s+)?"
    r"(?:(?P<off>off|closed)|(?P<from>\d\d:\d\d)-(?P<to>\d\d:\d\d))$"
)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    r"""Write an import or BAG file byte for byte reproducibly (UTF-8, ``\n``, no index)."""
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def postcode(text) -> str:
    """``6217CS`` or ``6217 cs`` -> ``6217 CS``; anything else -> ``""``."""
    match = re.fullmatch(r"([1-9]\d{3})\s?([A-Za-z]{2})", str(text or "").strip())
    return f"{match[1]} {match[2].upper()}" if match else ""


def split_housenumber(text) -> tuple[str, str, str]:
    """House number, huisletter and toevoeging of a free-text house number.

    ``22A`` -> (22, A), ``100 C02`` -> (100, '', C02), ``12-3`` -> (12, '', 3). A range
    ``2-4`` or ``71A-77A`` (second number larger) gives its first address. A spreadsheet
    date such as ``4-Feb`` (what Excel makes of ``2-4``) is read back as ``2-4``.
    """
    text = str(text or "").strip()
    date = re.fullmatch(r"(\d{1,2})-([A-Za-z]{3})", text)
    if date and date[2].lower() in MONTHS:
        text = f"{MONTHS[date[2].lower()]}-{date[1]}"
    span = RANGE.fullmatch(text)
    if span and int(span["end"]) > int(span["first"]):
        text = span["nr"]
    match = HOUSENUMBER.fullmatch(text)
    if not match:
        return "", "", ""
    return match["nr"], (match["letter"] or "").upper(), (match["rest"] or "").upper()


def _osm_days(days: str) -> str:
    """``Mo-Fr`` -> ``ma-vr``; lists keep ranges only when alone (``Tu,Th-Fr`` -> ``di,do,vr``)."""
    if "," not in days:
        return "-".join(OSM_DAYS[d] for d in days.split("-"))
    order = list(OSM_DAYS)
    out = []
    for part in days.split(","):
        first, _, last = part.partition("-")
        out += order[order.index(first) : order.index(last or first) + 1]
    return ",".join(OSM_DAYS[d] for d in out)


def opening_hours(text) -> str:
    """OSM ``opening_hours`` in our format when it is simple, else ``""``.

    Simple: rules ``[days] HH:MM-HH:MM`` or ``days off`` separated by ``;``, the end after
    the start and at most 24:00. No days means every day (OSM semantics).
    """
    rules = [r.strip() for r in str(text or "").split(";") if r.strip()]
    out = []
    for rule in rules:
        match = OSM_RULE.fullmatch(rule)
        if not match or any(d not in OSM_DAYS for d in re.findall(r"[A-Z][a-z]", rule)):
            return ""
        if match["off"]:
            continue
        start, end = match["from"], match["to"]
        if not ("00:00" <= start < end <= "24:00") or max(int(start[3:]), int(end[3:])) > 59:
            return ""
        out.append(f"{_osm_days(match['days'] or 'Mo-Su')} {start}-{end}")
    return "; ".join(out)


def _text(value) -> str:
    return "" if value is None or pd.isna(value) else str(value).strip()


def _osm_row(tags: dict, lon: float, lat: float) -> dict:
    label, themes, groups, description = OSM_AMENITIES[tags["value"]]
    facility = _text(tags.get("social_facility"))
    if tags["value"] == "social_facility" and facility in OSM_SOCIAL_FACILITY:
        themes, groups = OSM_SOCIAL_FACILITY[facility]
    name = _text(tags.get("name")) or f"{label} (naam onbekend)"
    nr, letter, extra = split_housenumber(tags.get("housenumber"))
    return {
        "id": f"osm:{tags['osm_id']}",
        "organisatie_id": f"osm:{tags['osm_id']}",
        "organisatie": name,
        "aanbod": label,
        "aanbod_omschrijving": description,
        "thema": "; ".join(themes),
        "doelgroep": "; ".join(groups),
        "locatie_naam": name,
        "straat": _text(tags.get("street")),
        "huisnummer": nr,
        "huisletter": letter,
        "toevoeging": extra,
        "postcode": postcode(tags.get("postcode")),
        "plaats": _text(tags.get("city")),
        "lat": f"{lat:.6f}",
        "lon": f"{lon:.6f}",
        "telefoon": _text(tags.get("phone")),
        "website": _text(tags.get("website")),
        "openingstijden": opening_hours(tags.get("opening_hours")),
        "toegankelijkheid": WHEELCHAIR.get(_text(tags.get("wheelchair")), ""),
        "zichtbaarheid": "openbaar",
    }


def osm_records(path: Path = DATA / "osm_poi_maastricht_2023.geojson") -> pd.DataFrame:
    """Care and welfare amenities of an OSM point extract, as import rows.

    Parameters
    ----------
    path : Path
        GeoJSON with the columns of ``data/osm_poi_maastricht_2023.geojson`` (``osm_id``,
        ``key``, ``value``, ``name``, address and contact tags).

    Returns
    -------
    DataFrame
        One row per amenity in ``OSM_AMENITIES``, sorted by ``id``, with WGS84
        ``lat``/``lon`` (they override geocoding) and all values as strings.
    """
    frame = gpd.read_file(path).to_crs(4326)
    frame = frame[(frame["key"] == "amenity") & frame["value"].isin(list(OSM_AMENITIES))]
    rows = [
        _osm_row(tags, point.x, point.y)
        for tags, point in zip(
            frame.drop(columns="geometry").to_dict("records"),
            frame.geometry.representative_point(),
            strict=True,
        )
    ]
    return _frame(rows)


def _frame(rows: list[dict]) -> pd.DataFrame:
    """Rows as a frame of strings, with the import columns the rows use, sorted by id."""
    used = set().union(*rows) if rows else {"id"}
    columns = [c for c in IMPORT_COLUMNS if c in used]
    frame = pd.DataFrame(rows, columns=columns).fillna("").astype(str)
    return frame.sort_values("id", kind="stable", ignore_index=True)


HOSPITAL_SERVICE = {
    "Algemeen ziekenhuis": "Ziekenhuis: onderzoek en behandeling door medisch specialisten, "
    "met opname als dat nodig is.",
    "Academisch ziekenhuis": "Academisch ziekenhuis: onderzoek en behandeling door medisch "
    "specialisten, ook voor zeldzame en moeilijke ziektes.",
    "Buitenpolikliniek": "Polikliniek van het ziekenhuis: afspraken met een medisch "
    "specialist dichter bij huis.",
}


def hospital_records(
    path: Path = DATA / "ziekenhuislocaties_limburg_2016.csv",
    pc4_path: Path = DATA / "pc4_zuid_limburg.csv",
) -> pd.DataFrame:
    """Hospital locations in the 16 Zuid-Limburg gemeenten, as import rows without coordinates.

    The woonplaats is taken from the CBS PC4 table when the list names something else
    (it gives the gemeente "Sittard-Geleen" for the Geleen hospital).

    Returns
    -------
    DataFrame
        One row per location, sorted by ``id`` (``rivm:<ziekenhuisnummer>``), grouped
        into organisations by ``organisatie_id`` (``rivm:<organisatienummer>``).
    """
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame[frame["gemeente"].isin(ZUID_LIMBURG)]
    plaats = pd.read_csv(pc4_path, dtype=str).set_index("pc4")["plaats"]
    rows = []
    for rec in frame.to_dict("records"):
        match = re.fullmatch(r"(.+?)\s+(\d.*)", rec["adres"].strip())
        street, number = match.groups() if match else (rec["adres"].strip(), "")
        nr, letter, extra = split_housenumber(number)
        code = postcode(rec["postcode"])
        soort = re.sub(r"polikl\w*niek", "polikliniek", rec["soort"])
        rows.append(
            {
                "id": f"rivm:{rec['ziekenhuisnummer']}",
                "organisatie_id": f"rivm:{rec['organisatienummer']}",
                "organisatie": rec["organisatie"],
                "omschrijving": "Ziekenhuisorganisatie uit de RIVM-lijst van ziekenhuislocaties.",
                "aanbod": soort,
                "aanbod_omschrijving": HOSPITAL_SERVICE.get(soort, ""),
                "thema": ZORG,
                "doelgroep": "iedereen",
                "locatie_naam": rec["locatie"],
                "straat": street,
                "huisnummer": nr,
                "huisletter": letter,
                "toevoeging": extra,
                "postcode": code,
                "plaats": plaats.get(code[:4], rec["plaats"]),
                "voorwaarden": "Meestal heeft u een verwijzing van de huisarts nodig.",
                "zichtbaarheid": "openbaar",
            }
        )
    return _frame(rows)
