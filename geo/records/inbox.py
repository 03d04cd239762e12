"""The editors' queues (placeholder until the inbox is built)."""

from __future__ import annotations

import sqlalchemy as sa

from geo.accounts import User


def inbox_counts(conn: sa.Connection, user: User) -> dict[str, int]:
    """Open items per queue that ``user`` may handle."""
    return {}
