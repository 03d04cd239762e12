"""A record's audit trail, its earlier versions, and restoring one of them in one step.

The triggers of migrations 0004/0014 write one ``wijziging`` row per changed record with
the changed fields as ``{"field": [old, new]}`` (values as ``to_jsonb`` writes them; a
point as GeoJSON); a service's themes, target groups and locations are pseudo-fields
``themas``, ``doelgroepen`` and ``locaties`` (function ``aanbod_koppelingen_zetten``).

The version "as it was after change N" is the current record with the diffs of every later
change undone, newest first. Restoring writes that version through the ORM (with the
optimistic-lock check): the restore is itself a new, audited change.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from geo.records.editing import (
    FIELDS,
    LINKS,
    MODELS,
    SET_LINKS,
    STALE,
    EditConflict,
    links,
    load,
)

# Columns never restored: keys, the version counter, timestamps, and what triggers derive.
SKIP = {
    "id",
    "versie",
    "aangemaakt_op",
    "gewijzigd_op",
    "buurtcode",
    "wijkcode",
    "gemeentecode",
    "organisatie_id",
    "bron",
    "bron_id",
}
ACTIONS = {"insert": "aangemaakt", "update": "gewijzigd", "delete": "verwijderd"}
EXTRA_LABELS = {
    "status": "Status",
    "laatst_geverifieerd_op": "Laatst gecontroleerd",
    "geom": "Plaats op de kaart",
    "geocode_precisie": "Precisie van de plaats",
    "geocode_bron": "Bron van de plaats",
    "huisletter": "Huisletter",
    "toevoeging": "Toevoeging",
    "synthetisch": "Verzonnen (demo)",
    "werkgebied": "Werkgebied",
}


def _table(kind: str) -> sa.Table:
    return MODELS[kind].__table__  # type: ignore[attr-defined]


HISTORY_SQL = sa.text("""
SELECT id, actie, gebruiker, tijdstip, diff FROM wijziging
WHERE tabel = :tabel AND record_id = :id ORDER BY id
""")


@dataclass
class Change:
    """One audit row: who, when, what (``fields``: (label, old, new) as text)."""

    id: int
    actie: str
    gebruiker: str
    tijdstip: dt.datetime
    diff: dict
    fields: list[tuple[str, str, str]]

    @property
    def actie_nl(self) -> str:
        """The action in Dutch."""
        return ACTIONS.get(self.actie, self.actie)


def label(kind: str, name: str) -> str:
    """The Dutch label of a column or pseudo-field."""
    for spec in FIELDS[kind]:
        if spec.name == name:
            return spec.label
    return EXTRA_LABELS.get(name, name.replace("_", " ").capitalize())


def shown(value: Any) -> str:
    """A stored JSON value as text for the history table."""
    if value is None:
        return "(leeg)"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) or "(leeg)"
    if isinstance(value, dict):
        if "coordinates" in value:
            x, y = value["coordinates"][:2]
            return f"x {x:.0f}, y {y:.0f} (RD)"
        return str(value.get("tekst") or json.dumps(value, ensure_ascii=False))
    return str(value)


def history(conn: sa.Connection | Session, kind: str, record_id: int) -> list[Change]:
    """Every audit row of a record, oldest first."""
    rows = conn.execute(HISTORY_SQL, {"tabel": kind, "id": record_id}).all()
    return [
        Change(
            r.id,
            r.actie,
            r.gebruiker,
            r.tijdstip,
            r.diff or {},
            [(label(kind, k), shown(v[0]), shown(v[1])) for k, v in sorted((r.diff or {}).items())]
            if r.actie == "update"
            else [],
        )
        for r in rows
    ]


def current_state(session: Session, kind: str, record_id: int) -> dict:
    """The stored record as ``to_jsonb`` writes it (the audit trail's value format)."""
    table = _table(kind)
    state = session.execute(
        sa.select(sa.func.to_jsonb(table.table_valued())).where(table.c.id == record_id)
    ).scalar_one()
    if kind == "aanbod":
        state.update(links(session, record_id))
    return state


def version_at(session: Session, kind: str, record_id: int, wijziging_id: int) -> dict:
    """The record as it was right after audit row ``wijziging_id`` (KeyError: not its row)."""
    changes = history(session, kind, record_id)
    if not any(c.id == wijziging_id for c in changes):
        raise KeyError(wijziging_id)
    state = current_state(session, kind, record_id)
    for change in reversed(changes):
        if change.id <= wijziging_id:
            break
        if change.actie == "update":
            for name, (old, _new) in change.diff.items():
                state[name] = old
    return state


def differences(session: Session, kind: str, record_id: int, wijziging_id: int) -> dict:
    """``{field: (now, then)}`` of what restoring to ``wijziging_id`` would change."""
    then = version_at(session, kind, record_id, wijziging_id)
    now = current_state(session, kind, record_id)
    return {k: (now.get(k), v) for k, v in then.items() if k not in SKIP and now.get(k) != v}


def _column_value(kind: str, name: str, value: Any) -> Any:
    column = _table(kind).c[name]
    if value is None:
        return None
    if isinstance(column.type, Geometry):
        return sa.func.ST_SetSRID(sa.func.ST_GeomFromGeoJSON(json.dumps(value)), 28992)
    if isinstance(column.type, sa.Date):
        return dt.date.fromisoformat(value)
    if isinstance(column.type, sa.Numeric) and not isinstance(column.type, sa.Float):
        return Decimal(str(value))
    return value


def restore(
    session: Session, kind: str, record_id: int, wijziging_id: int, versie: int
) -> list[str]:
    """Write the version of ``wijziging_id`` back as a new change; the changed field names.

    Raises
    ------
    EditConflict
        The record changed since ``versie`` (nothing written).
    KeyError
        ``wijziging_id`` is not an audit row of this record.
    """
    record = load(session, kind, record_id)
    if record.versie != versie:
        raise EditConflict(kind, record_id, record.versie)
    diff = differences(session, kind, record_id, wijziging_id)
    for name, (_now, then) in diff.items():
        if name not in LINKS and name in _table(kind).c:
            setattr(record, name, _column_value(kind, name, then))
    record.gewijzigd_op = sa.func.now()
    try:
        session.flush()
    except StaleDataError:
        raise EditConflict(kind, record_id, STALE) from None
    link_diff = {n: diff[n][1] for n in LINKS if n in diff}
    if link_diff:
        session.execute(SET_LINKS, {"id": record_id, **{n: link_diff.get(n) for n in LINKS}})
    return sorted(diff)
