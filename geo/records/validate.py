"""Turn raw rows into clean records, or into rejects with line, column and reason."""

from __future__ import annotations

import hashlib
import json
import re
from copy import copy
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from geo.records import fields as f
from geo.records.readers import RawRow
from geo.records.theme_proposal import ThemeRules, shipped_rules

VISIBILITY = ("openbaar", "professional", "intern")
# RD New bounds of the Netherlands (with sea margin) and a WGS84 box around it.
RD_BOUNDS = (0.0, 289_000.0, 300_000.0, 629_000.0)
WGS84_BOUNDS = (3.2, 50.7, 7.3, 53.6)


@dataclass
class Reject:
    """A row that was not imported: where and why."""

    line: int
    column: str
    reason: str
    values: dict = field(default_factory=dict)


@dataclass
class RowWarning:
    """A secondary field that could not be read: the row loads, the field is left out."""

    line: int
    column: str
    reason: str
    value: str = ""


@dataclass
class Taxonomy:
    """Theme and doelgroep slugs with their names (both accepted in files)."""

    themes: dict[str, str]
    groups: dict[str, str]
    # Keyword rules for rows without a theme (None: the shipped rules).
    rules: ThemeRules | None = None

    @property
    def theme_rules(self) -> ThemeRules:
        """The rules that propose a theme for a row without one."""
        return self.rules or shipped_rules()

    @cached_property
    def fields(self) -> tuple:
        """The field table with memoised parsers.

        Spreadsheets repeat the same values (themes, opening hours, an organisation's
        contact details) on many rows.
        """
        return tuple(
            (column, key, _memo(parse), always) for column, key, parse, always in _field_table(self)
        )


def _memo(parse):
    """Cache results, and cache FieldErrors too (re-raised with the same message)."""

    @lru_cache(maxsize=65536)
    def cached(value: str):
        try:
            return True, parse(value)
        except f.FieldError as exc:
            return False, str(exc)

    def run(value: str):
        ok, result = cached(value)
        if not ok:
            raise f.FieldError(result)
        return copy(result) if isinstance(result, list) else result

    return run


NOT_APPLICABLE = {"n.v.t.", "nvt", "n.v.t", "-", "--", "geen", "onbekend", "nee", "n/a", "0"}


def _kvk(value: str):
    if value.strip().lower() in NOT_APPLICABLE:
        raise f.FieldError(f"KvK-nummer '{value}' is geen nummer")
    return f.kvk(value)


def _first(parse, label: str):
    """A cell with several values (``a@x.nl; b@x.nl``): the first good one, the rest noted."""

    def run(value: str) -> tuple[str, list[str]]:
        try:
            return parse(value), []
        except f.FieldError:
            parts = [p.strip() for p in re.split(r"[;,\s]+", value) if p.strip()]
            if len(parts) < 2:
                raise
        good, notes = None, []
        for part in parts:
            try:
                parsed = parse(part)
            except f.FieldError:
                notes.append(f"'{part}' is geen {label} en is weggelaten")
                continue
            if good is None:
                good = parsed
            else:
                notes.append(f"tweede {label} '{part}' is weggelaten")
        if good is None:
            raise f.FieldError(f"{label} '{value}' klopt niet")
        return good, notes

    return run


def _hours_or_text(value: str) -> tuple[str, list[str]]:
    """Opening hours as JSON; unreadable hours are kept as free text (``tekst``)."""
    try:
        return json.dumps(f.opening_hours(value), ensure_ascii=False), []
    except f.FieldError as exc:
        text = {"dagen": {}, "op_afspraak": False, "tekst": value}
        note = f"{exc}; de tekst is bewaard zonder dagen en tijden"
        return json.dumps(text, ensure_ascii=False), [note]


def _secondary(parse):
    """Wrap a parser that may fail so it never does: (value or None, warnings)."""

    @lru_cache(maxsize=65536)
    def run(value: str) -> tuple[object, tuple[str, ...]]:
        try:
            result = parse(value)
        except f.FieldError as exc:
            return None, (f"{exc}; niet opgeslagen",)
        if isinstance(result, tuple):
            return result[0], tuple(result[1])
        return result, ()

    return run


# Secondary fields: a value that cannot be read is left out with a warning, never a reject.
SECONDARY = (
    ("kvk", "kvk", _secondary(_kvk)),
    ("telefoon", "telefoon", _secondary(f.phones)),
    ("organisatie_telefoon", "org_telefoon", _secondary(f.phones)),
    ("email", "email", _secondary(_first(f.email, "e-mailadres"))),
    ("website", "website", _secondary(_first(f.website, "website"))),
    ("openingstijden", "openingstijden", _secondary(_hours_or_text)),
    ("laatst_geverifieerd", "laatst_geverifieerd_op", _secondary(f.day)),
)


def _text(limit=4000):
    def parse(value: str):
        if len(value) > limit:
            raise f.FieldError(f"tekst is langer dan {limit} tekens")
        return value or None

    return parse


def _required_name(value: str):
    if not value:
        raise f.FieldError("organisatie is leeg")
    return _text(200)(value)


def _visibility(value: str):
    value = (value or "openbaar").lower()
    if value not in VISIBILITY:
        raise f.FieldError(f"zichtbaarheid moet een van {', '.join(VISIBILITY)} zijn")
    return value


def _languages(value: str):
    return [t.strip().lower() for t in value.split(";") if t.strip()] or ["nl"]


POSTBUS_ONLY = "Alleen een postbus: geef het bezoekadres op"
NO_THEME = "geen thema: vul een thema in of voeg een trefwoord toe aan de koppeling"


def _themes(value: str, known: dict[str, str]) -> list[str]:
    """Theme slugs or names; empty: [] (the importer proposes one from keywords)."""
    if not value:
        return []
    try:
        return f.slugs(value, known, "thema")
    except f.FieldError as exc:
        if "bedoelt u" in str(exc):
            raise
        raise f.FieldError(f"{exc}; of koppel de waarde onder [waarden.thema]") from exc


def _propose_theme(record: dict, taxonomy: Taxonomy) -> bool:
    """Give a row without a theme the proposed one; False when no keyword matches."""
    proposal = taxonomy.theme_rules.propose(
        record.get("aanbod"),
        record.get("organisatie"),
        record.get("aanbod_omschrijving"),
        record.get("omschrijving"),
    )
    if proposal is None or proposal.slug not in taxonomy.themes:
        return False
    record["themas"] = [proposal.slug]
    record["thema_voorstel"], record["thema_reden"] = proposal.slug, proposal.reason
    return True


def _field_table(taxonomy: Taxonomy):
    """(file column, record key, parser, parse empty values too) for every plain field."""
    opt = False
    return (
        ("organisatie", "organisatie", _required_name, True),
        ("omschrijving", "omschrijving", _text(), opt),
        ("aanbod", "aanbod", _text(200), opt),
        ("aanbod_omschrijving", "aanbod_omschrijving", _text(), opt),
        ("thema", "themas", lambda s: _themes(s, taxonomy.themes), True),
        (
            "doelgroep",
            "doelgroepen",
            lambda s: f.slugs(s, taxonomy.groups, "doelgroep") if s else ["iedereen"],
            True,
        ),
        ("kosten", "kosten", _text(), opt),
        ("aanmelden", "aanmelden", _text(), opt),
        ("voorwaarden", "voorwaarden", _text(), opt),
        ("talen", "talen", _languages, True),
        ("capaciteit", "capaciteit", lambda s: f.number(s, "capaciteit"), opt),
        ("postcode", "postcode", f.postcode, opt),
        ("straat", "straat", _text(200), opt),
        ("plaats", "plaats", _text(100), opt),
        ("locatie_naam", "locatie_naam", _text(200), opt),
        ("toegankelijkheid", "toegankelijkheid", _text(), opt),
        ("vertrouwelijk", "vertrouwelijk", lambda s: f.yes_no(s, "vertrouwelijk"), True),
        ("zichtbaarheid", "zichtbaarheid", _visibility, True),
        ("synthetisch", "synthetisch", lambda s: f.yes_no(s, "synthetisch"), True),
    )


def _coordinates(v) -> dict:
    out: dict[str, float | None] = {"lon": None, "lat": None, "x": None, "y": None}
    for a, b, bounds, label in (
        ("lon", "lat", WGS84_BOUNDS, "lat/lon"),
        ("x", "y", RD_BOUNDS, "x/y"),
    ):
        if v.get(a, "").strip() or v.get(b, "").strip():
            try:
                first, second = float(v[a].replace(",", ".")), float(v[b].replace(",", "."))
            except (KeyError, ValueError) as exc:
                raise f.FieldError(f"{label}: vul beide coördinaten in als getal") from exc
            if not (bounds[0] <= first <= bounds[2] and bounds[1] <= second <= bounds[3]):
                shown = (second, first) if label == "lat/lon" else (first, second)
                raise f.FieldError(f"{label} {shown} ligt buiten Nederland")
            out[a], out[b] = first, second
    return out


def _house(v) -> dict:
    number = v.get("huisnummer", "").strip()
    parsed = (
        f.house(number, v.get("huisletter", ""), v.get("toevoeging", ""))
        if number
        else (None, "", "")
    )
    return dict(zip(("huisnummer", "huisletter", "toevoeging"), parsed, strict=True))


def _street_address(rec: dict) -> bool:
    """Street, house number and place: enough to find the address without a postcode."""
    return bool(rec.get("straat") and rec.get("huisnummer") and rec.get("plaats"))


def _location_key(rec: dict) -> str:
    if rec["postcode"] and rec["huisnummer"]:
        return f"{rec['postcode']}-{rec['huisnummer']}{rec['huisletter']}{rec['toevoeging']}"
    if rec["x"] is not None or rec["lon"] is not None:
        a, b = (rec["x"], rec["y"]) if rec["x"] is not None else (rec["lon"], rec["lat"])
        return f"xy:{a:.5f},{b:.5f}"
    if _street_address(rec):  # no postcode: geocoded on street, number and place
        house = f"{rec['huisnummer']}{rec['huisletter']}{rec['toevoeging']}"
        return f"{f.slug(rec['plaats'])}:{f.slug(rec['straat'])}-{house}"
    return f"{rec['postcode']}:{f.slug(rec['locatie_naam'] or '')}"


def validate_row(raw: RawRow, taxonomy: Taxonomy) -> tuple[dict | None, list[Reject]]:
    """Validate one row; every problem of the row is reported, not just the first.

    Secondary fields (see ``SECONDARY``) never reject a row: what cannot be read is left
    out and listed in ``record["waarschuwingen"]`` as ``RowWarning``s.
    """
    record: dict = {"line": raw.line, "thema_voorstel": None, "thema_reden": None}
    rejects: list[Reject] = []
    warnings: list[RowWarning] = []

    def reject(column: str, reason: str) -> None:
        rejects.append(Reject(raw.line, raw.headers.get(column, column), reason, raw.values))

    for column, key, parse, always in taxonomy.fields:
        value = raw.values.get(column, "").strip()
        try:
            record[key] = parse(value) if (value or always) else None
        except f.FieldError as exc:
            reject(column, str(exc))
    for column, key, secondary in SECONDARY:
        value = raw.values.get(column, "").strip()
        record[key], notes = secondary(value) if value else (None, ())
        header = raw.headers.get(column, column)
        warnings.extend(RowWarning(raw.line, header, note, value) for note in notes)
    for column, parse in (("lat", _coordinates), ("huisnummer", _house)):
        try:
            record.update(parse(raw.values))
        except f.FieldError as exc:
            reject(column, str(exc))
    for column, reason in _row_checks(record, raw, taxonomy):
        reject(column, reason)
    if rejects:
        return None, rejects
    unplaceable = _unplaceable(record, raw)
    if unplaceable:
        reject(*unplaceable)
        return None, rejects
    record["waarschuwingen"] = warnings
    _passthrough(record, raw, warnings)
    _add_keys(record, raw.values)
    return record, []


def _unplaceable(record: dict, raw: RawRow) -> tuple[str, str] | None:
    """(column, reason) when nothing places the row: no postcode, street address or point."""
    if (
        record["postcode"] is not None
        or record["x"] is not None
        or record["lon"] is not None
        or _street_address(record)
    ):
        return None
    if raw.values.get("postbus"):  # split off by geo/records/address.py
        return "postbus", f"{POSTBUS_ONLY} ({raw.values['postbus']})"
    return (
        "postcode",
        "geen postcode, geen straat met huisnummer en plaats en geen coördinaten: "
        "de locatie kan niet op de kaart",
    )


def _row_checks(record: dict, raw: RawRow, taxonomy: Taxonomy) -> list[tuple[str, str]]:
    """Checks of the row as a whole: a theme (or a proposed one), an address in NL."""
    problems = []
    if record.get("themas") == [] and not _propose_theme(record, taxonomy):
        problems.append(("thema", NO_THEME))
    land = raw.values.get("land", "").strip()
    if land:
        problems.append(("land", f"het adres ligt buiten Nederland (land: {land[:40]})"))
    return problems


# Values only the HSDS reader sets (never a column of a flat file): the HSDS fields without
# a column of their own, as JSON, stored in organisatie/aanbod/locatie/aanbod_locatie.hsds.
PASSTHROUGH = (
    ("hsds_organisatie", "org_hsds"),
    ("hsds_aanbod", "aanbod_hsds"),
    ("hsds_locatie", "loc_hsds"),
    ("hsds_koppeling", "sal_hsds"),
    ("contactpersonen", "contactpersonen"),
)


def _passthrough(record: dict, raw: RawRow, warnings: list[RowWarning]) -> None:
    """HSDS extras: stable keys, JSON fields, opening hours from schedules, reader notes."""
    values = raw.values
    for column, key in PASSTHROUGH:
        record[key] = values.get(column) or None
    record["werkgebied"] = [p.strip() for p in values.get("werkgebied", "").split(";") if p.strip()]
    # The row's own source (our export's bron column): used when --bron is not given.
    record["bron"] = values.get("bron", "").strip()[:200] or None
    if record["org_telefoon"] is None and "organisatie_telefoon" in values:
        record["org_telefoon"] = ""  # the file says the organisation has no number of its own
    if values.get("openingstijden_json"):
        record["openingstijden"] = values["openingstijden_json"]
    for column, reason, value in json.loads(values.get("notities") or "[]"):
        warnings.append(RowWarning(raw.line, raw.headers.get(column, column), reason, value))


def _add_keys(record: dict, values: dict) -> None:
    record["aanbod"] = record["aanbod"] or record["organisatie"]
    record["org_key"] = values.get("organisatie_id") or (
        f"kvk:{record['kvk']}" if record["kvk"] else f"naam:{f.slug(record['organisatie'])}"
    )
    record["loc_key"] = values.get("locatie_id") or f"{record['org_key']}/{_location_key(record)}"
    record["aanbod_key"] = (
        values.get("aanbod_id") or f"{record['org_key']}/{f.slug(record['aanbod'])}"
    )
    record["row_key"] = values.get("id") or _derived_id(record)


def _derived_id(record: dict) -> str:
    """Stable id for files without an id column: organisation + service + location."""
    key = f"{record['aanbod_key']}@{record['loc_key']}"
    return "h:" + hashlib.sha1(key.encode()).hexdigest()[:16]
