"""The paper social map of a gemeente, wijk, buurt or search: one index and a numbered map.

It reads ``laag_voorzieningen`` itself, so it follows the publication rules of that view:
confidential points arrive already generalised to their buurt and show no address.

Readable for a whole gemeente: the index lists every organisation once (under its first
theme, naming its other themes), and the map's markers never overlap. Places closer on
paper than two markers share one marker ("leader" clustering: a place joins the first
marker within reach, markers never move, so any two are at least that far apart). The
markers are numbered in the order the index first names them; an organisation shows the
number(s) of its place(s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from geo.codes import is_area_code
from layers.pages.organisation import address
from layers.visibility import VisibilityLike, as_visibility

# The paper map: viewBox width and the tallest height, in SVG units; padding around the area.
MAP_WIDTH, MAP_MAX_HEIGHT, MAP_PAD = 800.0, 1000.0, 16.0
SCALE_BAND = 30.0  # room below the area for the scale bar
SCALE_STEPS_M = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000)

# One row per service x location x theme of the area (:code) or of the services :ids (a
# search), from the published view.
PRINT_ROWS_SQL = sa.text("""
SELECT v.id, v.gemeentecode, v.organisatie_id, v.organisatie, v.aanbod, v.straat,
       v.huisnummer, v.postcode, v.plaats, v.telefoon, v.website, v.vertrouwelijk, v.synthetisch,
       v.laatst_geverifieerd_op, ST_X(v.geom) AS x, ST_Y(v.geom) AS y,
       coalesce(t.naam, 'Overig') AS thema, coalesce(t.kleur, '#4a4a4a') AS kleur
FROM laag_voorzieningen v
LEFT JOIN LATERAL unnest(v.themas) AS u(slug) ON true
LEFT JOIN thema t ON t.slug = u.slug
WHERE (CAST(:code AS text) IS NULL OR v.gemeentecode = :code OR v.wijkcode = :code
       OR v.buurtcode = :code)
  AND (CAST(:ids AS bigint[]) IS NULL OR v.id = ANY(CAST(:ids AS bigint[])))
  AND (v.zichtbaarheid = ANY(CAST(:visibility AS text[]))
       OR (v.zichtbaarheid = 'professional'
           AND (v.gemeentecode = ANY(CAST(:visibility_scope AS text[]))
                OR v.wijkcode = ANY(CAST(:visibility_scope AS text[]))
                OR v.buurtcode = ANY(CAST(:visibility_scope AS text[])))))
ORDER BY coalesce(t.volgorde, 2147483647), lower(v.organisatie), v.organisatie_id,
         v.aanbod, v.id""")
# The area and its wijken (of a gemeente) or buurten (of a wijk, clipped to it: the shipped
# generalised levels do not line up exactly), scaled and moved into the SVG viewBox in the
# database. The box also covers the points (:bx0..:by1), which may lie just outside the
# generalised outline. ST_AsSVG writes -y, so y is moved to (y - ymax) * s.
PRINT_MAP_SQL = sa.text("""
WITH area AS (
    SELECT g.code, g.naam, g.niveau, p.naam AS gemeente, g.geom,
           least(ST_XMin(g.geom), coalesce(CAST(:bx0 AS float8), 'Infinity')) AS x0,
           least(ST_YMin(g.geom), coalesce(CAST(:by0 AS float8), 'Infinity')) AS y0,
           greatest(ST_XMax(g.geom), coalesce(CAST(:bx1 AS float8), '-Infinity')) AS x1,
           greatest(ST_YMax(g.geom), coalesce(CAST(:by1 AS float8), '-Infinity')) AS y1
    FROM gebied g JOIN gebied p ON p.code = g.gemeentecode
    WHERE g.code = :code
), fit AS (
    SELECT area.*, least(CAST(:width AS float8) / greatest(x1 - x0, 1),
                         CAST(:max_height AS float8) / greatest(y1 - y0, 1)) AS s,
           (SELECT ST_CollectionExtract(ST_Collect(
                       ST_CollectionExtract(ST_Intersection(c.geom, area.geom), 3)), 3)
              FROM gebied c
             WHERE (area.niveau = 'gemeente' AND c.niveau = 'wijk' AND c.gemeentecode = area.code)
                OR (area.niveau = 'wijk' AND c.niveau = 'buurt' AND c.wijkcode = area.code))
               AS children
    FROM area
)
SELECT code, naam, niveau, gemeente, s, x0, y1,
       greatest(x1 - x0, 1) * s + 2 * CAST(:pad AS float8) AS w,
       greatest(y1 - y0, 1) * s + 2 * CAST(:pad AS float8) AS h,
       ST_AsSVG(ST_Translate(ST_Scale(ST_SimplifyPreserveTopology(geom, 0.4 / s), s, s),
                             :pad - x0 * s, -y1 * s - :pad), 0, 1) AS outline,
       ST_AsSVG(ST_Translate(ST_Scale(ST_SimplifyPreserveTopology(children, 0.4 / s), s, s),
                             :pad - x0 * s, -y1 * s - :pad), 0, 1) AS inner
FROM fit""")


# The map of a search without one CBS area: the gemeenten of its results, their borders
# drawn inside. Same projection and columns as PRINT_MAP_SQL.
SEARCH_MAP_SQL = sa.text("""
WITH area AS (
    SELECT ST_Multi(ST_Union(g.geom)) AS geom,
           least(min(ST_XMin(g.geom)), coalesce(CAST(:bx0 AS float8), 'Infinity')) AS x0,
           least(min(ST_YMin(g.geom)), coalesce(CAST(:by0 AS float8), 'Infinity')) AS y0,
           greatest(max(ST_XMax(g.geom)), coalesce(CAST(:bx1 AS float8), '-Infinity')) AS x1,
           greatest(max(ST_YMax(g.geom)), coalesce(CAST(:by1 AS float8), '-Infinity')) AS y1,
           ST_Collect(ST_Boundary(g.geom)) AS children
    FROM gebied g
    WHERE g.niveau = 'gemeente' AND g.code = ANY(CAST(:codes AS text[]))
), fit AS (
    SELECT area.*, least(CAST(:width AS float8) / greatest(x1 - x0, 1),
                         CAST(:max_height AS float8) / greatest(y1 - y0, 1)) AS s
    FROM area WHERE geom IS NOT NULL
)
SELECT s, x0, y1,
       greatest(x1 - x0, 1) * s + 2 * CAST(:pad AS float8) AS w,
       greatest(y1 - y0, 1) * s + 2 * CAST(:pad AS float8) AS h,
       ST_AsSVG(ST_Translate(ST_Scale(ST_SimplifyPreserveTopology(geom, 0.4 / s), s, s),
                             :pad - x0 * s, -y1 * s - :pad), 0, 1) AS outline,
       ST_AsSVG(ST_Translate(ST_Scale(ST_SimplifyPreserveTopology(children, 0.4 / s), s, s),
                             :pad - x0 * s, -y1 * s - :pad), 0, 1) AS inner
FROM fit""")
# Markers on paper, in viewBox units: radius and font size; two markers are at least
# MARKER_GAP apart, so neither the discs nor their numbers ever overlap.
MARKER_R, MARKER_FONT, MARKER_FONT_3 = 11.0, 12.0, 10.0
MARKER_GAP = 2 * MARKER_R + 3.0


@dataclass
class PrintEntry:
    """One organisation in the index: its map number(s), services, themes and addresses."""

    naam: str
    synthetisch: bool
    telefoon: str | None
    website: str | None
    nummers: list[int] = field(default_factory=list)
    aanbod: list[str] = field(default_factory=list)
    ook: list[str] = field(default_factory=list)  # its other themes
    adressen: list[tuple[str, int]] = field(default_factory=list)  # (address, map number)
    gecontroleerd: date | None = None


@dataclass
class ThemeGroup:
    """A theme heading with the organisations whose first theme it is."""

    naam: str
    kleur: str
    entries: list[PrintEntry] = field(default_factory=list)


@dataclass
class AreaMap:
    """The area as SVG: path data and numbered markers in viewBox units (numbers only).

    ``markers`` holds ``(nummer, x, y, radius, font_size)``.
    """

    width: float
    height: float
    outline: str
    inner: str
    markers: list[tuple[int, float, float, float, float]]
    scale_m: int
    scale_width: float


@dataclass
class PrintArea:
    """Everything the paper social map of one gemeente, wijk, buurt or search shows."""

    code: str | None
    naam: str
    niveau: str
    gemeente: str
    groups: list[ThemeGroup]
    kaart: AreaMap
    organisaties: int


def print_area(conn: sa.Connection, code: str, visibility: VisibilityLike) -> PrintArea | None:
    """The paper social map of an area: one index, numbered map.

    Two statements: the public records of the area (one row per service, location and
    theme) and the area geometry already scaled into the SVG viewBox.

    Returns
    -------
    PrintArea or None
        None for a malformed or unknown area code.
    """
    if not is_area_code(code):
        return None
    rows = _rows(conn, visibility, code=code)
    area = conn.execute(PRINT_MAP_SQL, {"code": code, **_frame(rows)}).one_or_none()
    if area is None:
        return None
    groups, kaart = _index_and_map(rows, area)
    count = len({r.organisatie_id for r in rows})
    return PrintArea(area.code, area.naam, area.niveau, area.gemeente, groups, kaart, count)


def print_services(
    conn: sa.Connection, ids: list[int], titel: str, visibility: VisibilityLike, code: str | None
) -> PrintArea | None:
    """The paper map of search results (``laag_voorzieningen`` ids), titled ``titel``.

    The map frame is the CBS area ``code`` when the search was in one, else the gemeenten
    of the results. None when there is nothing to draw (no results and no area).
    """
    rows = _rows(conn, visibility, ids=ids)
    params = _frame(rows)
    if code:
        area = conn.execute(PRINT_MAP_SQL, {"code": code, **params}).one_or_none()
    else:
        codes = sorted({r.gemeentecode for r in rows})
        area = conn.execute(SEARCH_MAP_SQL, {"codes": codes, **params}).one_or_none()
    if area is None:
        return None
    groups, kaart = _index_and_map(rows, area)
    count = len({r.organisatie_id for r in rows})
    gemeente = getattr(area, "gemeente", "") or ""
    return PrintArea(code, titel, "zoekopdracht", gemeente, groups, kaart, count)


def _rows(conn: sa.Connection, visibility: VisibilityLike, code=None, ids=None) -> list:
    params = {"code": code, "ids": ids, **as_visibility(visibility).params()}
    return list(conn.execute(PRINT_ROWS_SQL, params).all())


def _frame(rows) -> dict:
    """The projection parameters of result rows (with ``.x``/``.y``)."""
    return map_frame([r.x for r in rows], [r.y for r in rows])


def map_frame(xs: list[float], ys: list[float]) -> dict:
    """The projection parameters: map size and the box the points need (RD metres)."""
    return {
        "width": MAP_WIDTH,
        "max_height": MAP_MAX_HEIGHT,
        "pad": MAP_PAD,
        "bx0": min(xs, default=None),
        "by0": min(ys, default=None),
        "bx1": max(xs, default=None),
        "by1": max(ys, default=None),
    }


def _index_and_map(rows, area) -> tuple[list[ThemeGroup], AreaMap]:
    """The index (each organisation once) and the map with non-overlapping markers."""
    leaders: list[list[float]] = []  # [x, y, number or 0] per marker
    groups: dict[str, ThemeGroup] = {}
    entries: dict[int, PrintEntry] = {}
    themes: dict[int, list[str]] = {}
    numbered = 0
    for r in rows:  # rows come in index order: theme, organisation name
        entry = entries.get(r.organisatie_id)
        if entry is None:
            entry = PrintEntry(r.organisatie, r.synthetisch, r.telefoon, r.website)
            entries[r.organisatie_id] = entry
            groups.setdefault(r.thema, ThemeGroup(r.thema, r.kleur)).entries.append(entry)
        if r.thema not in themes.setdefault(r.organisatie_id, []):
            themes[r.organisatie_id].append(r.thema)
        x, y = (r.x - area.x0) * area.s + MAP_PAD, (area.y1 - r.y) * area.s + MAP_PAD
        marker = next((m for m in leaders if math.dist(m[:2], (x, y)) < MARKER_GAP), None)
        if marker is None:
            marker = [x, y, 0]
            leaders.append(marker)
        if not marker[2]:
            numbered += 1
            marker[2] = numbered
        _add(entry, r, int(marker[2]))
    for organisatie_id, entry in entries.items():
        entry.ook = themes[organisatie_id][1:]
    size = MARKER_FONT_3 if numbered > 99 else MARKER_FONT
    markers = sorted((int(n), round(x, 1), round(y, 1), MARKER_R, size) for x, y, n in leaders)
    scale_m = _scale_step(area.w / 5 / area.s)
    kaart = AreaMap(
        round(area.w, 1),
        round(area.h + SCALE_BAND, 1),
        area.outline,
        area.inner or "",
        markers,
        scale_m,
        round(scale_m * area.s, 1),
    )
    return list(groups.values()), kaart


def _add(entry: PrintEntry, r, nummer: int) -> None:
    if nummer not in entry.nummers:
        entry.nummers.append(nummer)
    if r.aanbod not in entry.aanbod:
        entry.aanbod.append(r.aanbod)
    where = (
        f"Adres afgeschermd, {r.plaats}"
        if r.vertrouwelijk and r.plaats
        else "Adres afgeschermd"
        if r.vertrouwelijk
        else address(r.straat, r.huisnummer, r.postcode, r.plaats)
    )
    if where and where not in [a for a, _ in entry.adressen]:
        entry.adressen.append((where, nummer))
    checked = r.laatst_geverifieerd_op
    if checked and (entry.gecontroleerd is None or checked < entry.gecontroleerd):
        entry.gecontroleerd = checked  # the oldest check is the honest one


def _area_map(area, points: set[tuple[int, float, float]]) -> AreaMap:
    """The area with the points projected like the database projected the area.

    Markers get bigger (and their numbers easier to read on paper) when there are few of
    them.
    """
    big = len(points) <= 40
    markers = sorted(
        {
            (
                n,
                round((x - area.x0) * area.s + MAP_PAD, 1),
                round((area.y1 - y) * area.s + MAP_PAD, 1),
                (17 if big else 12.5) if n > 99 else (16 if big else 10),
                (14 if big else 10.5) if n > 99 else (18 if big else 11.5),
            )
            for n, x, y in points
        }
    )
    scale_m = _scale_step(area.w / 5 / area.s)
    return AreaMap(
        round(area.w, 1),
        round(area.h + SCALE_BAND, 1),
        area.outline,
        area.inner or "",
        markers,
        scale_m,
        round(scale_m * area.s, 1),
    )


def _scale_step(target_m: float) -> int:
    """The largest round scale-bar length not longer than ``target_m`` metres."""
    fitting = [s for s in SCALE_STEPS_M if s <= target_m]
    return fitting[-1] if fitting else SCALE_STEPS_M[0]
