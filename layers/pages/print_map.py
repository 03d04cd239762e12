"""The paper social map of a gemeente, wijk or buurt: theme groups, numbers and an SVG map.

It reads ``laag_voorzieningen`` itself, so it follows the publication rules of that view:
confidential points arrive already generalised to their buurt and show no address.
"""

from __future__ import annotations

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

# One row per service x location x theme of the area, from the published view.
PRINT_ROWS_SQL = sa.text("""
SELECT v.organisatie_id, v.organisatie, v.aanbod, v.straat, v.huisnummer, v.postcode,
       v.plaats, v.telefoon, v.website, v.vertrouwelijk, v.synthetisch,
       v.laatst_geverifieerd_op, ST_X(v.geom) AS x, ST_Y(v.geom) AS y,
       coalesce(t.naam, 'Overig') AS thema, coalesce(t.kleur, '#4a4a4a') AS kleur
FROM laag_voorzieningen v
LEFT JOIN LATERAL unnest(v.themas) AS u(slug) ON true
LEFT JOIN thema t ON t.slug = u.slug
WHERE (v.gemeentecode = :code OR v.wijkcode = :code OR v.buurtcode = :code)
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


@dataclass
class PrintEntry:
    """One organisation under one theme on the paper map."""

    nummer: int
    naam: str
    synthetisch: bool
    telefoon: str | None
    website: str | None
    aanbod: list[str] = field(default_factory=list)
    adressen: list[str] = field(default_factory=list)
    gecontroleerd: date | None = None


@dataclass
class ThemeGroup:
    """A theme heading with its organisations."""

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
    """Everything the paper social map of one gemeente, wijk or buurt shows."""

    code: str
    naam: str
    niveau: str
    gemeente: str
    groups: list[ThemeGroup]
    kaart: AreaMap
    organisaties: int


def print_area(conn: sa.Connection, code: str, visibility: VisibilityLike) -> PrintArea | None:
    """The paper social map of an area: theme groups, numbers and the SVG map.

    Two statements: the public records of the area (one row per service, location and
    theme) and the area geometry already scaled into the SVG viewBox. An organisation gets
    one number (in list order) and one marker per distinct point in the area.

    Returns
    -------
    PrintArea or None
        None for a malformed or unknown area code.
    """
    if not is_area_code(code):
        return None
    rows = conn.execute(PRINT_ROWS_SQL, {"code": code, **as_visibility(visibility).params()}).all()
    groups, points = _group(rows)
    xs, ys = [x for _, x, _ in points], [y for _, _, y in points]
    area = conn.execute(
        PRINT_MAP_SQL,
        {
            "code": code,
            "width": MAP_WIDTH,
            "max_height": MAP_MAX_HEIGHT,
            "pad": MAP_PAD,
            "bx0": min(xs, default=None),
            "by0": min(ys, default=None),
            "bx1": max(xs, default=None),
            "by1": max(ys, default=None),
        },
    ).one_or_none()
    if area is None:
        return None
    count = len({n for n, _, _ in points})
    return PrintArea(
        area.code, area.naam, area.niveau, area.gemeente, groups, _area_map(area, points), count
    )


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


def _group(rows) -> tuple[list[ThemeGroup], set[tuple[int, float, float]]]:
    numbers: dict[int, int] = {}
    groups: dict[str, ThemeGroup] = {}
    entries: dict[tuple[str, int], PrintEntry] = {}
    points: set[tuple[int, float, float]] = set()
    for r in rows:
        nummer = numbers.setdefault(r.organisatie_id, len(numbers) + 1)
        points.add((nummer, r.x, r.y))
        group = groups.setdefault(r.thema, ThemeGroup(r.thema, r.kleur))
        entry = entries.get((r.thema, r.organisatie_id))
        if entry is None:
            entry = PrintEntry(nummer, r.organisatie, r.synthetisch, r.telefoon, r.website)
            entries[(r.thema, r.organisatie_id)] = entry
            group.entries.append(entry)
        _add(entry, r)
    return list(groups.values()), points


def _add(entry: PrintEntry, r) -> None:
    if r.aanbod not in entry.aanbod:
        entry.aanbod.append(r.aanbod)
    where = (
        f"Adres afgeschermd, {r.plaats}"
        if r.vertrouwelijk and r.plaats
        else "Adres afgeschermd"
        if r.vertrouwelijk
        else address(r.straat, r.huisnummer, r.postcode, r.plaats)
    )
    if where and where not in entry.adressen:
        entry.adressen.append(where)
    checked = r.laatst_geverifieerd_op
    if checked and (entry.gecontroleerd is None or checked < entry.gecontroleerd):
        entry.gecontroleerd = checked  # the oldest check is the honest one


def _scale_step(target_m: float) -> int:
    """The largest round scale-bar length not longer than ``target_m`` metres."""
    fitting = [s for s in SCALE_STEPS_M if s <= target_m]
    return fitting[-1] if fitting else SCALE_STEPS_M[0]
