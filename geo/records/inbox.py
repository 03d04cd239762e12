"""The editors' queues (/beheer/wachtrijen): what waits for an editor, per queue.

Five queues, each over one table (migration 0014):

- ``meldingen``: "Meld een fout" reports (``melding``);
- ``dubbel``: probable duplicate organisations (``mogelijk_dubbel``; merged or marked
  distinct in geo/records/merge.py);
- ``importwaarschuwingen``: secondary fields an import left out (``importwaarschuwing``);
- ``aanmeldingen``: self-registrations and proposed changes (``aanmelding``, soort
  ``nieuw``/``wijziging``; approved in geo/records/aanmelding.py);
- ``verificatie``: answers to verification links with changes (``aanmelding``, soort
  ``verificatie``; reviewed like ``wijziging``);
- ``themavoorstellen``: themes the importer proposed from keywords (``thema_voorstel``,
  migration 0016; confirmed, changed or rejected in geo/records/theme_review.py).

Every item can be assigned to an editor and is closed with a status and a message
(``bericht``, ``afgehandeld_door``, ``afgehandeld_op``). An item's gemeenten are those of
its organisation's locations (``locatie.gemeentecode``; both organisations for a
duplicate; for a proposed theme the locations of its service), plus
``aanmelding.gemeentecode``. A redacteur scoped to gemeenten sees only
items in those gemeenten; items without a gemeente (a warning of a rejected row, a
registration outside the areas) are for unscoped editors.

Everything here is SQLAlchemy Core over allow-listed tables: no SQL is built from text.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, array

from geo.accounts import User
from geo.records.queues import (
    QUEUES,
    Queue,
    aanbod,
    aanbod_locatie,
    gebruiker,
    locatie,
    organisatie,
)

BERICHT_MAX = 4000
PAGE_SIZE = 100


class InboxError(ValueError):
    """A queue action that cannot be done; the message is Dutch for the editor."""


def queue(name: str) -> Queue:
    """The queue called ``name``; :class:`KeyError` for an unknown one."""
    return QUEUES[name]


def _locations(q: Queue) -> tuple[sa.FromClause, sa.ColumnElement]:
    """(from, condition) of the locations an item lies at: its organisations' or service's."""
    if q.aanbod_column:
        joined = aanbod_locatie.join(locatie, locatie.c.id == aanbod_locatie.c.locatie_id)
        return joined, aanbod_locatie.c.aanbod_id == q.col(q.aanbod_column)
    return locatie, sa.or_(*(locatie.c.organisatie_id == q.col(c) for c in q.org_columns))


def _gemeenten(q: Queue) -> sa.ColumnElement:
    """The gemeentecodes of an item: its organisations' locations (and its own code)."""
    where, located = _locations(q)
    found = (
        sa.select(sa.func.array_agg(sa.distinct(locatie.c.gemeentecode)))
        .select_from(where)
        .where(located, locatie.c.gemeentecode.is_not(None))
        .scalar_subquery()
    )
    codes = sa.func.coalesce(found, sa.cast(array([], type_=sa.Text), ARRAY(sa.Text)))
    if "gemeentecode" in q.table.c:
        own = q.col("gemeentecode")
        return sa.case(
            (own.is_(None), codes),
            else_=sa.func.array_append(sa.func.array_remove(codes, own), own),
        )
    return codes


def _in_gemeenten(q: Queue, codes: list[str]) -> sa.ColumnElement:
    """Whether an item lies in one of ``codes`` (one of its gemeenten is)."""
    where, located = _locations(q)
    inside = sa.exists(
        sa.select(1).select_from(where).where(located, locatie.c.gemeentecode.in_(codes))
    )
    if "gemeentecode" in q.table.c:
        return sa.or_(inside, q.col("gemeentecode").in_(codes))
    return inside


def _scope(q: Queue, user: User) -> list[sa.ColumnElement]:
    """Conditions every query of ``q`` gets for ``user``: the soort and the gemeenten."""
    where: list[sa.ColumnElement] = []
    if q.soorten:
        where.append(q.col("soort").in_(q.soorten))
    if user.rol == "redacteur" and user.gemeenten:
        where.append(_in_gemeenten(q, list(user.gemeenten)))
    elif not user.is_editor:
        where.append(sa.false())
    return where


def inbox_counts(conn: sa.Connection, user: User) -> dict[str, dict]:
    """Open items per queue that ``user`` may handle, in one query.

    Returns
    -------
    dict
        ``{queue name: {"naam", "label", "aantal"}}`` in the order of :data:`QUEUES`;
        the route adds each queue's ``url``.
    """
    counts = [
        sa.select(sa.func.count())
        .select_from(q.table)
        .where(q.col("status").in_(q.open_statuses), *_scope(q, user))
        .scalar_subquery()
        .label(q.name)
        for q in QUEUES.values()
    ]
    row = conn.execute(sa.select(*counts)).mappings().one()
    return {
        name: {"naam": name, "label": q.label, "aantal": int(row[name])}
        for name, q in QUEUES.items()
    }


def list_items(
    conn: sa.Connection,
    user: User,
    name: str,
    *,
    status: str = "open",
    gemeente: str | None = None,
    mine: bool = False,
    limit: int = PAGE_SIZE,
) -> list[dict]:
    """The items of a queue, oldest open first; ``status`` is ``open``, ``alle`` or one status.

    Each item has the table's columns plus ``organisatie`` (name of the first
    organisation), ``organisatie_b`` name for duplicates, ``gemeenten`` and
    ``toegewezen`` (the assignee's e-mail address).
    """
    q = QUEUES[name]
    where = _scope(q, user)
    if status == "open":
        where.append(q.col("status").in_(q.open_statuses))
    elif status != "alle":
        where.append(q.col("status") == status)
    if gemeente:
        where.append(_in_gemeenten(q, [gemeente]))
    if mine:
        where.append(q.col("toegewezen_aan") == user.id)
    query = _item_query(q).where(*where).order_by(q.col(q.date_column), q.col("id")).limit(limit)
    return [dict(r) for r in conn.execute(query).mappings()]


def _item_query(q: Queue) -> sa.Select:
    first = organisatie.alias("org_1")
    assignee = gebruiker.alias("toegewezen")
    closer = gebruiker.alias("afgehandeld")
    columns = [
        *(c for c in q.table.c),
        first.c.naam.label("organisatie"),
        _gemeenten(q).label("gemeenten"),
        assignee.c.email.label("toegewezen"),
        closer.c.email.label("afgehandeld_door_email"),
    ]
    if q.aanbod_column:
        service = aanbod.alias("dienst")
        columns += [service.c.naam.label("aanbod"), service.c.organisatie_id]
        with_org = q.table.outerjoin(service, service.c.id == q.col(q.aanbod_column)).outerjoin(
            first, first.c.id == service.c.organisatie_id
        )
    else:
        with_org = q.table.outerjoin(first, first.c.id == q.col(q.org_columns[0]))
    joined = with_org.outerjoin(assignee, assignee.c.id == q.col("toegewezen_aan")).outerjoin(
        closer, closer.c.id == q.col("afgehandeld_door")
    )
    if len(q.org_columns) > 1:
        second = organisatie.alias("org_2")
        columns.append(second.c.naam.label("organisatie_b_naam"))
        joined = joined.outerjoin(second, second.c.id == q.col(q.org_columns[1]))
    return sa.select(*columns).select_from(joined)


def get_item(conn: sa.Connection, user: User, name: str, item_id: int) -> dict | None:
    """One item of a queue that ``user`` may handle, or None."""
    q = QUEUES[name]
    if not 0 < item_id < 2**63:
        return None
    row = (
        conn.execute(_item_query(q).where(q.col("id") == item_id, *_scope(q, user)))
        .mappings()
        .one_or_none()
    )
    return None if row is None else dict(row)


def editors(conn: sa.Connection) -> list[dict]:
    """Active editors (id, email) to assign items to."""
    rows = conn.execute(
        sa.text(
            "SELECT id, email, naam FROM gebruiker WHERE actief "
            "AND rol IN ('beheerder', 'redacteur') ORDER BY email"
        )
    )
    return [dict(r) for r in rows.mappings()]


def assign(
    conn: sa.Connection, user: User, name: str, item_id: int, assignee_id: int | None
) -> bool:
    """Assign an open item to an editor (None: unassign); an open item becomes in behandeling.

    Returns False when the item is not open or not within ``user``'s scope.

    Raises
    ------
    InboxError
        When ``assignee_id`` is not an active editor.
    """
    q = QUEUES[name]
    if assignee_id is not None:
        ok = conn.execute(
            sa.text(
                "SELECT 1 FROM gebruiker WHERE id = :id AND actief "
                "AND rol IN ('beheerder', 'redacteur')"
            ),
            {"id": assignee_id},
        ).scalar()
        if not ok:
            raise InboxError("Kies een redacteur of beheerder om dit aan toe te wijzen.")
    values: dict = {"toegewezen_aan": assignee_id}
    if "in_behandeling" in q.open_statuses and assignee_id is not None:
        values["status"] = "in_behandeling"
    done = conn.execute(
        sa.update(q.table)
        .where(
            q.col("id") == item_id,
            q.col("status").in_(q.open_statuses),
            *_scope(q, user),
        )
        .values(**values)
    )
    return done.rowcount == 1


def clean_bericht(bericht: str | None) -> str | None:
    """The closing message, trimmed; :class:`InboxError` when it is too long."""
    text = (bericht or "").replace("\r\n", "\n").strip()
    if len(text) > BERICHT_MAX:
        raise InboxError(f"Het bericht is te lang: gebruik niet meer dan {BERICHT_MAX} tekens.")
    return text or None


def close(
    conn: sa.Connection,
    user: User,
    name: str,
    item_id: int,
    status: str,
    bericht: str | None,
    *,
    allowed: tuple[str, ...] | None = None,
) -> dict | None:
    """Close an open item with ``status`` and a message; returns the item, or None.

    ``status`` must be one of the queue's hand-chosen closing statuses (or of
    ``allowed``, for approval and merging). None when the item is not open or not within
    ``user``'s scope.

    Raises
    ------
    InboxError
        For a status this queue does not close with, or a message that is too long.
    """
    q = QUEUES[name]
    if status not in (allowed or q.close_statuses):
        raise InboxError("Kies hoe deze melding is afgehandeld.")
    text = clean_bericht(bericht)
    done = conn.execute(
        sa.update(q.table)
        .where(
            q.col("id") == item_id,
            q.col("status").in_(q.open_statuses),
            *_scope(q, user),
        )
        .values(
            status=status,
            bericht=text,
            afgehandeld_door=user.id,
            afgehandeld_op=sa.func.now(),
        )
        .returning(q.col("id"))
    ).scalar_one_or_none()
    return None if done is None else get_item(conn, user, name, item_id)
