"""What to try when a search finds nothing: links to a spelling, a nearby area, a theme.

Every suggestion is a dict the map (JSON) and ``/lijst`` (HTML) show as one link:
``soort`` ('spelling', 'gebied' or 'thema'), ``voor`` + link text ``tekst`` + ``na``
(B1 Dutch) and ``params``, the search parameters of the link (``q``, ``gebied``,
``dichtbij``, ``thema``, ``doelgroep``). A suggestion is only offered when its search
finds something for this visitor (same visibility), and only shows words from public
sources: the curated search-word list and theme names (``zoek_spelling``,
``zoek_themas``, migration 0018), CBS and everyday area names, and the gemeente of a
result this visitor may see. Nothing here writes the demand signal.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import sqlalchemy as sa

from geo.taxonomy import themes
from layers.pages.search import Asked, SearchQuery, run_search
from layers.pages.search_places import Area, area_point, search_sql, suggest_place

MAX_SUGGESTIONS = 4
CHECK_LIMIT = 50  # results read to find the themes of a text


def _base(query: SearchQuery, asked: Asked) -> dict:
    """The parameters of this search as understood (a place from the text kept as gebied)."""
    params = {
        "q": asked.tekst or None,
        "gebied": (query.gebied or "").strip() or (asked.area.naam if asked.area else None),
        "dichtbij": (query.dichtbij or "").strip() or None,
        "thema": asked.thema,
        "doelgroep": asked.doelgroep,
    }
    return {k: v for k, v in params.items() if v}


def _found(conn: sa.Connection, asked: Asked) -> bool:
    return run_search(conn, asked, 1)[0] > 0


def _where(area: Area | None) -> str:
    return f" in {area.naam}" if area else ""


def _spelling(conn: sa.Connection, query: SearchQuery, asked: Asked) -> list[dict]:
    """'Bedoelt u thuiszorg?' for words the list knows spelt a little differently."""
    if not asked.tekst:
        return []
    better = conn.execute(sa.text("SELECT zoek_spelling(:t)"), {"t": asked.tekst}).scalar()
    if not better or not _found(conn, replace(asked, tekst=better)):
        return []
    params = _base(query, asked) | {"q": better}
    return [
        {"soort": "spelling", "voor": "Bedoelt u ", "tekst": better, "na": "?", "params": params}
    ]


def _place_spelling(conn: sa.Connection, query: SearchQuery) -> list[dict]:
    """'Bedoelt u Heerlen?' for an unknown place in the Waar field."""
    name = suggest_place(conn, query.gebied or "")
    if not name:
        return []
    params = {
        k: v
        for k, v in {
            "q": query.tekst,
            "gebied": name,
            "dichtbij": query.dichtbij,
            "thema": query.thema,
            "doelgroep": query.doelgroep,
        }.items()
        if v
    }
    return [{"soort": "spelling", "voor": "Bedoelt u ", "tekst": name, "na": "?", "params": params}]


def _nearby(conn: sa.Connection, query: SearchQuery, asked: Asked) -> list[dict]:
    """'Zoek in Heerlen': the gemeente of the nearest result outside the area searched."""
    if asked.area is None:
        return []
    point = area_point(conn, asked.area)
    if point is None:
        return []
    # the nearest place that has it, however far: no "dichtbij" distance limit here
    total, items = run_search(conn, replace(asked, area=None, point=point, afstand_m=None), 1)
    if not total:
        return []
    naam = conn.execute(search_sql("gemeente_van_plek"), {"id": items[0]["id"]}).scalar()
    if not naam or naam == asked.area.naam:
        return []
    params = _base(query, asked) | {"gebied": naam}
    return [{"soort": "gebied", "voor": "Zoek in ", "tekst": naam, "na": "", "params": params}]


def _theme_slugs(conn: sa.Connection, asked: Asked) -> list[str]:
    """Themes the words point to: through the word list, else those of the text's results."""
    if not asked.tekst:
        return []
    listed = conn.execute(sa.text("SELECT zoek_themas(:t)"), {"t": asked.tekst}).scalar()
    if listed:
        return list(listed)
    _, items = run_search(
        conn, replace(asked, area=None, point=None, thema=None, doelgroep=None), CHECK_LIMIT
    )
    counts = Counter(slug for item in items for slug in item["thema"])
    return [slug for slug, _ in counts.most_common(2)]


def _themes(conn: sa.Connection, query: SearchQuery, asked: Asked) -> list[dict]:
    """'Zoek in alle onderwerpen' or 'Bekijk alles over <thema>' (when that finds something)."""
    out = []
    if asked.thema and asked.tekst and _found(conn, replace(asked, thema=None)):
        params = {k: v for k, v in _base(query, asked).items() if k != "thema"}
        out.append(
            {
                "soort": "thema",
                "voor": "Zoek in ",
                "tekst": "alle onderwerpen",
                "na": "",
                "params": params,
            }
        )
    names = {t["slug"]: t["naam"] for t in themes(conn)}
    slugs = _theme_slugs(conn, asked) or _area_themes(conn, asked)
    for slug in [s for s in slugs if s != asked.thema][:2]:
        theme_only = replace(asked, tekst="", thema=slug)
        if _found(conn, theme_only):
            params = {k: v for k, v in _base(query, asked).items() if k != "q"} | {"thema": slug}
            out.append(
                {
                    "soort": "thema",
                    "voor": "Bekijk alles over ",
                    "tekst": names[slug],
                    "na": _where(asked.area),
                    "params": params,
                }
            )
    return out


def _area_themes(conn: sa.Connection, asked: Asked) -> list[str]:
    """The most common themes of what there is in the area (when the words say nothing)."""
    _, items = run_search(conn, replace(asked, tekst="", thema=None, doelgroep=None), 200)
    counts = Counter(slug for item in items for slug in item["thema"])
    return [slug for slug, _ in counts.most_common(2)]


def suggestions(
    conn: sa.Connection, query: SearchQuery, asked: Asked, area_failed: bool
) -> list[dict]:
    """Links to try when the search found nothing (at most ``MAX_SUGGESTIONS``).

    Parameters
    ----------
    conn : sqlalchemy.Connection
        The search's connection.
    query : SearchQuery
        The request as typed (its ``visibility`` limits what suggestions may count).
    asked : Asked
        The request as understood by ``layers.pages.search.search``.
    area_failed : bool
        True when the Waar field named no known place: then only its spelling is offered.

    Returns
    -------
    list of dict
        ``soort``, ``voor``, ``tekst``, ``na`` and ``params`` per suggestion.
    """
    if area_failed:
        return _place_spelling(conn, query)
    out = _spelling(conn, query, asked) + _nearby(conn, query, asked) + _themes(conn, query, asked)
    return out[:MAX_SUGGESTIONS]
