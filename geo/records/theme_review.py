"""Deciding on a proposed theme (queue ``themavoorstellen``): confirm, change or reject.

The importer links a proposed theme at once (the service stays findable) and marks it in
``thema_voorstel``. An editor then

- confirms it (status ``bevestigd``; nothing changes on the map),
- changes it to another theme (status ``bevestigd``, ``gekozen_slug`` the new theme; the
  proposed theme is replaced by the chosen one), or
- rejects it (status ``afgewezen``; the proposed theme is taken off the service).

Theme links change through ``aanbod_koppelingen_zetten`` (migration 0014), so the audit
trail (``wijziging``) names the editor and holds the old and new themes. A re-import of
the same rows keeps the editor's decision (geo/sql/import_upsert.sql, theme_decided).
"""

from __future__ import annotations

import sqlalchemy as sa

from geo.accounts import User
from geo.records import inbox
from geo.records.audit import set_writer
from geo.records.editing import SET_LINKS
from geo.taxonomy import names as taxonomy_names

QUEUE = "themavoorstellen"
CURRENT = sa.text("SELECT thema_slug FROM aanbod_thema WHERE aanbod_id = :id ORDER BY 1")


def current_themes(conn: sa.Connection, aanbod_id: int) -> list[str]:
    """The themes a service has now, sorted."""
    return list(conn.execute(CURRENT, {"id": aanbod_id}).scalars())


def decide(
    conn: sa.Connection,
    user: User,
    item_id: int,
    keep: bool,
    chosen: str | None = None,
    bericht: str | None = None,
) -> dict | None:
    """Confirm (``keep``, optionally with another theme ``chosen``) or reject a proposal.

    Returns the closed item, or None when it is not open (any more) or not within
    ``user``'s scope; then nothing has changed.

    Raises
    ------
    InboxError
        For a theme that does not exist, or a message that is too long.
    """
    themes, _ = taxonomy_names(conn)
    if keep and chosen and chosen not in themes:
        raise inbox.InboxError("Kies een thema uit de lijst.")
    status = "bevestigd" if keep else "afgewezen"
    closed = inbox.close(conn, user, QUEUE, item_id, status, bericht, allowed=(status,))
    if closed is None:
        return None
    proposed = closed["thema_slug"]
    others = [t for t in current_themes(conn, closed["aanbod_id"]) if t != proposed]
    wanted = sorted({*others, chosen or proposed}) if keep else others
    set_writer(conn, user.email)
    conn.execute(
        SET_LINKS,
        {"id": closed["aanbod_id"], "themas": wanted, "doelgroepen": None, "locaties": None},
    )
    if keep:
        conn.execute(
            sa.text("UPDATE thema_voorstel SET gekozen_slug = :slug WHERE id = :id"),
            {"slug": chosen or proposed, "id": item_id},
        )
        closed["gekozen_slug"] = chosen or proposed
    closed["themas"] = wanted
    return closed
