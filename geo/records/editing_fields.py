"""The editors' form fields: Dutch labels, widgets, and parsers from form strings to columns.

The parsers are the importer's (``geo.records.fields``), so an editor gets the same Dutch
messages as the rejects file of an import. ``parse_form`` collects every field's problem.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from geo.errors import GeoError
from geo.records import fields as f

Form = Mapping[str, Sequence[str]]
VISIBILITY = {
    "openbaar": "Iedereen",
    "professional": "Alleen professionals",
    "intern": "Alleen redactie",
}
STATUS_LABELS = {
    "gepubliceerd": "Gepubliceerd",
    "gearchiveerd": "Gearchiveerd",
    "concept": "Concept",
}
LINKS = ("themas", "doelgroepen", "locaties")


class EditError(GeoError, ValueError):
    """The form has errors; ``errors`` maps field names to Dutch messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# --------------------------------------------------------------------------- parsers


def first_value(values: Sequence[str]) -> str:
    """The first value of a form field, stripped (empty when missing)."""
    return (values[0] if values else "").strip()


def _text(column: str, limit: int = 4000, required: str = "") -> Callable[[Sequence[str]], dict]:
    def read(values: Sequence[str]) -> dict:
        value = first_value(values)
        if not value and required:
            raise f.FieldError(required)
        if len(value) > limit:
            raise f.FieldError(f"de tekst is langer dan {limit} tekens")
        return {column: value or None}

    return read


def _optional(column: str, parse: Callable[[str], Any]) -> Callable[[Sequence[str]], dict]:
    def read(values: Sequence[str]) -> dict:
        value = first_value(values)
        return {column: parse(value) if value else None}

    return read


def _visibility(values: Sequence[str]) -> dict:
    value = first_value(values) or "openbaar"
    if value not in VISIBILITY:
        raise f.FieldError("kies wie dit mag zien")
    return {"zichtbaarheid": value}


def _check(column: str) -> Callable[[Sequence[str]], dict]:
    return lambda values: {column: "ja" in values}


def _hours(values: Sequence[str]) -> dict:
    value = first_value(values)
    if not value:
        return {"openingstijden": None}
    if len(value) > 1000:
        raise f.FieldError("de openingstijden zijn langer dan 1000 tekens")
    try:
        return {"openingstijden": f.opening_hours(value)}
    except f.FieldError:  # kept as free text, as the importer does
        return {"openingstijden": {"dagen": {}, "op_afspraak": False, "tekst": value}}


def _languages(values: Sequence[str]) -> dict:
    parts = [p.strip().lower() for p in first_value(values).replace(",", ";").split(";")]
    if any(len(p) > 20 for p in parts):
        raise f.FieldError("schrijf talen kort, zoals: nl; en")
    return {"talen": [p for p in parts if p] or ["nl"]}


def _capacity(values: Sequence[str]) -> dict:
    value = first_value(values)
    return {"capaciteit": Decimal(str(f.number(value, "capaciteit"))) if value else None}


def _house(values: Sequence[str]) -> dict:
    value = first_value(values)
    number, letter, addition = f.house(value) if value else (None, "", "")
    return {"huisnummer": number, "huisletter": letter or None, "toevoeging": addition or None}


def _list(column: str) -> Callable[[Sequence[str]], dict]:
    return lambda values: {column: sorted({v.strip() for v in values if v.strip()})}


def _ids(values: Sequence[str]) -> dict:
    try:
        return {"locaties": sorted({int(v) for v in values if v.strip()})}
    except ValueError as exc:
        raise f.FieldError("kies locaties uit de lijst") from exc


def _point(values: Sequence[str]) -> dict:
    return {}  # the point is placed by place_location (address or map), never parsed here


# ------------------------------------------------------------------------ the fields


@dataclass(frozen=True)
class Field:
    """One form field: name, Dutch label, widget and its parser (strings -> columns)."""

    name: str
    label: str
    widget: str
    read: Callable[[Sequence[str]], dict]
    hint: str = ""


def show_value(value: Any) -> list[str]:
    """A stored value as the form's strings (a checkbox: ["ja"] or [])."""
    if value is None:
        return [""]
    if isinstance(value, bool):
        return ["ja"] if value else []
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, dict):
        return [str(value.get("tekst") or "")]
    if isinstance(value, Decimal):
        return [format(value.normalize(), "f")]
    return [str(value)]


FIELDS: dict[str, tuple[Field, ...]] = {
    "organisatie": (
        Field("naam", "Naam", "text", _text("naam", 200, "vul de naam in")),
        Field("omschrijving", "Omschrijving", "textarea", _text("omschrijving")),
        Field("website", "Website", "url", _optional("website", f.website)),
        Field("email", "E-mailadres", "email", _optional("email", f.email)),
        Field("telefoon", "Telefoon", "tel", _optional("telefoon", f.phone)),
        Field("kvk_nummer", "KvK-nummer", "text", _optional("kvk_nummer", f.kvk)),
        Field("zichtbaarheid", "Wie mag dit zien?", "zichtbaarheid", _visibility),
    ),
    "aanbod": (
        Field("naam", "Naam van het aanbod", "text", _text("naam", 200, "vul de naam in")),
        Field("omschrijving", "Omschrijving", "textarea", _text("omschrijving")),
        Field("themas", "Thema's", "themas", _list("themas")),
        Field("doelgroepen", "Voor wie?", "doelgroepen", _list("doelgroepen")),
        Field("locaties", "Waar?", "locaties", _ids),
        Field(
            "openingstijden",
            "Openingstijden",
            "text",
            _hours,
            "Bijvoorbeeld: ma-vr 09:00-17:00; za 10:00-12:00",
        ),
        Field("kosten", "Kosten", "text", _text("kosten")),
        Field("aanmelden", "Hoe meldt u zich aan?", "textarea", _text("aanmelden")),
        Field("voorwaarden", "Voorwaarden", "textarea", _text("voorwaarden")),
        Field("talen", "Talen", "text", _languages, "Taalcodes, bijvoorbeeld: nl; en"),
        Field("capaciteit", "Capaciteit (plaatsen)", "text", _capacity),
        Field("zichtbaarheid", "Wie mag dit zien?", "zichtbaarheid", _visibility),
    ),
    "locatie": (
        Field("naam", "Naam van de locatie", "text", _text("naam", 200)),
        Field("straat", "Straat", "text", _text("straat", 200)),
        Field("huisnummer", "Huisnummer", "text", _house, "Bijvoorbeeld: 12, 12a of 12-3"),
        Field("postcode", "Postcode", "text", _optional("postcode", f.postcode)),
        Field("woonplaats", "Plaats", "text", _text("woonplaats", 100)),
        Field(
            "telefoon",
            "Telefoon van deze locatie",
            "tel",
            _optional("telefoon", f.phone),
            "Leeg laten als het nummer van de organisatie geldt",
        ),
        Field("toegankelijkheid", "Toegankelijkheid", "textarea", _text("toegankelijkheid")),
        Field(
            "vertrouwelijk",
            "Adres afschermen (bijvoorbeeld opvang)",
            "check",
            _check("vertrouwelijk"),
        ),
        Field("zichtbaarheid", "Wie mag dit zien?", "zichtbaarheid", _visibility),
        Field("punt", "Plaats op de kaart", "punt", _point),
    ),
    "contactpersoon": (
        Field("naam", "Naam", "text", _text("naam", 200, "vul de naam in")),
        Field("functie", "Functie", "text", _text("functie", 200)),
        Field("telefoon", "Telefoon", "tel", _optional("telefoon", f.phone)),
        Field("email", "E-mailadres", "email", _optional("email", f.email)),
    ),
}


def parse_form(kind: str, form: Form, known: Mapping[str, set] | None = None) -> dict:
    """The column values of a form; EditError with every field's Dutch message."""
    values: dict = {}
    errors: dict[str, str] = {}
    for spec in FIELDS[kind]:
        try:
            values.update(spec.read(form.get(spec.name, ())))
        except f.FieldError as exc:
            errors[spec.name] = f"{spec.label}: {exc}"
    for name in LINKS:
        if known is not None and name in values and name in known:
            unknown = [v for v in values[name] if v not in known[name]]
            if unknown:
                errors[name] = f"{_label(kind, name)}: '{unknown[0]}' kan niet gekozen worden"
    if kind == "aanbod" and not values.get("themas") and "themas" not in errors:
        errors["themas"] = "Thema's: kies minstens één thema"
    if errors:
        raise EditError(errors)
    return values


def _label(kind: str, name: str) -> str:
    return next((s.label for s in FIELDS[kind] if s.name == name), name)
