"""Self-registrations and proposed changes (/aanmelden, verification answers): check, store.

The review (side by side, approve through the ORM, reject) is in aanmelding_review.py.

Nothing is published before an editor approves: a proposal waits in table ``aanmelding``
with its values in ``gegevens`` (jsonb), in this shape (organisation column names)::

    {"naam": str, "omschrijving": str|None, "telefoon": str|None, "email": str|None,
     "website": str|None, "kvk_nummer": str|None, "toelichting": str|None,
     "locaties": [{"id": int|None, "straat", "huisnummer" ("12A", "12-3"), "postcode",
                   "woonplaats"}],
     "aanbod": [{"id": int|None, "naam", "omschrijving", "openingstijden" (text),
                 "kosten", "aanmelden", "themas": [slug], "doelgroepen": [slug]}]}

``id`` names an existing location or service of the organisation (a change); without
it the location or service is new. Values are checked with the importer's field parsers
(geo/records/fields.py) and stored normalised (phone numbers in national notation, web
addresses with https://, postcodes as 6211AB). Forms use the same keys, flattened:
``naam``, ``locaties-0-postcode``, ``aanbod-0-themas`` (several values).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from geo import geocode
from geo.errors import GeoError
from geo.records import fields as f

BRON = "aanmelding"
MAX_ITEMS = 5  # locations and services per proposal
TEXT_MAX = 4000
# (key, Dutch label) per part of a record, in the order forms and comparisons show them.
ORG_FIELDS = (
    ("naam", "Naam van de organisatie"),
    ("omschrijving", "Wat doet de organisatie?"),
    ("telefoon", "Telefoonnummer"),
    ("email", "E-mailadres van de organisatie"),
    ("website", "Website"),
    ("kvk_nummer", "KvK-nummer"),
)
LOCATION_FIELDS = (
    ("straat", "Straat"),
    ("huisnummer", "Huisnummer"),
    ("postcode", "Postcode"),
    ("woonplaats", "Plaats"),
)
SERVICE_FIELDS = (
    ("naam", "Naam van het aanbod"),
    ("omschrijving", "Wat biedt u aan?"),
    ("openingstijden", "Openingstijden"),
    ("kosten", "Kosten"),
    ("aanmelden", "Hoe meldt iemand zich aan?"),
    ("themas", "Onderwerpen"),
    ("doelgroepen", "Voor wie"),
)
LIMITS = {"naam": 200, "straat": 200, "woonplaats": 100, "toelichting": 2000}


# What a form offers: ``get(key)`` and ``getlist(key)`` (werkzeug's MultiDict).
Form = Any


class AanmeldingError(GeoError, ValueError):
    """A proposal that cannot be stored or approved; ``fouten`` maps form keys to Dutch."""

    def __init__(self, fouten: dict[str, str]):
        super().__init__(" ".join(fouten.values()))
        self.fouten = fouten


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _house_text(value: str) -> str:
    number, letter, addition = f.house(value)
    return f"{number}{letter}" + (f"-{addition}" if addition else "")


def _hours(value: str) -> str:
    f.opening_hours(value)
    return value


PARSERS: dict[str, Callable[[str], Any]] = {
    "telefoon": f.phone,
    "email": f.email,
    "website": f.website,
    "kvk_nummer": f.kvk,
    "postcode": f.postcode,
    "huisnummer": _house_text,
    "openingstijden": _hours,
}


def _clean(form: Form, key: str, field: str, fouten: dict[str, str]) -> str | None:
    value = " ".join(str(form.get(key) or "").split()) if field != "omschrijving" else None
    if value is None:  # long texts keep their line breaks
        value = str(form.get(key) or "").replace("\r\n", "\n").strip()
    if not value:
        return None
    limit = LIMITS.get(field, TEXT_MAX)
    if len(value) > limit:
        fouten[key] = f"Deze tekst is te lang: gebruik niet meer dan {limit} tekens."
        return None
    try:
        return PARSERS[field](value) if field in PARSERS else value
    except f.FieldError as exc:
        fouten[key] = _sentence(str(exc))
        return None


def _identifier(form: Form, key: str, fouten: dict[str, str]) -> int | None:
    raw = str(form.get(key) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 2**63:
        fouten[key] = "Dit onderdeel bestaat niet."
        return None
    return int(raw)


def _slugs(form: Form, key: str, known: dict[str, str], fouten: dict[str, str]) -> list[str]:
    chosen = list(dict.fromkeys(form.getlist(key)))
    if any(s not in known for s in chosen):
        fouten[key] = "Kies alleen uit de lijst."
    return [s for s in chosen if s in known]


def _indices(form: Form, prefix: str) -> list[int]:
    keys: list[str] = list(getattr(form, "keys", list)())
    return [i for i in range(MAX_ITEMS) if any(k.startswith(f"{prefix}-{i}-") for k in keys)]


def _parse_locations(form: Form, fouten: dict[str, str]) -> list[dict[str, Any]]:
    locations: list[dict[str, Any]] = []
    for i in _indices(form, "locaties"):
        key = f"locaties-{i}-"
        loc: dict[str, Any] = {"id": _identifier(form, key + "id", fouten)}
        loc |= {k: _clean(form, key + k, k, fouten) for k, _ in LOCATION_FIELDS}
        if loc["id"] is None and not any(loc[k] for k, _ in LOCATION_FIELDS):
            continue  # an empty extra address
        for k in ("postcode", "huisnummer"):
            if not loc[k] and key + k not in fouten:
                fouten[key + k] = "Vul de postcode en het huisnummer in."
        locations.append(loc)
    return locations


def _parse_services(
    form: Form, themes: dict[str, str], groups: dict[str, str], fouten: dict[str, str]
) -> list[dict[str, Any]]:
    services: list[dict[str, Any]] = []
    for i in _indices(form, "aanbod"):
        key = f"aanbod-{i}-"
        service: dict[str, Any] = {"id": _identifier(form, key + "id", fouten)}
        service |= {k: _clean(form, key + k, k, fouten) for k, _ in SERVICE_FIELDS[:5]}
        service["themas"] = _slugs(form, key + "themas", themes, fouten)
        service["doelgroepen"] = _slugs(form, key + "doelgroepen", groups, fouten)
        if service["id"] is None and not service["naam"] and not service["themas"]:
            continue
        if not service["themas"] and key + "themas" not in fouten:
            fouten[key + "themas"] = "Kies minstens één onderwerp."
        service["doelgroepen"] = service["doelgroepen"] or ["iedereen"]
        services.append(service)
    return services


def parse_form(
    form: Form, themes: dict[str, str], groups: dict[str, str], *, new: bool
) -> dict[str, Any]:
    """The proposal of a form in the shape of ``gegevens``.

    ``new``: a new organisation needs an address and a service with a theme.

    Raises
    ------
    AanmeldingError
        With a Dutch message per form key that is wrong or missing.
    """
    fouten: dict[str, str] = {}
    data: dict[str, Any] = {k: _clean(form, k, k, fouten) for k, _ in ORG_FIELDS}
    data["toelichting"] = _clean(form, "toelichting", "toelichting", fouten)
    if not data["naam"] and "naam" not in fouten:
        fouten["naam"] = "Vul de naam van de organisatie in."
    data["locaties"] = _parse_locations(form, fouten)
    data["aanbod"] = _parse_services(form, themes, groups, fouten)
    if new and not data["locaties"]:
        fouten["locaties-0-postcode"] = "Vul de postcode en het huisnummer in."
    if new and not data["aanbod"]:
        fouten["aanbod-0-themas"] = "Kies minstens één onderwerp."
    if fouten:
        raise AanmeldingError(fouten)
    return data


def clean_contact(naam: str | None, email: str | None) -> tuple[str | None, str]:
    """The submitter's name and e-mail address (needed for the answer)."""
    naam = " ".join((naam or "").split()) or None
    fouten: dict[str, str] = {}
    if naam and len(naam) > 200:
        fouten["contact_naam"] = "Uw naam is te lang: gebruik niet meer dan 200 tekens."
    try:
        address = f.email(email or "")
        if len(address) > 254:
            raise f.FieldError("e-mailadres is te lang")
    except f.FieldError:
        fouten["contact_email"] = (
            "Vul uw e-mailadres in, zoals naam@voorbeeld.nl. Wij sturen u daar ons antwoord."
        )
        address = ""
    if fouten:
        raise AanmeldingError(fouten)
    return naam, address


# -------------------------------------------------------------------- public reads


def find_public(conn: sa.Connection, q: str, limit: int = 20) -> list[dict]:
    """Published public organisations whose name looks like ``q`` (for a change)."""
    q = " ".join(q.split())[:100]
    if len(q) < 2:
        return []
    rows = conn.execute(
        sa.text(
            "SELECT o.id, o.naam FROM organisatie o WHERE o.status = 'gepubliceerd' "
            "AND o.zichtbaarheid = 'openbaar' "
            "AND (o.naam ILIKE '%' || :like || '%' OR similarity(o.naam, :q) > 0.3) "
            "ORDER BY similarity(o.naam, :q) DESC, o.naam LIMIT :limit"
        ),
        {
            "q": q,
            "like": q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"),
            "limit": limit,
        },
    )
    return [dict(r) for r in rows.mappings()]


def public_record(conn: sa.Connection, organisatie_id: int) -> dict | None:
    """The public part of an organisation as ``gegevens`` (to prefill a change), or None.

    Only what anyone may see: no confidential or non-public locations or services.
    """
    if not 0 < organisatie_id < 2**63:
        return None
    org = (
        conn.execute(
            sa.text(
                "SELECT id, naam, omschrijving, telefoon, email, website, kvk_nummer "
                "FROM organisatie WHERE id = :id AND status = 'gepubliceerd' "
                "AND zichtbaarheid = 'openbaar'"
            ),
            {"id": organisatie_id},
        )
        .mappings()
        .one_or_none()
    )
    if org is None:
        return None
    data: dict[str, Any] = dict(org)
    data["locaties"] = [
        dict(r)
        for r in conn.execute(
            sa.text(
                "SELECT id, straat, concat_ws('-', huisnummer::text || coalesce(huisletter, ''), "
                "nullif(toevoeging, '')) AS huisnummer, postcode, woonplaats FROM locatie "
                "WHERE organisatie_id = :id AND status = 'gepubliceerd' AND NOT vertrouwelijk "
                "AND zichtbaarheid = 'openbaar' ORDER BY id LIMIT :n"
            ),
            {"id": organisatie_id, "n": MAX_ITEMS},
        ).mappings()
    ]
    data["aanbod"] = [
        dict(r)
        for r in conn.execute(
            sa.text(
                "SELECT a.id, a.naam, a.omschrijving, a.openingstijden ->> 'tekst' AS "
                "openingstijden, a.kosten, a.aanmelden, ARRAY(SELECT thema_slug FROM "
                "aanbod_thema WHERE aanbod_id = a.id) AS themas, ARRAY(SELECT doelgroep_slug "
                "FROM aanbod_doelgroep WHERE aanbod_id = a.id) AS doelgroepen FROM aanbod a "
                "WHERE a.organisatie_id = :id AND a.status = 'gepubliceerd' "
                "AND a.zichtbaarheid = 'openbaar' ORDER BY a.id LIMIT :n"
            ),
            {"id": organisatie_id, "n": MAX_ITEMS},
        ).mappings()
    ]
    return data


def geocode_location(conn: sa.Connection, loc: dict) -> dict | None:
    """A proposed location geocoded with the project's cascade (None: not found)."""
    number, letter, addition = f.house(str(loc["huisnummer"]))
    return geocode.geocode_address(
        conn, loc["postcode"], number, letter, addition, loc["straat"], loc["woonplaats"]
    )


def _place(conn: sa.Connection, data: dict) -> str | None:
    """The gemeentecode of the first address; AanmeldingError when it cannot be found."""
    for i, loc in enumerate(data["locaties"]):
        found = geocode_location(conn, loc)
        if found is None:
            raise AanmeldingError(
                {
                    f"locaties-{i}-postcode": "Wij vinden dit adres niet in ons gebied. "
                    "Kijk de postcode en het huisnummer na."
                }
            )
        if i == 0:
            return conn.execute(
                sa.text(
                    "SELECT gemeentecode FROM gebied WHERE niveau = 'buurt' AND "
                    "ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:x, :y), 28992)) "
                    "ORDER BY code LIMIT 1"
                ),
                found,
            ).scalar()
    return None


def submit(
    conn: sa.Connection,
    soort: str,
    organisatie_id: int | None,
    data: dict,
    naam: str | None,
    email: str,
    taal: str = "nl",
) -> int:
    """Store a proposal (status ``nieuw``); returns its id. Nothing is published.

    ``taal`` is the language of the form (the answer by e-mail goes out in it).

    Raises
    ------
    AanmeldingError
        When an address lies outside the region or cannot be found, or a change names a
        location or service that is not the organisation's.
    """
    gemeente = _place(conn, {"locaties": [loc for loc in data["locaties"] if not loc["id"]]})
    if organisatie_id is not None:
        current = public_record(conn, organisatie_id)
        if current is None:
            raise AanmeldingError({"naam": "Deze organisatie staat niet op de sociale kaart."})
        _check_ids(data, current)
        gemeente = (
            conn.execute(
                sa.text(
                    "SELECT min(gemeentecode) FROM locatie WHERE organisatie_id = :id "
                    "AND status = 'gepubliceerd'"
                ),
                {"id": organisatie_id},
            ).scalar()
            or gemeente
        )
    return conn.execute(
        sa.text(
            "INSERT INTO aanmelding "
            "(soort, organisatie_id, gegevens, naam, email, gemeentecode, taal) "
            "VALUES (:soort, :org, CAST(:gegevens AS jsonb), :naam, :email, :gemeente, :taal) "
            "RETURNING id"
        ),
        {
            "taal": taal,
            "soort": soort,
            "org": organisatie_id,
            "gegevens": json.dumps(data, ensure_ascii=False),
            "naam": naam,
            "email": email,
            "gemeente": gemeente,
        },
    ).scalar_one()


def _check_ids(data: dict, current: dict) -> None:
    for part in ("locaties", "aanbod"):
        known = {item["id"] for item in current[part]}
        for i, item in enumerate(data[part]):
            if item["id"] is not None and item["id"] not in known:
                raise AanmeldingError({f"{part}-{i}-id": "Dit onderdeel bestaat niet."})
