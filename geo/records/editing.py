"""The editors' write path: create, change, archive and restore records through the ORM.

Records are organisations, services (``aanbod``, with their themes, target groups and the
locations they are offered at), locations (a point in RD New, placed by address or by hand)
and contact persons. Every form field is described once in ``FIELDS``: its Dutch label, the
widget, how the form's strings become column values (the importer's parsers from
``geo.records.fields``, so an editor gets the same Dutch messages) and how a stored record
is shown in the form again.

Optimistic locking: a save names the ``versie`` its form was rendered from. When the
stored record has moved on (or SQLAlchemy's ``version_id_col`` raises ``StaleDataError``
at flush), nothing is written and :class:`EditConflict` carries both versions field by
field. Editors never delete: archiving sets ``status = 'gearchiveerd'``. The caller names
the writer (``geo.records.audit.set_writer``) so the audit trail says who changed what.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import WKTElement
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from geo.errors import GeoError
from geo.geocode import create_stage, geocode_address, geocode_stage
from geo.records import fields as f
from geo.records.editing_fields import (  # noqa: F401 - re-exported for the routes
    FIELDS,
    LINKS,
    STATUS_LABELS,
    VISIBILITY,
    EditError,
    Form,
    first_value,
    parse_form,
    show_value,
)
from geo.records.models import Aanbod, Contactpersoon, Locatie, Organisatie

MODELS: dict[str, type] = {
    "organisatie": Organisatie,
    "aanbod": Aanbod,
    "locatie": Locatie,
    "contactpersoon": Contactpersoon,
}
BRON = "redactie"
# The versie of an EditConflict raised at flush (StaleDataError): the transaction is lost,
# so the caller builds the field-by-field view (``conflict``) in a new one.
STALE = -1


class NotFound(GeoError, LookupError):
    """The record does not exist."""


@dataclass
class ConflictRow:
    """One field of the conflict view: the editor's value and the stored one."""

    name: str
    label: str
    mine: str
    theirs: str
    differs: bool


@dataclass
class EditConflict(GeoError):
    """Someone saved the record after this form was opened: nothing was written."""

    kind: str
    record_id: int
    versie: int
    rows: list[ConflictRow] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id} is intussen gewijzigd (versie {self.versie})"


def links(session: Session, aanbod_id: int) -> dict[str, list]:
    """Themes, target groups and location ids of a service, sorted."""
    row = session.execute(LINKS_SQL, {"id": aanbod_id}).one()
    return {"themas": list(row[0]), "doelgroepen": list(row[1]), "locaties": list(row[2])}


LINKS_SQL = sa.text("""
SELECT ARRAY(SELECT thema_slug FROM aanbod_thema WHERE aanbod_id = :id ORDER BY 1),
       ARRAY(SELECT doelgroep_slug FROM aanbod_doelgroep WHERE aanbod_id = :id ORDER BY 1),
       ARRAY(SELECT locatie_id FROM aanbod_locatie WHERE aanbod_id = :id ORDER BY 1)
""")
SET_LINKS = sa.text(
    "SELECT aanbod_koppelingen_zetten(:id, CAST(:themas AS text[]), "
    "CAST(:doelgroepen AS text[]), CAST(:locaties AS bigint[]))"
)
POINT_SQL = sa.text("""
SELECT round(ST_X(ST_Transform(geom, 4326))::numeric, 6) AS lon,
       round(ST_Y(ST_Transform(geom, 4326))::numeric, 6) AS lat
FROM locatie WHERE id = :id AND geom IS NOT NULL
""")


def point(session: Session, locatie_id: int) -> tuple[float, float] | None:
    """(lon, lat) in WGS84 of a location, rounded to 6 decimals; None without a point."""
    row = session.execute(POINT_SQL, {"id": locatie_id}).first()
    return None if row is None else (float(row.lon), float(row.lat))


def form_values(session: Session, kind: str, record: Any) -> dict[str, list[str]]:
    """The form's strings for a stored record (what the edit form is filled with)."""
    out: dict[str, list[str]] = {}
    extra = links(session, record.id) if kind == "aanbod" else {}
    for spec in FIELDS[kind]:
        if spec.name in extra:
            out[spec.name] = [str(v) for v in extra[spec.name]]
        elif spec.name == "huisnummer":
            number = "".join(str(p or "") for p in (record.huisnummer, record.huisletter)) + (
                f"-{record.toevoeging}" if record.toevoeging else ""
            )
            out[spec.name] = [number]
        elif spec.name == "punt":
            here = point(session, record.id)
            out["lon"], out["lat"] = ([str(here[0])], [str(here[1])]) if here else ([""], [""])
            out[spec.name] = [f"{here[1]}, {here[0]} ({record.geocode_precisie})" if here else ""]
        else:
            out[spec.name] = show_value(getattr(record, spec.name))
    return out


def _current(session: Session, kind: str, record: Any, names: Sequence[str]) -> dict:
    extra = links(session, record.id) if kind == "aanbod" else {}
    return {n: extra[n] if n in extra else getattr(record, n) for n in names}


def _same(a: Any, b: Any) -> bool:
    numbers = (Decimal, float, int)
    if type(a) in numbers and type(b) in numbers:  # not bool
        return Decimal(str(a)) == Decimal(str(b))
    if isinstance(a, dict) or isinstance(b, dict):
        return show_value(a) == show_value(b)
    return a == b


def _point_text(values: Form) -> str:
    return f"{first_value(values.get('lat', ()))}, {first_value(values.get('lon', ()))}".strip(", ")


def _differs(session: Session, kind: str, record: Any, spec: Any, form: Form) -> bool:
    try:
        parsed = spec.read(form.get(spec.name, ()))
    except f.FieldError:
        return True
    now = _current(session, kind, record, list(parsed))
    return not all(_same(parsed[n], now[n]) for n in parsed)


def conflict(session: Session, kind: str, record: Any, form: Form) -> EditConflict:
    """Both versions field by field: the editor's form and the stored record."""
    stored = form_values(session, kind, record)
    rows = []
    for spec in FIELDS[kind]:
        if spec.name == "punt":
            mine, theirs = _point_text(form), _point_text(stored)
            differs = mine != theirs
        else:
            mine = "; ".join(v for v in form.get(spec.name, ()) if v.strip())
            theirs = "; ".join(v for v in stored.get(spec.name, ()) if v.strip())
            differs = _differs(session, kind, record, spec, form)
        rows.append(ConflictRow(spec.name, spec.label, mine, theirs, differs))
    return EditConflict(kind, record.id, record.versie, rows)


# ---------------------------------------------------------------------- the writes


def load(session: Session, kind: str, record_id: int) -> Any:
    """The stored record, fresh from the database; NotFound when it does not exist."""
    if not 0 < record_id < 2**63:
        raise NotFound(f"{kind} {record_id}")
    record = session.get(MODELS[kind], record_id, populate_existing=True)
    if record is None:
        raise NotFound(f"{kind} {record_id}")
    return record


def _new(session: Session, kind: str, organisatie_id: int | None) -> Any:
    model = MODELS[kind]
    record = model() if kind == "contactpersoon" else model(bron=BRON, bron_id=str(uuid.uuid4()))
    if kind != "organisatie":
        record.organisatie_id = organisatie_id
    session.add(record)
    return record


def save(
    session: Session,
    kind: str,
    form: Form,
    record_id: int | None = None,
    versie: int | None = None,
    organisatie_id: int | None = None,
    checked: bool = True,
    known: Mapping[str, set] | None = None,
    online: Callable | None = None,
) -> Any:
    """Create (``record_id`` None) or change a record from a form; returns the record.

    Parameters
    ----------
    session : Session
        Bound to a connection in a transaction; the writer is already named.
    kind : str
        ``organisatie``, ``aanbod``, ``locatie`` or ``contactpersoon``.
    form : mapping of str to list of str
        The submitted form (``request.form.to_dict(flat=False)``).
    record_id, versie : int, optional
        The record and the version the form was rendered from (changes only).
    organisatie_id : int, optional
        The organisation of a new service, location or contact person.
    checked : bool
        "Gegevens gecontroleerd": sets ``laatst_geverifieerd_op`` to today.
    known : mapping, optional
        Allowed ``themas``, ``doelgroepen`` and ``locaties`` (sets of slugs/ids).
    online : callable, optional
        The optional online geocoder (``server/geocoder.py``).

    Raises
    ------
    EditError
        Field errors (Dutch), nothing written.
    EditConflict
        The record changed since ``versie``, nothing written.
    NotFound
        No such record.
    """
    values = parse_form(kind, form, known)
    if record_id is None:
        record = _new(session, kind, organisatie_id)
    else:
        record = load(session, kind, record_id)
        if versie is None or record.versie != versie:
            raise conflict(session, kind, record, form)
    link_values = {n: values.pop(n) for n in LINKS if n in values}
    with session.no_autoflush:  # one UPDATE (one audit row) per save
        for name, value in values.items():
            if not _same(getattr(record, name), value):
                setattr(record, name, value)
        if checked and kind != "contactpersoon":
            record.laatst_geverifieerd_op = dt.date.today()
        if kind == "locatie":
            place_location(session, record, form, online)
        if record_id is not None:
            record.gewijzigd_op = sa.func.now()  # always an UPDATE: the version check runs
    try:
        session.flush()
    except StaleDataError:  # saved by someone else between load and flush
        raise EditConflict(kind, record_id or 0, STALE) from None
    if link_values:
        session.execute(
            SET_LINKS,
            {"id": record.id, **{n: link_values.get(n) for n in LINKS}},
        )
    session.refresh(record)
    return record


NO_POINT = "De locatie staat nog niet op de kaart: vul een adres in of klik op de kaart."
MANUAL_SQL = sa.text("""
INSERT INTO geocode_stage (sleutel, x, y)
SELECT '1', ST_X(p), ST_Y(p)
FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 28992) AS p) s
""")
STAGE_SQL = sa.text("SELECT x, y, geocode_precisie, geocode_fout FROM geocode_stage")


def _coordinate(form: Form, name: str) -> float | None:
    value = first_value(form.get(name, ())).replace(",", ".")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError as exc:
        raise EditError({"punt": "Plaats op de kaart: de coördinaten zijn geen getallen"}) from exc
    if number != number:
        raise EditError({"punt": "Plaats op de kaart: de coördinaten zijn geen getallen"})
    return number


def place_location(session: Session, loc: Locatie, form: Form, online: Callable | None) -> None:
    """Set the point of a location: by hand (lon/lat from the map) or by its address.

    ``plaatsen=adres`` in the form (the button "Zoek het adres op") geocodes the address
    with the project's cascade; lon/lat that differ from the stored point are a manual
    placement (``handmatig``). Points outside the region are refused (EditError).
    """
    lon, lat = _coordinate(form, "lon"), _coordinate(form, "lat")
    by_address = first_value(form.get("plaatsen", ())) == "adres" or (lon is None and lat is None)
    conn = session.connection()
    if by_address:
        if not (loc.postcode or (loc.straat and loc.woonplaats)):
            if loc.geom is None:
                raise EditError({"punt": NO_POINT})
            return
        found = geocode_address(
            conn,
            loc.postcode,
            loc.huisnummer,
            loc.huisletter or "",
            loc.toevoeging or "",
            loc.straat,
            loc.woonplaats,
            online=online,
        )
        if found is None:
            raise EditError(
                {
                    "punt": "Plaats op de kaart: het adres is niet gevonden of ligt buiten het "
                    "gebied van deze sociale kaart. Controleer het adres of klik op de kaart."
                }
            )
        _set_point(loc, found["x"], found["y"], found["precisie"], found["bron"])
        return
    if lon is None or lat is None:
        raise EditError({"punt": "Plaats op de kaart: vul beide coördinaten in"})
    here = point(session, loc.id) if loc.id else None
    if here is not None and abs(here[0] - lon) < 1e-6 and abs(here[1] - lat) < 1e-6:
        return  # unchanged
    if not (3.2 <= lon <= 7.3 and 50.7 <= lat <= 53.6):
        raise EditError({"punt": "Plaats op de kaart: dit punt ligt buiten Nederland"})
    create_stage(conn)
    conn.execute(MANUAL_SQL, {"lon": lon, "lat": lat})
    geocode_stage(conn)
    row = conn.execute(STAGE_SQL).one()
    if row.geocode_precisie != "handmatig":
        raise EditError(
            {"punt": f"Plaats op de kaart: dit punt {row.geocode_fout or 'klopt niet'}"}
        )
    _set_point(loc, row.x, row.y, "handmatig", BRON)


def _set_point(loc: Locatie, x: float, y: float, precision: str, source: str) -> None:
    loc.geom = WKTElement(f"POINT({float(x)!r} {float(y)!r})", srid=28992)
    loc.geocode_precisie = precision
    loc.geocode_bron = source


def set_status(session: Session, kind: str, record_id: int, versie: int, status: str) -> Any:
    """Archive (``gearchiveerd``) or publish again (``gepubliceerd``) a record.

    Raises EditConflict when the record changed since ``versie`` (nothing written).
    """
    if status not in ("gepubliceerd", "gearchiveerd"):
        raise EditError({"status": "onbekende status"})
    record = load(session, kind, record_id)
    if record.versie != versie:
        raise EditConflict(kind, record.id, record.versie)
    record.status = status
    record.gewijzigd_op = sa.func.now()
    try:
        session.flush()
    except StaleDataError:
        raise EditConflict(kind, record_id, STALE) from None
    session.refresh(record)
    return record
