"""Probable duplicate organisations: reported for an editor, never merged silently."""

from __future__ import annotations

import sqlalchemy as sa

from geo.sqlfiles import named

RADIUS_M = 50.0  # "very similar name within ~50 m"
NAME_SIMILARITY = 0.6  # pg_trgm similarity; 0.6 keeps "Apotheek Wyck" vs "Apotheek de Wyck"


def find_duplicates(
    conn: sa.Connection,
    organisation_ids: list[int],
    radius_m: float = RADIUS_M,
    threshold: float = NAME_SIMILARITY,
) -> list[dict]:
    """Record and return new probable duplicates involving ``organisation_ids``.

    Two rules: the same KvK number, or a very similar name with a location within
    ``radius_m`` metres. Pairs already recorded (whatever their status) are not repeated.
    A large import renews the statistics of organisatie and locatie before it calls this
    (geo.records.store), so the check plans with the true table sizes.

    Returns
    -------
    list of dict
        One dict per new pair: reden, gelijkenis, afstand_m and both organisations.
    """
    if not organisation_ids:
        return []
    sql = named("duplicates.sql")
    found = list(conn.execute(sql["same_kvk"], {"ids": organisation_ids}).scalars().all())
    found += (
        conn.execute(
            sql["similar_name_nearby"],
            {
                "ids": organisation_ids,
                "radius": radius_m,
                "threshold": threshold,
            },
        )
        .scalars()
        .all()
    )
    rows = conn.execute(sql["report"], {"ids": found}).mappings().all()
    return [dict(r) for r in rows]
