"""The catalogue of the editors' queues: which table, statuses and gemeente columns each has.

What the queues are for, and how an item finds its gemeenten, is described in
geo/records/inbox.py (the actions on them). Tables are SQLAlchemy Core table clauses over
allow-listed columns: no SQL is built from text.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

_COMMON = ("id", "status", "toegewezen_aan", "afgehandeld_door", "afgehandeld_op", "bericht")
melding = sa.table(
    "melding",
    *(sa.column(c) for c in (*_COMMON, "organisatie_id", "tekst", "email", "gemeld_op", "taal")),
)
mogelijk_dubbel = sa.table(
    "mogelijk_dubbel",
    *(
        sa.column(c)
        for c in (
            *_COMMON,
            "organisatie_a",
            "organisatie_b",
            "reden",
            "gelijkenis",
            "afstand_m",
            "gevonden_op",
        )
    ),
)
importwaarschuwing = sa.table(
    "importwaarschuwing",
    *(
        sa.column(c)
        for c in (
            *_COMMON,
            "import_run_id",
            "bron",
            "regel",
            "kolom",
            "waarde",
            "reden",
            "organisatie_id",
            "gevonden_op",
        )
    ),
)
aanmelding = sa.table(
    "aanmelding",
    *(
        sa.column(c)
        for c in (
            *_COMMON,
            "soort",
            "organisatie_id",
            "gegevens",
            "naam",
            "email",
            "gemeentecode",
            "ingediend_op",
            "taal",
        )
    ),
)
thema_voorstel = sa.table(
    "thema_voorstel",
    *(sa.column(c) for c in (*_COMMON, "aanbod_id", "thema_slug", "reden", "bron", "gekozen_slug")),
    sa.column("voorgesteld_op"),
)
organisatie = sa.table("organisatie", sa.column("id"), sa.column("naam"), sa.column("status"))
aanbod = sa.table("aanbod", sa.column("id"), sa.column("organisatie_id"), sa.column("naam"))
locatie = sa.table(
    "locatie", sa.column("id"), sa.column("organisatie_id"), sa.column("gemeentecode")
)
aanbod_locatie = sa.table("aanbod_locatie", sa.column("aanbod_id"), sa.column("locatie_id"))
gebruiker = sa.table("gebruiker", sa.column("id"), sa.column("email"), sa.column("rol"))


@dataclass(frozen=True)
class Queue:
    """One queue: its table, statuses and how its items find their gemeenten."""

    name: str
    label: str  # Dutch, plural, as on the start page
    table: sa.TableClause
    org_columns: tuple[str, ...]
    date_column: str
    open_statuses: tuple[str, ...]
    # Closing statuses an editor may choose by hand (approval and merging have their own).
    close_statuses: tuple[str, ...]
    soorten: tuple[str, ...] = ()
    # Items about one service (its column): gemeenten from the service's locations.
    aanbod_column: str | None = None

    def col(self, name: str) -> sa.ColumnClause:
        """A column of the queue's table."""
        return self.table.c[name]

    @property
    def all_statuses(self) -> tuple[str, ...]:
        """Every status an item of this queue can have."""
        closed = {
            "mogelijk_dubbel": ("samengevoegd", "geen_dubbel"),
            "aanmelding": ("goedgekeurd", "afgewezen"),
            "thema_voorstel": ("bevestigd", "afgewezen"),
        }.get(self.table.name, ("afgehandeld", "afgewezen"))
        return (*self.open_statuses, *closed)


QUEUES: dict[str, Queue] = {
    q.name: q
    for q in (
        Queue(
            "meldingen",
            "meldingen van fouten",
            melding,
            ("organisatie_id",),
            "gemeld_op",
            ("nieuw", "in_behandeling"),
            ("afgehandeld", "afgewezen"),
        ),
        Queue(
            "dubbel",
            "mogelijke dubbele organisaties",
            mogelijk_dubbel,
            ("organisatie_a", "organisatie_b"),
            "gevonden_op",
            ("open",),
            ("geen_dubbel",),
        ),
        Queue(
            "importwaarschuwingen",
            "waarschuwingen uit imports",
            importwaarschuwing,
            ("organisatie_id",),
            "gevonden_op",
            ("open", "in_behandeling"),
            ("afgehandeld", "afgewezen"),
        ),
        Queue(
            "aanmeldingen",
            "aanmeldingen en wijzigingen",
            aanmelding,
            ("organisatie_id",),
            "ingediend_op",
            ("nieuw", "in_behandeling"),
            ("afgewezen",),
            ("nieuw", "wijziging"),
        ),
        Queue(
            "verificatie",
            "antwoorden op verificatie",
            aanmelding,
            ("organisatie_id",),
            "ingediend_op",
            ("nieuw", "in_behandeling"),
            ("afgewezen",),
            ("verificatie",),
        ),
        Queue(
            "themavoorstellen",
            "voorgestelde thema's",
            thema_voorstel,
            (),
            "voorgesteld_op",
            ("open", "in_behandeling"),
            (),  # confirmed or rejected in geo/records/theme_review.py
            aanbod_column="aanbod_id",
        ),
    )
}
STATUS_LABELS = {
    "nieuw": "nieuw",
    "open": "open",
    "in_behandeling": "in behandeling",
    "afgehandeld": "afgehandeld",
    "afgewezen": "afgewezen",
    "goedgekeurd": "goedgekeurd",
    "samengevoegd": "samengevoegd",
    "geen_dubbel": "geen dubbel",
    "bevestigd": "bevestigd",
}
