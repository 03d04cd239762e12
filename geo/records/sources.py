"""The identity of an import source (``--bron``): named by the user, recognised by content.

A source is never named after the file: ``november.csv`` and ``december.csv`` of the same
source must update the same records. Without a name the source is recognised by what the
file holds: the source whose organisations (``organisatie.bron_id``) make up at least
half of the file's organisations, when exactly one source does. A file of a new source
matches none, so it is refused with the list of known sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from geo.records.columns import RecordFileError
from geo.records.validate import Reject

MATCH_SHARE = 0.5  # share of the file's organisations that must be known in the source

KNOWN_SOURCES = sa.text(
    """
    SELECT r.bron, count(*) AS imports, max(r.klaar_op) AS laatst,
           (array_agg(r.bestand ORDER BY r.klaar_op DESC NULLS LAST, r.id DESC))[1] AS bestand,
           (SELECT count(*) FROM organisatie o WHERE o.bron = r.bron) AS organisaties
    FROM import_run r
    GROUP BY r.bron
    ORDER BY max(r.klaar_op) DESC NULLS LAST, r.bron
    """
)
# Per imported source: how many of the file's organisation keys it already holds.
MATCHES = sa.text(
    """
    SELECT o.bron, count(DISTINCT o.bron_id) AS n
    FROM organisatie o
    WHERE o.bron_id = ANY(CAST(:keys AS text[]))
      AND o.bron IN (SELECT bron FROM import_run)
    GROUP BY o.bron
    ORDER BY n DESC, o.bron
    """
)


@dataclass(frozen=True)
class Source:
    """An imported source with its last import."""

    bron: str
    imports: int
    laatst: datetime | None
    bestand: str
    organisaties: int


def known_sources(conn: sa.Connection) -> list[Source]:
    """Every source imported so far, the most recently imported first."""
    return [Source(*row) for row in conn.execute(KNOWN_SOURCES).all()]


def _listing(sources: list[Source]) -> str:
    if not sources:
        return "er is nog geen bron geïmporteerd"
    shown = [f"'{s.bron}' (laatst {s.bestand})" for s in sources[:20]]
    more = f" en nog {len(sources) - 20}" if len(sources) > 20 else ""
    return "bekende bronnen: " + ", ".join(shown) + more


def recognise_source(conn: sa.Connection, org_keys: set[str]) -> tuple[str, int]:
    """The one known source that holds at least half of the file's organisations.

    Returns
    -------
    tuple of (str, int)
        The source and how many of the file's organisations it holds.

    Raises
    ------
    RecordFileError
        When no source (or more than one) qualifies: ``--bron`` must name it; the
        message lists the known sources.
    """
    matches = conn.execute(MATCHES, {"keys": sorted(org_keys)}).all() if org_keys else []
    needed = max(1, -(-len(org_keys) * MATCH_SHARE // 1))  # ceil, at least one
    good = [(bron, n) for bron, n in matches if n >= needed]
    if len(good) == 1:
        return good[0][0], good[0][1]
    listing = _listing(known_sources(conn))
    if len(good) > 1:
        names = ", ".join(f"'{bron}'" for bron, _ in good)
        raise RecordFileError(
            f"Dit bestand past bij meer dan één bron ({names}); geef met --bron aan welke "
            f"bron het is. {listing[0].upper()}{listing[1:]}."
        )
    raise RecordFileError(
        "Geef met --bron NAAM aan van welke bron dit bestand komt (bijvoorbeeld "
        '--bron "Gemeente Maastricht"); de bestandsnaam telt niet, zodat een nieuw '
        "bestand van dezelfde bron dezelfde gegevens bijwerkt. Dit bestand past bij geen "
        f"bekende bron; {listing}."
    )


NO_SOURCE = (
    "de kolom bron is leeg terwijl andere regels hun bron noemen; vul de bron in, of "
    "importeer het hele bestand onder één bron met --bron NAAM"
)


def by_source(records: list[dict]) -> tuple[dict[str, list[dict]], list[Reject]]:
    """The records of a file that names each row's source (our own export), per source.

    Without ``--bron`` such a file puts every record back under its own source, so an
    export of several sources re-imports as several sources. A row whose ``bron`` is empty
    while others name one is rejected: guessing its source could merge two sources.

    Returns
    -------
    tuple of (dict, list of Reject)
        Source -> its records (sources in the order of their first row), and the rejects.
    """
    groups: dict[str, list[dict]] = {}
    rejects = []
    for record in records:
        if record.get("bron"):
            groups.setdefault(record["bron"], []).append(record)
        else:
            rejects.append(Reject(record["line"], "bron", NO_SOURCE))
    return groups, rejects


def one_source(records: list[dict]) -> list[dict]:
    """The records of a file imported under one ``--bron``, keys kept apart per source.

    A file that names several sources (our own export) may hold the same key once per
    source; under one source those would be one record. The keys of every source but the
    first are prefixed with their source (``tweede/org-1``), so no record is lost.
    """
    sources = list(dict.fromkeys(r["bron"] for r in records))
    for record in records:
        if record["bron"] != sources[0]:
            for key in ("org_key", "aanbod_key", "loc_key", "row_key"):
                record[key] = f"{record['bron']}/{record[key]}"
    return records


__all__ = [
    "MATCH_SHARE",
    "Source",
    "by_source",
    "known_sources",
    "one_source",
    "recognise_source",
]
