"""Places in a search: an area (CBS code, postcode or name) or a point (address, postcode).

The search box (:mod:`layers.pages.search`) reads a place from its own fields or out of
the free text ('huisarts in Heerlen', 'huisarts heerlen', 'tandarts bij 6411 AB'): areas
are CBS codes, names of gemeenten, woonplaatsen, wijken and buurten (case and accents
ignored) and postcodes; points are found offline (BAG addresses, PC6 and PC4 points,
``geo.geocode.geocode_address``). Messages are Dutch (B1).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from geo.codes import is_area_code
from geo.geocode import geocode_address
from geo.sqlfiles import named

MAX_TEXT = 200  # characters of free text we look at
ALL_LEVELS = ["gemeente", "woonplaats", "wijk", "buurt"]
# A bare place name in the text box only counts when it names a gemeente or woonplaats:
# buurt names such as 'Centrum' or 'Berg' are ordinary words as well.
BARE_LEVELS = ["gemeente", "woonplaats"]
PLURAL = {"gemeente": "gemeenten", "woonplaats": "plaatsen", "wijk": "wijken", "buurt": "buurten"}
PC4_RE = re.compile(r"([1-9]\d{3})(?:\s*([A-Za-z]{2}))?")
PC6_IN_TEXT = re.compile(r"\b([1-9]\d{3})\s*([A-Za-z]{2})\b")
NUMBER_RE = re.compile(r"\b(\d{1,5})\s*([A-Za-z])?\b")
ADDRESS_RE = re.compile(
    r"(?P<straat>[^\d,]+?)\s+(?P<nr>\d{1,5})\s*(?P<letter>[A-Za-z])?\b\s*,?\s*(?P<plaats>[^\d,]*)"
)
PLACE_IN_TEXT = re.compile(
    r"(?:(?P<wat>.*)\s+)?(?P<voorzetsel>in|te|bij|dichtbij|vlakbij|nabij|rond)\s+(?P<waar>\S.*)",
    re.I,
)
NEAR_WORDS = {"bij", "dichtbij", "vlakbij", "nabij", "rond"}


@dataclass
class Area:
    """An area as understood: a CBS area, a postcode area or a named group ('regio')."""

    code: str
    naam: str
    niveau: str
    gemeente: str | None
    signaalcode: str | None  # CBS code stored with a demand signal
    # The CBS codes of an everyday name for several areas ('Parkstad': niveau 'regio').
    codes: tuple[str, ...] = ()

    def public(self) -> dict:
        """What the page and the JSON show of the area."""
        out: dict[str, object] = {
            "code": self.code,
            "naam": self.naam,
            "niveau": self.niveau,
            "gemeente": self.gemeente,
        }
        if self.niveau == "regio":
            out["codes"] = list(self.codes)
        return out


@dataclass
class Point:
    """A point as understood: RD New and WGS84 coordinates, how precise, and a label."""

    x: float
    y: float
    lon: float
    lat: float
    precisie: str
    label: str

    def public(self) -> dict:
        """What the page and the JSON show of the point (6 decimals)."""
        return {
            "lon": round(self.lon, 6),
            "lat": round(self.lat, 6),
            "precisie": self.precisie,
            "label": self.label,
        }


def search_sql(name: str) -> sa.TextClause:
    """A named statement of ``layers/pages/sql/search.sql``."""
    return named("search.sql", package="layers.pages")[name]


def clean(text: str | None) -> str:
    """Text with its white space folded, at most ``MAX_TEXT`` characters."""
    return " ".join((text or "").split())[:MAX_TEXT]


def suggest_place(conn: sa.Connection, name: str) -> str | None:
    """The known area or place name most like ``name`` ('Heerlan' -> 'Heerlen'), or None."""
    return conn.execute(search_sql("gebied_suggestie"), {"naam": name}).scalar()


def _areas_named(conn: sa.Connection, names: list[str], levels: list[str]) -> Sequence[sa.Row]:
    return conn.execute(search_sql("gebied_op_naam"), {"namen": names, "niveaus": levels}).all()


def _area(row) -> Area:
    return Area(row.code, row.naam, row.niveau, row.gemeente, row.signaalcode, tuple(row.codes))


def resolve_area(
    conn: sa.Connection, text: str, suggest: bool = True
) -> tuple[Area | None, str | None]:
    """A CBS code, postcode or name -> the area, and a B1 message when that did not work.

    With ``suggest`` an unknown name gets the most similar known one in the message.
    """
    text = clean(text)
    code = text.upper().replace(" ", "")
    if is_area_code(code):
        row = conn.execute(search_sql("gebied_op_code"), {"code": code}).first()
        return (_area(row), None) if row else (None, f"We kennen het gebied '{text}' niet.")
    postcode = PC4_RE.fullmatch(text)
    if postcode:
        row = conn.execute(search_sql("postcode4"), {"pc4": postcode[1]}).first()
        if row is None:
            return None, f"We kennen postcode {postcode[1]} niet."
        return Area(
            row.code, f"postcode {row.code}", "postcode", row.gemeente, row.signaalcode
        ), None
    rows = _areas_named(conn, [text], ALL_LEVELS)
    if rows:
        first = rows[0]
        melding = None
        if first.gelijk > 1:
            melding = (
                f"Er zijn meer {PLURAL[first.niveau]} met de naam '{first.naam}'. "
                f"We zoeken in {first.naam} in {first.gemeente}."
            )
        return _area(first), melding
    suggestion = suggest_place(conn, text) if suggest else None
    if suggestion:
        return None, f"We kennen de plaats '{text}' niet. Bedoelt u {suggestion}?"
    return None, (
        f"We kennen de plaats '{text}' niet. Kijk of de naam goed is geschreven, "
        "of vul een postcode in."
    )


def _geocoded(conn: sa.Connection, label: str, **address) -> Point | None:
    found = geocode_address(conn, **address)
    if found is None:
        return None
    return Point(found["x"], found["y"], found["lon"], found["lat"], found["precisie"], label)


def _postcode_point(conn: sa.Connection, text: str) -> Point | None:
    pc6 = PC6_IN_TEXT.search(text)
    if pc6 is None:
        row = conn.execute(search_sql("postcode4"), {"pc4": text[:4]}).first()
        if row is None:
            return None
        return Point(row.x, row.y, row.lon, row.lat, "pc4", f"postcode {row.code}")
    postcode = f"{pc6[1]} {pc6[2].upper()}"
    number = NUMBER_RE.search(text[: pc6.start()] + " " + text[pc6.end() :])
    found = _geocoded(
        conn,
        postcode + (f", huisnummer {number[1]}" if number else ""),
        postcode=postcode,
        huisnummer=int(number[1]) if number else None,
        huisletter=(number[2] or "").upper() if number else "",
    )
    if number is None and (found is None or found.precisie == "pc4"):
        # no CBS PC6 point: the middle of the postcode's BAG addresses is closer than PC4
        result = conn.execute(search_sql("postcode6_punt"), {"postcode": postcode.replace(" ", "")})
        if (row := result.first()) is not None:
            return Point(row.x, row.y, row.lon, row.lat, "pc6", postcode)
    return found


def _street_point(conn: sa.Connection, text: str) -> tuple[Point | None, str | None]:
    match = ADDRESS_RE.fullmatch(text)
    if not match:
        return None, None
    straat, nr = match["straat"].strip(), int(match["nr"])
    letter, plaats = (match["letter"] or "").upper(), match["plaats"].strip()
    if not plaats:
        places = (
            conn.execute(search_sql("straat_plaatsen"), {"straat": straat, "huisnummer": nr})
            .scalars()
            .all()
        )
        if len(places) > 1:
            return None, (
                f"De {straat} is er in meer plaatsen. Typ ook de plaats, "
                f"bijvoorbeeld: {straat} {nr}, {places[0]}."
            )
        if not places:
            return None, None
        plaats = places[0]
    return _geocoded(
        conn,
        f"{straat} {nr}{letter}, {plaats}",
        straat=straat,
        huisnummer=nr,
        huisletter=letter,
        woonplaats=plaats,
    ), None


def area_point(conn: sa.Connection, area: Area | sa.Row) -> Point | None:
    """A point inside ``area`` (an :class:`Area` or a row of gebied_op_naam), to search from."""
    spot = conn.execute(
        search_sql("punt_van_gebied"),
        {"niveau": area.niveau, "naam": area.naam, "code": area.code, "codes": list(area.codes)},
    ).first()
    return Point(spot.x, spot.y, spot.lon, spot.lat, "gebied", area.naam) if spot else None


def _area_point(conn: sa.Connection, text: str) -> Point | None:
    rows = _areas_named(conn, [text], ALL_LEVELS)
    return area_point(conn, rows[0]) if rows else None


def resolve_point(conn: sa.Connection, text: str) -> tuple[Point | None, str | None]:
    """An address, postcode or place name -> a point, and a B1 message when that failed."""
    text = clean(text)
    point, melding = None, None
    if PC6_IN_TEXT.search(text) or PC4_RE.fullmatch(text):
        point = _postcode_point(conn, text)
    elif re.search(r"\d", text):
        point, melding = _street_point(conn, text)
    else:
        point = _area_point(conn, text)
    if point is None and melding is None:
        melding = (
            f"We konden '{text}' niet vinden. Typ een postcode, bijvoorbeeld 6411 AB, "
            "of een straat met huisnummer en plaats."
        )
    return point, melding


def _place_candidates(words: list[str]) -> list[tuple[str, str]]:
    """(place, rest of the text) for the first and last one to three words, longest first."""
    out = []
    for k in range(min(3, len(words)), 0, -1):
        out.append((" ".join(words[-k:]), " ".join(words[:-k])))
        out.append((" ".join(words[:k]), " ".join(words[k:])))
    return out


def _after_preposition(
    conn: sa.Connection, tekst: str, want_area: bool, want_point: bool
) -> tuple | None:
    """'huisarts in Heerlen', 'tandarts bij 6411 AB 12': (rest, area, point) or None."""
    match = PLACE_IN_TEXT.fullmatch(tekst)
    if not match:
        return None
    wat, waar = (match["wat"] or "").strip(), match["waar"].strip()
    near = match["voorzetsel"].lower() in NEAR_WORDS
    if near and want_point and re.search(r"\d", waar):
        point, _ = resolve_point(conn, waar)
        return (wat, None, point) if point else None
    if want_area and not (near and re.search(r"\d", waar)):
        area, _ = resolve_area(conn, waar, suggest=False)
        return (wat, area, None) if area else None
    return None


def _bare_place(conn: sa.Connection, tekst: str, want_area: bool, want_point: bool) -> tuple | None:
    """'huisarts 6411 AB', 'huisarts 6411', 'huisarts heerlen': (rest, area, point) or None."""
    pc6 = PC6_IN_TEXT.search(tekst)
    if pc6 and want_point:
        point, _ = resolve_point(conn, pc6[0])
        if point:
            return clean(tekst[: pc6.start()] + " " + tekst[pc6.end() :]), None, point
    pc4 = re.fullmatch(r"(.*?)\s*\b([1-9]\d{3})", tekst)
    if pc4 and want_area:
        area, _ = resolve_area(conn, pc4[2], suggest=False)
        if area:
            return pc4[1], area, None
    if want_area:
        candidates = _place_candidates(tekst.split())
        rows = _areas_named(conn, [c for c, _ in candidates], BARE_LEVELS)
        if rows:
            return candidates[rows[0].volgorde - 1][1], _area(rows[0]), None
    return None


def split_text(
    conn: sa.Connection, tekst: str, want_area: bool, want_point: bool
) -> tuple[str, Area | None, Point | None]:
    """Take a place out of the text: 'huisarts in Heerlen' -> ('huisarts', Heerlen, None)."""
    if not (want_area or want_point):
        return tekst, None, None
    found = _after_preposition(conn, tekst, want_area, want_point) or _bare_place(
        conn, tekst, want_area, want_point
    )
    return found or (tekst, None, None)
