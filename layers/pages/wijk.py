"""The wijkteam page of a gemeente, wijk or buurt: everything a professional of the area needs.

Services with contact persons and internal notes (professional-only records included,
confidential locations at their exact place), the wijkteam or buurtteam serving the
area, changes of the last 30 and 90 days from the audit trail, the coverage flags with
their reasons, what residents searched for without finding anything and the key figures
of the area. Only callers whose scope covers the area get here (:func:`scope_covers`);
the statements are in ``sql/wijk.sql``. The map reuses the print map's projection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from geo.codes import is_area_code
from geo.sqlfiles import named
from layers.pages.coverage import reason_text
from layers.pages.organisation import address
from layers.pages.print_map import PRINT_MAP_SQL, AreaMap, _area_map, map_frame

CHANGE_DAYS = (30, 90)
NOTE_MAX = 2000


def _sql(name: str) -> sa.TextClause:
    return named("wijk.sql", package="layers.pages")[name]


SCOPE_SQL = sa.text("""
SELECT code, wijkcode, gemeentecode FROM gebied WHERE code = :code
""")
AREAS_SQL = sa.text("""
SELECT g.code, g.naam, g.niveau, p.naam AS gemeente FROM gebied g
LEFT JOIN gebied p ON p.code = g.gemeentecode
WHERE (cardinality(CAST(:codes AS text[])) = 0 AND g.niveau = 'gemeente')
   OR g.code = ANY(CAST(:codes AS text[]))
ORDER BY p.naam NULLS FIRST, g.niveau, g.naam
""")
# Notes of an organisation visible to a reader: the author's areas overlap the reader's
# (a code of one is the other's buurt, wijk or gemeente). An empty scope on either side
# stands for the whole region.
NOTES_SQL = sa.text("""
SELECT n.id, n.organisatie_id, n.tekst, n.auteur, n.aangemaakt_op
FROM notitie n
WHERE n.organisatie_id = ANY(CAST(:ids AS bigint[])) AND n.status = 'actief'
  AND (cardinality(n.gebieden) = 0 OR cardinality(CAST(:scope AS text[])) = 0
       OR EXISTS (SELECT 1 FROM gebied a, gebied b
                  WHERE a.code = ANY(n.gebieden) AND b.code = ANY(CAST(:scope AS text[]))
                    AND (a.code = b.code OR a.code IN (b.wijkcode, b.gemeentecode)
                         OR b.code IN (a.wijkcode, a.gemeentecode))))
ORDER BY n.aangemaakt_op DESC, n.id DESC
""")


@dataclass
class Entry:
    """One organisation under one theme: its services, addresses, contacts and notes."""

    nummer: int
    organisatie_id: int
    naam: str
    telefoon: str | None
    email: str | None
    website: str | None
    professioneel: bool = False
    aanbod: list[str] = field(default_factory=list)
    adressen: list[str] = field(default_factory=list)
    contactpersonen: list[dict] = field(default_factory=list)
    notities: list[dict] = field(default_factory=list)


@dataclass
class Group:
    """A theme with its organisations."""

    naam: str
    kleur: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class WijkPage:
    """Everything ``/wijk/<code>`` and its print version show."""

    gebied: dict
    groups: list[Group]
    punten: list[dict]
    kaart: AreaMap | None
    wijkteams: list[dict]
    wijzigingen: dict[int, list[dict]]
    dekking: list[dict]
    gezocht: dict | None
    onderliggend: list[dict]
    professioneel: bool  # whether anything shown is not public

    @property
    def organisaties(self) -> int:
        """How many organisations are numbered on the map."""
        return len({p["nummer"] for p in self.punten})


def scope_covers(conn: sa.Connection, scope: tuple[str, ...], code: str) -> bool:
    """Whether an account with ``scope`` (empty: everywhere) may open the page of ``code``.

    The area must be one of the scope's areas or lie inside one (a buurt of a scoped
    wijk); a professional of one buurt never opens the page of the whole wijk.
    """
    if not is_area_code(code):
        return False
    row = conn.execute(SCOPE_SQL, {"code": code}).one_or_none()
    if row is None:
        return False
    if not scope:
        return True
    return any(c in scope for c in (row.code, row.wijkcode, row.gemeentecode) if c)


def scope_areas(conn: sa.Connection, scope: tuple[str, ...]) -> list[dict]:
    """The areas of a scope (every gemeente for an account without one)."""
    return [dict(r) for r in conn.execute(AREAS_SQL, {"codes": list(scope)}).mappings()]


def notes(conn: sa.Connection, ids: list[int], scope: tuple[str, ...]) -> dict[int, list[dict]]:
    """Active notes per organisation id that a reader with ``scope`` may read."""
    found: dict[int, list[dict]] = {}
    for r in conn.execute(NOTES_SQL, {"ids": ids, "scope": list(scope)}).mappings():
        found.setdefault(r["organisatie_id"], []).append(dict(r))
    return found


def wijk_page(
    conn: sa.Connection, code: str, levels: tuple[str, ...], scope: tuple[str, ...]
) -> WijkPage | None:
    """The page of area ``code`` for a reader who sees ``levels`` in it (None: unknown area).

    ``scope`` is the reader's own scope (for the notes); the caller has checked with
    :func:`scope_covers` that the area lies inside it.
    """
    if not is_area_code(code):
        return None
    gebied = conn.execute(_sql("gebied"), {"code": code}).mappings().one_or_none()
    if gebied is None:
        return None
    params = {"code": code, "visibility": list(levels)}
    rows = conn.execute(_sql("aanbod"), params).mappings().all()
    groups, punten = _group(rows)
    by_org = {e.organisatie_id: e for g in groups for e in g.entries}
    found = notes(conn, list(by_org), scope)
    for group in groups:
        for entry in group.entries:
            entry.notities = found.get(entry.organisatie_id, [])
    wijkteams = [dict(r) for r in conn.execute(_sql("wijkteams"), params).mappings()]
    team_notes = notes(conn, [t["organisatie_id"] for t in wijkteams], scope)
    for team in wijkteams:
        team["notities"] = team_notes.get(team["organisatie_id"], [])
    changes = {
        d: [dict(r) for r in conn.execute(_sql("wijzigingen"), {**params, "dagen": d}).mappings()]
        for d in CHANGE_DAYS
    }
    dekking = []
    for r in conn.execute(_sql("dekking"), {"code": code}).mappings():
        row = dict(r)
        row["redenen_tekst"] = [reason_text(x) for x in json.loads(row["redenen"] or "[]")]
        dekking.append(row)
    gezocht = conn.execute(_sql("gezocht"), {"code": code}).mappings().one_or_none()
    children = conn.execute(_sql("onderliggend"), {"code": code, "niveau": gebied["niveau"]})
    professioneel = any(r["zichtbaarheid"] != "openbaar" for r in rows) or any(
        t["contactpersonen"] or t["notities"] or t["zichtbaarheid"] != "openbaar" for t in wijkteams
    )
    professioneel = professioneel or any(e.contactpersonen or e.notities for e in by_org.values())
    return WijkPage(
        dict(gebied),
        groups,
        punten,
        area_map(conn, code, punten),
        wijkteams,
        changes,
        dekking,
        dict(gezocht) if gezocht else None,
        [dict(r) for r in children.mappings()],
        professioneel,
    )


def area_map(conn: sa.Connection, code: str, punten: list[dict]) -> AreaMap | None:
    """The area and numbered markers as SVG, projected like the paper map."""
    frame = map_frame([p["x"] for p in punten], [p["y"] for p in punten])
    area = conn.execute(PRINT_MAP_SQL, {"code": code, **frame}).one_or_none()
    if area is None:
        return None
    return _area_map(area, {(p["nummer"], p["x"], p["y"]) for p in punten})


def _group(rows) -> tuple[list[Group], list[dict]]:
    numbers: dict[int, int] = {}
    groups: dict[str, Group] = {}
    entries: dict[tuple[str, int], Entry] = {}
    punten: dict[tuple[int, float, float], dict] = {}
    for r in rows:
        nummer = numbers.setdefault(r["organisatie_id"], len(numbers) + 1)
        punten.setdefault(
            (nummer, r["x"], r["y"]),
            {
                "nummer": nummer,
                "naam": r["organisatie"],
                "x": r["x"],
                "y": r["y"],
                "lon": float(r["lon"]),
                "lat": float(r["lat"]),
            },
        )
        group = groups.setdefault(r["thema"], Group(r["thema"], r["kleur"]))
        entry = entries.get((r["thema"], r["organisatie_id"]))
        if entry is None:
            entry = Entry(
                nummer,
                r["organisatie_id"],
                r["organisatie"],
                r["telefoon"],
                r["email"],
                r["website"],
                contactpersonen=list(r["contactpersonen"] or []),
            )
            entries[(r["thema"], r["organisatie_id"])] = entry
            group.entries.append(entry)
        entry.professioneel = entry.professioneel or r["zichtbaarheid"] != "openbaar"
        if r["aanbod"] not in entry.aanbod:
            entry.aanbod.append(r["aanbod"])
        where = address(r["straat"], r["huisnummer"], r["postcode"], r["plaats"])
        if r["vertrouwelijk"]:
            where = f"{where or r['plaats'] or 'Adres bekend'} (vertrouwelijk adres)"
        if where and where not in entry.adressen:
            entry.adressen.append(where)
    return list(groups.values()), list(punten.values())


def change_label(row: dict) -> str:
    """``Nieuw aanbod``, ``Locatie gewijzigd (telefoon)``, ... in plain Dutch."""
    what = {"organisatie": "Organisatie", "aanbod": "Aanbod", "locatie": "Locatie"}[row["tabel"]]
    if row["soort"] == "nieuw":
        return f"{what} nieuw"
    if row["soort"] == "gearchiveerd":
        return f"{what} gearchiveerd"
    return f"{what} gewijzigd" + (f" ({row['velden']})" if row.get("velden") else "")


def when(value: datetime) -> str:
    """A timestamp as ``12-03-2026``."""
    return value.strftime("%d-%m-%Y")
