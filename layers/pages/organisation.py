"""Public organisation pages and the paper social map: queries and opening-hours logic.

Both follow the publication rules of ``laag_voorzieningen``: only published records whose
organisation, service, location and link are all visible to the caller; a confidential
location shows its place name only (no street, postcode, point or name); contact persons
are never read. The paper map reads ``laag_voorzieningen`` itself, so confidential points
arrive already generalised to their buurt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
DAY_NAMES = dict(zip(DAYS, ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag",
                            "zaterdag", "zondag"), strict=True))
AREA_CODE = re.compile(r"^(GM[0-9]{4}|WK[0-9]{6}|BU[0-9]{8})$")
MELDING_MAX = 2000
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # PostgreSQL text takes no NUL
# The paper map: viewBox width and the tallest height, in SVG units; padding around the area.
MAP_WIDTH, MAP_MAX_HEIGHT, MAP_PAD = 800.0, 1000.0, 16.0
SCALE_BAND = 30.0  # room below the area for the scale bar
SCALE_STEPS_M = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000)

# Every visibility level (organisation, service, location, link) must be allowed; a
# confidential location keeps only its place name and accessibility note.
ORGANISATION_SQL = sa.text("""
WITH org AS (
    SELECT * FROM organisatie
    WHERE id = :id AND status = 'gepubliceerd' AND zichtbaarheid::text = ANY(:visibility)
), loc AS (
    SELECT l.id, l.vertrouwelijk, l.woonplaats AS plaats, l.toegankelijkheid,
           CASE WHEN NOT l.vertrouwelijk THEN l.naam END AS naam,
           CASE WHEN NOT l.vertrouwelijk THEN l.straat END AS straat,
           CASE WHEN NOT l.vertrouwelijk THEN concat_ws('-', l.huisnummer::text
                || coalesce(l.huisletter, ''), l.toevoeging) END AS huisnummer,
           CASE WHEN NOT l.vertrouwelijk THEN l.postcode END AS postcode,
           CASE WHEN NOT l.vertrouwelijk THEN round(ST_Y(ST_Transform(l.geom, 4326))::numeric, 5)
           END AS lat,
           CASE WHEN NOT l.vertrouwelijk THEN round(ST_X(ST_Transform(l.geom, 4326))::numeric, 5)
           END AS lon
    FROM locatie l JOIN org ON l.organisatie_id = org.id
    WHERE l.zichtbaarheid::text = ANY(:visibility)
), svc AS (
    SELECT a.id, a.naam, a.omschrijving, a.kosten, a.aanmelden, a.voorwaarden, a.talen,
           a.openingstijden, a.laatst_geverifieerd_op,
           (SELECT coalesce(json_agg(json_build_object('naam', t.naam, 'kleur', t.kleur,
                   'icoon', t.icoon) ORDER BY t.volgorde), '[]')
              FROM aanbod_thema x JOIN thema t ON t.slug = x.thema_slug
             WHERE x.aanbod_id = a.id) AS themas,
           (SELECT coalesce(json_agg(d.naam ORDER BY d.volgorde), '[]')
              FROM aanbod_doelgroep x JOIN doelgroep d ON d.slug = x.doelgroep_slug
             WHERE x.aanbod_id = a.id) AS doelgroepen,
           (SELECT coalesce(json_agg(al.locatie_id ORDER BY al.locatie_id), '[]')
              FROM aanbod_locatie al JOIN loc ON loc.id = al.locatie_id
             WHERE al.aanbod_id = a.id AND al.zichtbaarheid::text = ANY(:visibility))
               AS locaties
    FROM aanbod a JOIN org ON a.organisatie_id = org.id
    WHERE a.zichtbaarheid::text = ANY(:visibility)
)
SELECT json_build_object(
    'id', org.id, 'naam', org.naam, 'omschrijving', org.omschrijving,
    'website', org.website, 'email', org.email, 'telefoon', org.telefoon,
    'bron', org.bron, 'synthetisch', org.synthetisch,
    'laatst_geverifieerd_op', org.laatst_geverifieerd_op,
    'aanbod', (SELECT coalesce(json_agg(svc ORDER BY svc.naam, svc.id), '[]') FROM svc),
    'locaties', (SELECT coalesce(json_agg(loc ORDER BY loc.id), '[]') FROM loc))
FROM org""")
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
  AND v.zichtbaarheid = ANY(:visibility)
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
MELDING_SQL = sa.text(
    "INSERT INTO melding (organisatie_id, tekst, email) "
    "SELECT id, :tekst, :email FROM organisatie "
    "WHERE id = :id AND status = 'gepubliceerd' AND zichtbaarheid::text = ANY(:visibility) "
    "RETURNING id")


class MeldingError(ValueError):
    """A reported error that cannot be stored; the message is plain Dutch for the resident."""


# ------------------------------------------------------------------------ opening hours
def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _open_in(ranges, minute: int, overnight_only: bool = False) -> bool:
    """Whether ``minute`` falls in one of ``ranges`` (a range ending before it starts runs
    past midnight; with ``overnight_only`` only that after-midnight part counts)."""
    for start, end in ranges or ():
        opens, closes = _minutes(start), _minutes(end)
        if overnight_only:
            if closes <= opens and minute < closes:
                return True
        elif opens <= minute < closes or (closes <= opens and minute >= opens):
            return True
    return False


def open_now(openingstijden: dict | None, moment: datetime) -> bool | None:
    """Whether a service is open at ``moment`` (Europe/Amsterdam wall-clock time).

    Parameters
    ----------
    openingstijden : dict or None
        ``{"dagen": {"ma": [["09:00", "17:00"]], ...}, "op_afspraak": bool, "tekst": str}``.
        A range is open from its start up to (not including) its end; ``"24:00"`` is
        midnight; an end before the start runs past midnight.
    moment : datetime
        Aware datetimes are converted to Amsterdam time; naive ones are taken as such.

    Returns
    -------
    bool or None
        None when there are no day hours to go by (unknown, or by appointment only).
    """
    days = (openingstijden or {}).get("dagen") or {}
    if not any(days.values()):
        return None
    local = moment.astimezone(AMSTERDAM) if moment.tzinfo else moment
    minute, weekday = local.hour * 60 + local.minute, local.weekday()
    try:
        return (_open_in(days.get(DAYS[weekday]), minute)
                or _open_in(days.get(DAYS[weekday - 1]), minute, overnight_only=True))
    except (ValueError, TypeError, AttributeError):
        return None


def opening_rows(openingstijden: dict | None, moment: datetime | None = None) -> list[dict]:
    """One row per weekday: ``{"dag": "maandag", "tijden": "09:00 tot 17:00" or "gesloten",
    "vandaag": bool}``; an empty list when there are no day hours."""
    days = (openingstijden or {}).get("dagen") or {}
    if not any(days.values()):
        return []
    today = DAYS[moment.astimezone(AMSTERDAM).weekday()] if moment else None
    return [{"dag": DAY_NAMES[day],
             "tijden": " en ".join(f"{s} tot {e}" for s, e in days.get(day) or ()) or "gesloten",
             "vandaag": day == today} for day in DAYS]


# ------------------------------------------------------------------ organisation page
def organisation(conn: sa.Connection, organisatie_id: int,
                 visibility: tuple[str, ...]) -> dict | None:
    """One organisation with its services and locations as the public may see them.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    organisatie_id : int
    visibility : tuple of str
        Visibility levels the caller may see (``("openbaar",)`` for the public).

    Returns
    -------
    dict or None
        Organisation fields, ``aanbod`` (services with ``themas``, ``doelgroepen`` and the
        ids of their ``locaties``) and ``locaties``; dates as :class:`datetime.date`. None
        when the organisation does not exist or is not visible.
    """
    if not 0 < organisatie_id < 2**63:
        return None
    record = conn.execute(ORGANISATION_SQL, {
        "id": organisatie_id, "visibility": list(visibility)}).scalar_one_or_none()
    if record is None:
        return None
    record["laatst_geverifieerd_op"] = _date(record["laatst_geverifieerd_op"])
    for service in record["aanbod"]:
        service["laatst_geverifieerd_op"] = _date(service["laatst_geverifieerd_op"])
    return record


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def clean_melding(tekst: str | None, email: str | None) -> tuple[str, str | None]:
    """Validate a reported error; raise :class:`MeldingError` with a B1 message."""
    tekst = CONTROL.sub("", (tekst or "").replace("\r\n", "\n")).strip()
    email = CONTROL.sub("", email or "").strip() or None
    if not tekst:
        raise MeldingError("Schrijf wat er niet klopt. Het tekstvak is nog leeg.")
    if len(tekst) > MELDING_MAX:
        raise MeldingError(f"Uw tekst is te lang: {len(tekst)} tekens. "
                           f"Gebruik niet meer dan {MELDING_MAX} tekens.")
    if email and (len(email) > 254 or not EMAIL.match(email)):
        raise MeldingError("Dit e-mailadres klopt niet. Kijk het na of laat het leeg.")
    return tekst, email


def add_melding(conn: sa.Connection, organisatie_id: int, tekst: str, email: str | None,
                visibility: tuple[str, ...]) -> int | None:
    """Store a reported error (status ``nieuw``); None when the organisation is not visible.

    ``tekst`` and ``email`` must have passed :func:`clean_melding`. No IP address is stored.
    """
    if not 0 < organisatie_id < 2**63:
        return None
    return conn.execute(MELDING_SQL, {
        "id": organisatie_id, "tekst": tekst, "email": email,
        "visibility": list(visibility)}).scalar_one_or_none()


# -------------------------------------------------------------------- paper map (print)
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

    ``markers`` holds ``(nummer, x, y, radius, font_size)``."""

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


def address(straat: str | None, huisnummer: str | None, postcode: str | None,
            plaats: str | None) -> str:
    """``Straat 12A, 6211 AB Maastricht`` from whichever parts are known."""
    pc = f"{postcode[:4]} {postcode[4:]}" if postcode and len(postcode) == 6 else postcode
    street = " ".join(p for p in (straat, huisnummer) if p)
    return ", ".join(p for p in (street, " ".join(p for p in (pc, plaats) if p)) if p)


def print_area(conn: sa.Connection, code: str,
               visibility: tuple[str, ...]) -> PrintArea | None:
    """The paper social map of an area: theme groups, numbers and the SVG map.

    Two statements: the public records of the area (one row per service, location and
    theme) and the area geometry already scaled into the SVG viewBox. An organisation gets
    one number (in list order) and one marker per distinct point in the area.

    Returns
    -------
    PrintArea or None
        None for a malformed or unknown area code.
    """
    if not AREA_CODE.match(code):
        return None
    rows = conn.execute(PRINT_ROWS_SQL, {"code": code, "visibility": list(visibility)}).all()
    groups, points = _group(rows)
    xs, ys = [x for _, x, _ in points], [y for _, _, y in points]
    area = conn.execute(PRINT_MAP_SQL, {
        "code": code, "width": MAP_WIDTH, "max_height": MAP_MAX_HEIGHT, "pad": MAP_PAD,
        "bx0": min(xs, default=None), "by0": min(ys, default=None),
        "bx1": max(xs, default=None), "by1": max(ys, default=None),
    }).one_or_none()
    if area is None:
        return None
    count = len({n for n, _, _ in points})
    return PrintArea(area.code, area.naam, area.niveau, area.gemeente, groups,
                     _area_map(area, points), count)


def _area_map(area, points: set[tuple[int, float, float]]) -> AreaMap:
    """Project the points like the database projected the area; markers get bigger (and
    their numbers easier to read on paper) when there are few of them."""
    big = len(points) <= 40
    markers = sorted({
        (n, round((x - area.x0) * area.s + MAP_PAD, 1), round((area.y1 - y) * area.s + MAP_PAD, 1),
         (17 if big else 12.5) if n > 99 else (16 if big else 10),
         (14 if big else 10.5) if n > 99 else (18 if big else 11.5))
        for n, x, y in points})
    scale_m = _scale_step(area.w / 5 / area.s)
    return AreaMap(round(area.w, 1), round(area.h + SCALE_BAND, 1), area.outline,
                   area.inner or "", markers, scale_m, round(scale_m * area.s, 1))


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
    where = (f"Adres afgeschermd, {r.plaats}" if r.vertrouwelijk and r.plaats
             else "Adres afgeschermd" if r.vertrouwelijk
             else address(r.straat, r.huisnummer, r.postcode, r.plaats))
    if where and where not in entry.adressen:
        entry.adressen.append(where)
    checked = r.laatst_geverifieerd_op
    if checked and (entry.gecontroleerd is None or checked < entry.gecontroleerd):
        entry.gecontroleerd = checked  # the oldest check is the honest one


def _scale_step(target_m: float) -> int:
    """The largest round scale-bar length not longer than ``target_m`` metres."""
    fitting = [s for s in SCALE_STEPS_M if s <= target_m]
    return fitting[-1] if fitting else SCALE_STEPS_M[0]
