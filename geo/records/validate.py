"""Turn raw rows into clean records, or into rejects with line, column and reason."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property

from geo.gazetteer import RD_BOUNDS
from geo.records import fields as f
from geo.records.cell_checks import (
    SECONDARY,
    language_codes,
    memoised,
    organisation_name,
    text_up_to,
    theme_slugs,
    visibility_level,
)
from geo.records.readers import RawRow
from geo.records.theme_proposal import ThemeRules, shipped_rules

# A WGS84 box around the Netherlands (RD_BOUNDS: the same in RD New, with sea margin).
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
            (column, key, memoised(parse), always)
            for column, key, parse, always in _field_table(self)
        )


POSTBUS_ONLY = "Alleen een postbus: geef het bezoekadres op"
NO_THEME = "geen thema: vul een thema in of voeg een trefwoord toe aan de koppeling"


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
        ("organisatie", "organisatie", organisation_name, True),
        ("omschrijving", "omschrijving", text_up_to(), opt),
        ("aanbod", "aanbod", text_up_to(200), opt),
        ("aanbod_omschrijving", "aanbod_omschrijving", text_up_to(), opt),
        ("thema", "themas", lambda s: theme_slugs(s, taxonomy.themes), True),
        (
            "doelgroep",
            "doelgroepen",
            lambda s: f.slugs(s, taxonomy.groups, "doelgroep") if s else ["iedereen"],
            True,
        ),
        ("kosten", "kosten", text_up_to(), opt),
        ("aanmelden", "aanmelden", text_up_to(), opt),
        ("voorwaarden", "voorwaarden", text_up_to(), opt),
        ("talen", "talen", language_codes, True),
        ("capaciteit", "capaciteit", lambda s: f.number(s, "capaciteit"), opt),
        ("postcode", "postcode", f.postcode, opt),
        ("straat", "straat", text_up_to(200), opt),
        ("plaats", "plaats", text_up_to(100), opt),
        ("locatie_naam", "locatie_naam", text_up_to(200), opt),
        ("toegankelijkheid", "toegankelijkheid", text_up_to(), opt),
        ("vertrouwelijk", "vertrouwelijk", lambda s: f.yes_no(s, "vertrouwelijk"), True),
        ("zichtbaarheid", "zichtbaarheid", visibility_level, True),
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
