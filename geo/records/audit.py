"""The audit trail (table ``wijziging``, filled by triggers): who writes, and reading it back.

Every writer names itself once per transaction with :func:`set_writer`; the statement
triggers of migration 0004 (and 0014 for contact persons) then record who changed which
fields, old -> new. Without a name the database login is recorded.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

SET_WRITER = sa.text("SELECT set_config('sociale_kaart.gebruiker', :naam, true)")


def set_writer(conn: sa.Connection | Session, name: str) -> None:
    """Name the writer of the current transaction in the audit trail (e.g. an e-mail)."""
    conn.execute(SET_WRITER, {"naam": name})
