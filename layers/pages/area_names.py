"""Area names residents use, for pages addressed by area: ``/print/Heerlen``.

``print_target`` turns a name (CBS name, woonplaats, everyday name from ``gebied_alias``
such as 'Maastricht-West' or 'Parkstad', or a misspelling) into what the print page can
show: one CBS code (the caller redirects to ``/print/<code>``), a choice between several
areas, or a spelling suggestion. Names are matched as the search matches them
(``layers.pages.search_places.resolve_area``); everything used is public geography.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from layers.pages.search_places import resolve_area, suggest_place

PRINTABLE = ("gemeente", "wijk", "buurt")
AREA_NAMES = sa.text(
    """
    SELECT g.code, g.naam, g.niveau, gm.naam AS gemeente
    FROM gebied g JOIN gebied gm ON gm.code = g.gemeentecode
    WHERE g.code = ANY(CAST(:codes AS text[]))
    ORDER BY g.naam
    """
)


@dataclass
class PrintTarget:
    """How a name given to /print/<naam> was understood."""

    naam: str
    code: str | None = None  # one printable CBS area: redirect to its canonical URL
    keuzes: list[dict] = field(default_factory=list)  # several areas: code, naam, niveau
    suggestie: str | None = None  # an unknown name: the known name spelt most like it


def print_target(conn: sa.Connection, name: str) -> PrintTarget:
    """What ``/print/<name>`` should show for a name that is not a CBS code.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        Any connection (only public geography is read).
    name : str
        As typed in the URL: 'Heerlen', 'maastricht-west', 'Parkstad', 'Heerlan'.

    Returns
    -------
    PrintTarget
        ``code`` for one gemeente, wijk or buurt; ``keuzes`` for an everyday name of
        several areas or a woonplaats (its gemeente); else ``suggestie`` or nothing.
    """
    area, _ = resolve_area(conn, name, suggest=False)
    target = PrintTarget(naam=" ".join(name.split())[:100])
    if area is None:
        target.suggestie = suggest_place(conn, name)
    elif area.niveau in PRINTABLE and area.code:
        target.naam, target.code = area.naam, area.code
    else:  # a regio (several areas) or a woonplaats (part of a gemeente)
        target.naam = area.naam
        codes = list(area.codes) or ([area.code] if area.code else [])
        target.keuzes = [dict(r) for r in conn.execute(AREA_NAMES, {"codes": codes}).mappings()]
    return target


CHOICES = sa.text(
    """
    SELECT naam FROM (
        SELECT naam FROM gebied WHERE niveau = 'gemeente'
        UNION SELECT regexp_replace(naam, '^Wijk ?[0-9]+:? ', '') FROM gebied
              WHERE niveau = 'wijk' AND naam ~ '^Wijk ?[0-9]+:? .'
        UNION SELECT plaats FROM postcode4 WHERE plaats IS NOT NULL
        UNION SELECT naam FROM gebied_alias) n
    ORDER BY lower(naam)
    """
)


def area_choices(conn: sa.Connection) -> list[str]:
    """Names the Waar field suggests while typing: gemeenten, wijken, places, everyday names.

    Public geography only (CBS, the PC4 table and ``gebied_alias``); buurten are left out
    to keep the list short (they are still understood when typed).
    """
    return list(conn.execute(CHOICES).scalars())
