"""Freshness of records: "gecontroleerd op …" and "mogelijk verouderd".

A record is *stale* (mogelijk verouderd) when it was never verified or its
``laatst_geverifieerd_op`` lies more than ``months`` months before today; the threshold is
the setting ``VERIFY_MONTHS`` (12 by default). :func:`is_stale` is the one rule for pages
(server/static/verouderd.js is its JavaScript twin for the map popup), and
:func:`stale_counts` gives the editors' dashboard: stale services per gemeente, wijk and
theme (every visibility, published records only).

The public layer ``laag_actualiteit`` (migration 0015) applies the same rule in SQL with
the threshold from ``sociale_kaart.verify_months`` (12 when unset).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

DEFAULT_MONTHS = 12


def threshold(months: int, today: dt.date | None = None) -> dt.date:
    """The oldest verification date that is still fresh: ``today`` minus ``months`` months.

    The day is clipped to the month's length (31 March minus one month is 28/29 February),
    as PostgreSQL's ``date - interval 'N months'`` does.
    """
    today = today or dt.date.today()
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    days = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(today.day, days))


def is_stale(checked: dt.date | str | None, months: int, today: dt.date | None = None) -> bool:
    """Whether a record verified on ``checked`` (None: never) is 'mogelijk verouderd'."""
    if checked is None or checked == "":
        return True
    if isinstance(checked, str):
        checked = dt.date.fromisoformat(checked[:10])
    if isinstance(checked, dt.datetime):
        checked = checked.date()
    return checked < threshold(months, today)


@dataclass(frozen=True)
class StaleRow:
    """One line of the dashboard: an area or theme with its counts."""

    code: str
    naam: str
    gemeente: str | None
    aantal: int
    verouderd: int
    nooit: int

    @property
    def aandeel(self) -> float:
        """Percentage of stale services (0 when there are none)."""
        return 100.0 * self.verouderd / self.aantal if self.aantal else 0.0


# Services at locations of published records with their effective verification date,
# counted per gemeente, wijk and theme in one statement.
STALE_SQL = sa.text("""
WITH v AS (
    SELECT coalesce(a.laatst_geverifieerd_op, o.laatst_geverifieerd_op) AS datum,
           l.gemeentecode, l.wijkcode, a.id AS aanbod_id
    FROM aanbod_locatie al
    JOIN aanbod a ON a.id = al.aanbod_id AND a.status = 'gepubliceerd'
    JOIN organisatie o ON o.id = a.organisatie_id AND o.status = 'gepubliceerd'
    JOIN locatie l ON l.id = al.locatie_id AND l.status = 'gepubliceerd'
    WHERE cardinality(CAST(:gemeenten AS text[])) = 0 OR l.gemeentecode = ANY(:gemeenten)
), per AS (
    SELECT 'gemeente' AS niveau, v.gemeentecode AS code, v.datum FROM v
    UNION ALL SELECT 'wijk', v.wijkcode, v.datum FROM v
    UNION ALL SELECT 'thema', x.thema_slug, v.datum
              FROM v JOIN aanbod_thema x ON x.aanbod_id = v.aanbod_id
)
SELECT per.niveau, per.code, coalesce(g.naam, t.naam, per.code) AS naam,
       CASE WHEN per.niveau = 'wijk' THEN gm.naam END AS gemeente,
       count(*)::int AS aantal,
       count(*) FILTER (WHERE per.datum IS NULL OR per.datum < :grens)::int AS verouderd,
       count(*) FILTER (WHERE per.datum IS NULL)::int AS nooit
FROM per
LEFT JOIN gebied g ON per.niveau <> 'thema' AND g.code = per.code
LEFT JOIN gebied gm ON gm.code = g.gemeentecode
LEFT JOIN thema t ON per.niveau = 'thema' AND t.slug = per.code
WHERE per.code IS NOT NULL
GROUP BY per.niveau, per.code, g.naam, t.naam, gm.naam
ORDER BY per.niveau, verouderd DESC, gemeente NULLS FIRST, naam
""")


def stale_counts(
    conn: sa.Connection, months: int, gemeenten: tuple[str, ...] = ()
) -> dict[str, list[StaleRow]]:
    """Stale services per ``gemeente``, ``wijk`` and ``thema`` (most stale first).

    Parameters
    ----------
    conn : sqlalchemy.Connection
    months : int
        The threshold (``VERIFY_MONTHS``).
    gemeenten : tuple of str
        Only locations in these gemeenten (a scoped redacteur); empty: everywhere.
    """
    params = {"grens": threshold(months), "gemeenten": list(gemeenten)}
    out: dict[str, list[StaleRow]] = {"gemeente": [], "wijk": [], "thema": []}
    for r in conn.execute(STALE_SQL, params):
        out[r.niveau].append(StaleRow(r.code, r.naam, r.gemeente, r.aantal, r.verouderd, r.nooit))
    return out
