"""Search in one box: free text, theme, target group, area and 'near this address'.

``search`` reads the published view ``laag_voorzieningen`` (so privacy rules stay in one
place) joined with ``zoekdocument`` (migration 0006): Dutch full text with double
stemming and prefixes ('huisartsen', 'huisar' find 'Huisarts'), plus trigram word
similarity on organisation and service names for typos ('huisats'). Results and their
total come from one statement (``sql/search.sql``).

The text box understands places too: 'huisarts in Heerlen', 'huisarts heerlen' and
'tandarts bij 6411 AB' become a text plus an area or a point, unless the area or point was
given separately (:mod:`layers.pages.search_places`). When a text search finds nothing, the words
are counted in ``zoekvraag_zonder_resultaat`` (the demand signal): no personal data.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa

from geo.taxonomy import groups, themes
from layers.errors import InvalidParameter
from layers.pages.search_places import (
    Area,
    Point,
    clean,
    resolve_area,
    resolve_point,
    search_sql,
    split_text,
)
from layers.visibility import PUBLIC, Visibility

MAX_SIGNAL = 60  # characters of a stored demand-signal entry
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


def _interpret(conn: sa.Connection, query: SearchQuery) -> tuple:
    """(text, area, point, messages, area_failed) from the query's fields."""
    tekst, area, point, meldingen = clean(query.tekst), None, None, []
    if query.gebied and clean(query.gebied):
        area, melding = resolve_area(conn, query.gebied)
        meldingen.append(melding)
    if query.dichtbij and clean(query.dichtbij):
        point, melding = resolve_point(conn, query.dichtbij)
        meldingen.append(melding)
    if tekst:
        tekst, text_area, text_point = split_text(
            conn, tekst, not clean(query.gebied), not clean(query.dichtbij)
        )
        area, point = area or text_area, point or text_point
    area_failed = bool(clean(query.gebied)) and area is None
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
    area: Area | None
    point: Point | None
    thema: str | None
    doelgroep: str | None
    visibility: Visibility
    afstand_m: float | None = None  # with a point: only places this near


def run_search(conn: sa.Connection, asked: Asked, limit: int, offset: int = 0) -> tuple:
    """``(total, items)`` of one understood query (no demand signal, no suggestions)."""
    area, point = asked.area, asked.point
    row = conn.execute(
        search_sql("zoeken"),
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
    area: Area | None,
    point: Point | None,
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
        search_sql("zoekvraag_vastleggen"),
        {
            "woord": woord,
            "thema": thema,
            "gebiedcode": area.signaalcode if area else None,
            "x": point.x if point else None,
            "y": point.y if point else None,
            "client": client,
        },
    )
