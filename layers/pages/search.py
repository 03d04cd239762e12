"""Search in one box: free text, theme, target group, area and 'near this address'.

``search`` reads the published view ``laag_voorzieningen`` (so privacy rules stay in one
place) joined with ``zoekdocument`` (migration 0006): Dutch full text with double
stemming and prefixes ('huisartsen', 'huisar' find 'Huisarts'), plus trigram word
similarity on organisation and service names for typos ('huisats'). Results and their
total come from one statement (``sql/search.sql``).

The text box understands places too: 'huisarts in Heerlen', 'huisarts heerlen' and
'tandarts bij 6411 AB' become a text plus an area or a point, unless the area or point was
given separately. Areas are CBS codes, names of gemeenten, woonplaatsen, wijken and buurten
(case and accents ignored) and postcodes; points are found offline (BAG addresses, PC6 and
PC4 points, ``geo.geocode.geocode_address``). When a text search finds nothing, the words
are counted in ``zoekvraag_zonder_resultaat`` (the demand signal): no personal data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from geo.codes import is_area_code
from geo.geocode import geocode_address
from geo.sqlfiles import named
from geo.taxonomy import groups, themes
from layers.errors import InvalidParameter
from layers.visibility import PUBLIC, Visibility

MAX_TEXT = 200  # characters of free text we look at
MAX_SIGNAL = 60  # characters of a stored demand-signal entry
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
DEFAULT_DISTANCE_KM = 3.0  # "dichtbij": a few km unless the resident chooses otherwise


@dataclass
class SearchQuery:
    """What a resident asked for; every field is optional."""

    tekst: str | None = None
    thema: str | None = None
    doelgroep: str | None = None
    gebied: str | None = None
    dichtbij: str | None = None
    # With a point ("dichtbij"): only places within this many km (None: no limit).
    afstand_km: float | None = DEFAULT_DISTANCE_KM
    limit: int = 50
    offset: int = 0
    visibility: Visibility = PUBLIC
    # What identifies the connection for counting distinct searchers of the demand signal
    # (hashed with a salt of the day in the database, never stored); None: not counted.
    client: str | None = None


@dataclass
class SearchResult:
    """One page of results, the total, and how the area and point were understood."""

    total: int
    items: list[dict]
    gebied: dict | None
    dichtbij: dict | None
    melding: str | None
    # When nothing was found: links to try instead (search_suggestions.suggestions).
    suggesties: list[dict] = field(default_factory=list)


@dataclass
class _Area:
    code: str
    naam: str
    niveau: str
    gemeente: str | None
    signaalcode: str | None  # CBS code stored with a demand signal
    # The CBS codes of an everyday name for several areas ('Parkstad': niveau 'regio').
    codes: tuple[str, ...] = ()

    def public(self) -> dict:
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
class _Point:
    x: float
    y: float
    lon: float
    lat: float
    precisie: str
    label: str

    def public(self) -> dict:
        return {
            "lon": round(self.lon, 6),
            "lat": round(self.lat, 6),
            "precisie": self.precisie,
            "label": self.label,
        }


def _sql(name: str) -> sa.TextClause:
    return named("search.sql", package="layers.pages")[name]


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_TEXT]


def signal_words(text: str | None) -> str:
    """The words of a query as stored in the demand signal, or '' when none are left.

    Lower case without accents; a token holding a digit or ``@`` (phone number, postcode,
    house number, e-mail address) is dropped whole; at most ``MAX_SIGNAL`` characters.
    """
    plain = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    words: list[str] = []
    for token in plain.split():
        if not re.search(r"[\d@]", token):
            words += re.findall(r"[^\W\d_]+", token)
    kept = ""
    for word in words:
        candidate = f"{kept} {word}".strip()
        if len(candidate) > MAX_SIGNAL:
            break
        kept = candidate
    return kept


def _slug(allowed: set[str], kind: str, value: str | None) -> str | None:
    value = (value or "").strip().lower() or None
    if value is not None and value not in allowed:
        raise InvalidParameter(f"Het {kind} '{value}' bestaat niet. Kies er een uit de lijst.")
    return value


def suggest_place(conn: sa.Connection, name: str) -> str | None:
    """The known area or place name most like ``name`` ('Heerlan' -> 'Heerlen'), or None."""
    return conn.execute(_sql("gebied_suggestie"), {"naam": name}).scalar()


def _areas_named(conn: sa.Connection, names: list[str], levels: list[str]) -> Sequence[sa.Row]:
    return conn.execute(_sql("gebied_op_naam"), {"namen": names, "niveaus": levels}).all()


def _area(row) -> _Area:
    return _Area(row.code, row.naam, row.niveau, row.gemeente, row.signaalcode, tuple(row.codes))


def resolve_area(
    conn: sa.Connection, text: str, suggest: bool = True
) -> tuple[_Area | None, str | None]:
    """A CBS code, postcode or name -> the area, and a B1 message when that did not work.

    With ``suggest`` an unknown name gets the most similar known one in the message.
    """
    text = _clean(text)
    code = text.upper().replace(" ", "")
    if is_area_code(code):
        row = conn.execute(_sql("gebied_op_code"), {"code": code}).first()
        return (_area(row), None) if row else (None, f"We kennen het gebied '{text}' niet.")
    postcode = PC4_RE.fullmatch(text)
    if postcode:
        row = conn.execute(_sql("postcode4"), {"pc4": postcode[1]}).first()
        if row is None:
            return None, f"We kennen postcode {postcode[1]} niet."
        return _Area(
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


def _geocoded(conn: sa.Connection, label: str, **address) -> _Point | None:
    found = geocode_address(conn, **address)
    if found is None:
        return None
    return _Point(found["x"], found["y"], found["lon"], found["lat"], found["precisie"], label)


def _postcode_point(conn: sa.Connection, text: str) -> _Point | None:
    pc6 = PC6_IN_TEXT.search(text)
    if pc6 is None:
        row = conn.execute(_sql("postcode4"), {"pc4": text[:4]}).first()
        if row is None:
            return None
        return _Point(row.x, row.y, row.lon, row.lat, "pc4", f"postcode {row.code}")
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
        result = conn.execute(_sql("postcode6_punt"), {"postcode": postcode.replace(" ", "")})
        if (row := result.first()) is not None:
            return _Point(row.x, row.y, row.lon, row.lat, "pc6", postcode)
    return found


def _street_point(conn: sa.Connection, text: str) -> tuple[_Point | None, str | None]:
    match = ADDRESS_RE.fullmatch(text)
    if not match:
        return None, None
    straat, nr = match["straat"].strip(), int(match["nr"])
    letter, plaats = (match["letter"] or "").upper(), match["plaats"].strip()
    if not plaats:
        places = (
            conn.execute(_sql("straat_plaatsen"), {"straat": straat, "huisnummer": nr})
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


def _area_point(conn: sa.Connection, text: str) -> _Point | None:
    rows = _areas_named(conn, [text], ALL_LEVELS)
    if not rows:
        return None
    spot = conn.execute(
        _sql("punt_van_gebied"),
        {
            "niveau": rows[0].niveau,
            "naam": rows[0].naam,
            "code": rows[0].code,
            "codes": list(rows[0].codes),
        },
    ).first()
    return _Point(spot.x, spot.y, spot.lon, spot.lat, "gebied", rows[0].naam) if spot else None


def resolve_point(conn: sa.Connection, text: str) -> tuple[_Point | None, str | None]:
    """An address, postcode or place name -> a point, and a B1 message when that failed."""
    text = _clean(text)
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
            return _clean(tekst[: pc6.start()] + " " + tekst[pc6.end() :]), None, point
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


def _split_text(
    conn: sa.Connection, tekst: str, want_area: bool, want_point: bool
) -> tuple[str, _Area | None, _Point | None]:
    """Take a place out of the text: 'huisarts in Heerlen' -> ('huisarts', Heerlen, None)."""
    if not (want_area or want_point):
        return tekst, None, None
    found = _after_preposition(conn, tekst, want_area, want_point) or _bare_place(
        conn, tekst, want_area, want_point
    )
    return found or (tekst, None, None)


def _interpret(conn: sa.Connection, query: SearchQuery) -> tuple:
    """(text, area, point, messages, area_failed) from the query's fields."""
    tekst, area, point, meldingen = _clean(query.tekst), None, None, []
    if query.gebied and _clean(query.gebied):
        area, melding = resolve_area(conn, query.gebied)
        meldingen.append(melding)
    if query.dichtbij and _clean(query.dichtbij):
        point, melding = resolve_point(conn, query.dichtbij)
        meldingen.append(melding)
    if tekst:
        tekst, text_area, text_point = _split_text(
            conn, tekst, not _clean(query.gebied), not _clean(query.dichtbij)
        )
        area, point = area or text_area, point or text_point
    area_failed = bool(_clean(query.gebied)) and area is None
    return tekst, area, point, [m for m in meldingen if m], area_failed


def search(conn: sa.Connection, query: SearchQuery) -> SearchResult:
    """Search the published services.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A connection in a transaction; the demand signal is written in it, so commit
        (``with engine.begin() as conn``).
    query : SearchQuery
        The request. ``limit`` and ``offset`` are used as given (the caller bounds them).

    Returns
    -------
    SearchResult
        ``items`` in rank order: by distance (metres) when there is a point, else by text
        rank, else by organisation name.

    Raises
    ------
    InvalidParameter
        For a theme or target-group slug that does not exist.
    """
    thema = _slug({t["slug"] for t in themes(conn)}, "thema", query.thema)
    doelgroep = _slug({g["slug"] for g in groups(conn)}, "doelgroep", query.doelgroep)
    tekst, area, point, meldingen, area_failed = _interpret(conn, query)
    afstand_m = query.afstand_km * 1000 if query.afstand_km else None
    asked = Asked(tekst, area, point, thema, doelgroep, query.visibility, afstand_m)
    public_point = point.public() if point else None
    if public_point is not None:
        public_point["afstand_km"] = query.afstand_km
    if area_failed:  # never show results from elsewhere as if they were in that area
        result = SearchResult(0, [], None, public_point, meldingen[0])
    else:
        total, items = run_search(conn, asked, query.limit, query.offset)
        if total == 0 and tekst:
            _record_demand(conn, tekst, thema, area, point, query.client)
        result = SearchResult(
            total,
            items,
            area.public() if area else None,
            public_point,
            meldingen[0] if meldingen else None,
        )
    if result.total == 0:
        from layers.pages.search_suggestions import suggestions  # uses this module

        result.suggesties = suggestions(conn, query, asked, area_failed)
    return result


@dataclass
class Asked:
    """A query as understood: text without the place, area, point, theme, target group."""

    tekst: str
    area: _Area | None
    point: _Point | None
    thema: str | None
    doelgroep: str | None
    visibility: Visibility
    afstand_m: float | None = None  # with a point: only places this near


def run_search(conn: sa.Connection, asked: Asked, limit: int, offset: int = 0) -> tuple:
    """``(total, items)`` of one understood query (no demand signal, no suggestions)."""
    area, point = asked.area, asked.point
    row = conn.execute(
        _sql("zoeken"),
        {
            "tekst": asked.tekst or None,
            "x": point.x if point else None,
            "y": point.y if point else None,
            **asked.visibility.params(),
            "thema": asked.thema,
            "doelgroep": asked.doelgroep,
            "niveau": area.niveau if area else None,
            "code": area.code if area else None,
            "codes": list(area.codes) if area else [],
            "naam": area.naam if area else None,
            "afstand_m": asked.afstand_m if point else None,
            "limit": limit,
            "offset": offset,
        },
    ).one()
    return row.total, row.items


def _record_demand(
    conn: sa.Connection,
    tekst: str,
    thema: str | None,
    area: _Area | None,
    point: _Point | None,
    client: str | None,
) -> None:
    """Count a search without results; nothing about the person is kept.

    What is counted: words, theme, area, day, and (as a salted hash of the day) whether
    this client searched it before today.
    """
    woord = signal_words(tekst)
    if not woord:
        return
    conn.execute(
        _sql("zoekvraag_vastleggen"),
        {
            "woord": woord,
            "thema": thema,
            "gebiedcode": area.signaalcode if area else None,
            "x": point.x if point else None,
            "y": point.y if point else None,
            "client": client,
        },
    )
