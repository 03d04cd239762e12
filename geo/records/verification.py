"""Verification rounds: ask organisations by e-mail whether their record is still right.

A round (``verificatie_ronde``) is started for one gemeente: every published organisation
with a published location in that gemeente (``locatie.gemeentecode``) whose
``laatst_geverifieerd_op`` is empty or older than N months gets one request
(``verificatie_verzoek``), unless it still has an open request (unanswered and not
expired) from an earlier round. Each request has its own link:

- the token is ``itsdangerous.URLSafeTimedSerializer(SECRET_KEY, salt="verificatie")``
  signing the request id, so nobody can make or alter one (a bad signature is "unknown");
- the database row decides: ``beantwoord_op`` makes the link single-use and
  ``verloopt_op`` (start + ``VERIFY_LINK_DAYS``) ends it; the signature's ``max_age`` is a
  second guard.

Opening the link sets ``geopend_op`` once. "Alles klopt" sets ``laatst_geverifieerd_op`` to
today on the organisation and its published services and locations, through the ORM
(audited, writer ``verificatie: <e-mail>``). "Er is iets veranderd" stores the proposal as
an ``aanmelding`` (soort ``verificatie``) for the editors' queue; nothing is published
before an editor approves it.

The proposal (``aanmelding.gegevens``) has the shape of self-registrations
(geo/records/aanmelding.py), with the column names of the records::

    {"naam", "omschrijving", "telefoon", "email", "website", "toelichting" (free text),
     "locaties": [{"id", "straat", "huisnummer", "postcode", "woonplaats"}, ...],
     "aanbod": [{"id", "naam", "omschrijving", "openingstijden"}, ...]}

Values are text as typed (trimmed; empty is ``null``); ``huisnummer`` is the whole number
with letter and addition ("12A-3"), ``openingstijden`` the text of the opening hours; ``id``
is the id of the existing location or service. Organisations without an e-mail address get
their link by letter: :func:`write_mail_merge` writes the mail-merge CSV. Reading and
answering one request is in geo/records/verification_answers.py.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from geo.csvcells import SafeWriter
from geo.errors import GeoError

SALT = "verificatie"
MAX_TEXT = 4000
ORG_FIELDS = ("naam", "omschrijving", "telefoon", "email", "website")
LOCATION_FIELDS = ("straat", "huisnummer", "postcode", "woonplaats")
SERVICE_FIELDS = ("naam", "omschrijving", "openingstijden")
CSV_COLUMNS = ("naam", "adres", "telefoon", "link", "verloopt_op")


class VerificationError(GeoError, ValueError):
    """A round cannot be started or an answer is not acceptable (Dutch message)."""


class LinkUnknown(VerificationError):
    """The link was never made by us (bad signature) or names no request: 404."""


class LinkGone(VerificationError):
    """The link was used already or has expired: 410."""


@dataclass(frozen=True)
class Request:
    """One request of a round, with what the mail or letter needs."""

    id: int
    ronde_id: int
    organisatie_id: int
    naam: str
    email: str | None
    telefoon: str | None
    adres: str
    verloopt_op: dt.datetime


@dataclass(frozen=True)
class Progress:
    """How far a round is: counts of its requests."""

    ronde_id: int
    gemeentecode: str
    gemeente: str
    gestart_op: dt.datetime
    gestart_door: str
    ouder_dan_maanden: int
    verzoeken: int
    verzonden: int
    zonder_email: int
    geopend: int
    klopt: int
    gewijzigd: int
    geen_antwoord: int
    verlopen: int
    herinnerd: int


# ------------------------------------------------------------------------------- tokens
def make_token(secret: str, verzoek_id: int) -> str:
    """The signed link token of a request."""
    return URLSafeTimedSerializer(secret, salt=SALT).dumps(verzoek_id)


def read_token(secret: str, token: str, max_age_days: int) -> int:
    """The request id in ``token``; :class:`LinkUnknown` or :class:`LinkGone` otherwise."""
    serializer = URLSafeTimedSerializer(secret, salt=SALT)
    try:
        value = serializer.loads(token, max_age=max_age_days * 86400)
    except SignatureExpired as exc:
        raise LinkGone("Deze link is verlopen.") from exc
    except BadSignature as exc:
        raise LinkUnknown("Deze link kennen we niet.") from exc
    if not isinstance(value, int) or not 0 < value < 2**63:
        raise LinkUnknown("Deze link kennen we niet.")
    return value


# ------------------------------------------------------------------------------- rounds
REQUEST_COLUMNS = """
    v.id, v.ronde_id, v.organisatie_id, o.naam, v.email, o.telefoon, v.verloopt_op,
    coalesce((SELECT concat_ws(', ', concat_ws(' ', l.straat, l.huisnummer::text
                  || coalesce(l.huisletter, '') || coalesce('-' || l.toevoeging, '')),
                  concat_ws(' ', substr(l.postcode, 1, 4) || ' ' || substr(l.postcode, 5),
                            l.woonplaats))
              FROM locatie l WHERE l.organisatie_id = o.id AND l.status = 'gepubliceerd'
              ORDER BY (l.gemeentecode = r.gemeentecode) DESC, l.id LIMIT 1), '') AS adres
"""
CREATE_REQUESTS = sa.text(f"""
WITH nieuw AS (
    INSERT INTO verificatie_verzoek (ronde_id, organisatie_id, email, verloopt_op)
    SELECT :ronde, o.id, o.email, now() + make_interval(days => :dagen)
    FROM organisatie o
    WHERE o.status = 'gepubliceerd'
      AND EXISTS (SELECT 1 FROM locatie l WHERE l.organisatie_id = o.id
                  AND l.status = 'gepubliceerd' AND l.gemeentecode = :gemeente)
      AND (o.laatst_geverifieerd_op IS NULL
           OR o.laatst_geverifieerd_op < current_date - make_interval(months => :maanden))
      AND NOT EXISTS (SELECT 1 FROM verificatie_verzoek x WHERE x.organisatie_id = o.id
                      AND x.beantwoord_op IS NULL AND x.verloopt_op > now())
    RETURNING *
)
SELECT {REQUEST_COLUMNS}
FROM nieuw v JOIN organisatie o ON o.id = v.organisatie_id
JOIN verificatie_ronde r ON r.id = v.ronde_id
ORDER BY o.naam, v.id
""")  # noqa: S608 - REQUEST_COLUMNS is a constant of this module, no input


def start_round(
    conn: sa.Connection,
    gemeentecode: str,
    *,
    months: int,
    link_days: int,
    reminder_days: int,
    started_by: str,
) -> tuple[int, list[Request]]:
    """Start a round for a gemeente; returns the round id and its new requests.

    Raises :class:`VerificationError` for an unknown gemeente or a bad number of months.
    """
    code = (gemeentecode or "").strip().upper()
    if not 0 <= months <= 600:
        raise VerificationError("Kies een aantal maanden tussen 0 en 600.")
    known = conn.execute(
        sa.text("SELECT 1 FROM gebied WHERE code = :c AND niveau = 'gemeente'"), {"c": code}
    ).scalar()
    if not known:
        raise VerificationError(f"Gemeente {gemeentecode!r} kennen we niet (zoals GM0935).")
    ronde = conn.execute(
        sa.text(
            "INSERT INTO verificatie_ronde (gemeentecode, ouder_dan_maanden, gestart_door, "
            "geldig_dagen, herinneren_na_dagen) VALUES (:c, :m, :door, :d, :h) RETURNING id"
        ),
        {"c": code, "m": months, "door": started_by, "d": link_days, "h": reminder_days},
    ).scalar_one()
    rows = conn.execute(
        CREATE_REQUESTS, {"ronde": ronde, "dagen": link_days, "gemeente": code, "maanden": months}
    )
    return ronde, [Request(**r._mapping) for r in rows]


def round_requests(conn: sa.Connection, ronde_id: int) -> list[Request]:
    """Every request of a round (for the mail-merge CSV)."""
    rows = conn.execute(
        sa.text(
            f"SELECT {REQUEST_COLUMNS} FROM verificatie_verzoek v "  # noqa: S608 - constant
            "JOIN organisatie o ON o.id = v.organisatie_id "
            "JOIN verificatie_ronde r ON r.id = v.ronde_id "
            "WHERE v.ronde_id = :r ORDER BY o.naam, v.id"
        ),
        {"r": ronde_id},
    )
    return [Request(**r._mapping) for r in rows]


def due_reminders(conn: sa.Connection, gemeenten: tuple[str, ...] = ()) -> list[Request]:
    """Requests due for a reminder (optionally only in ``gemeenten``).

    Due: sent longer than the round's reminder interval ago, unanswered, not expired, with
    an e-mail address and not reminded yet.
    """
    rows = conn.execute(
        sa.text(
            f"SELECT {REQUEST_COLUMNS} FROM verificatie_verzoek v "  # noqa: S608 - constant
            "JOIN organisatie o ON o.id = v.organisatie_id "
            "JOIN verificatie_ronde r ON r.id = v.ronde_id "
            "WHERE v.beantwoord_op IS NULL AND v.herinnerd_op IS NULL "
            "AND v.email IS NOT NULL AND v.verzonden_op IS NOT NULL AND v.verloopt_op > now() "
            "AND v.verzonden_op < now() - make_interval(days => r.herinneren_na_dagen) "
            "AND (cardinality(CAST(:g AS text[])) = 0 OR r.gemeentecode = ANY(:g)) "
            "ORDER BY v.id"
        ),
        {"g": list(gemeenten)},
    )
    return [Request(**r._mapping) for r in rows]


def mark_sent(conn: sa.Connection, verzoek_id: int, reminder: bool = False) -> None:
    """Record that the mail (or the reminder) of a request went out."""
    column = "herinnerd_op" if reminder else "verzonden_op"
    conn.execute(
        sa.text(f"UPDATE verificatie_verzoek SET {column} = now() WHERE id = :id"),  # noqa: S608
        {"id": verzoek_id},
    )


def mail_text(request: Request, link: str, reminder: bool = False) -> tuple[str, str]:
    """Subject and plain-text body (Dutch, B1) of the request mail or its reminder."""
    until = request.verloopt_op.date().strftime("%d-%m-%Y")
    subject = ("Herinnering: " if reminder else "") + "Kloppen uw gegevens op de Sociale Kaart?"
    body = (
        "Beste medewerker van "
        + request.naam
        + ",\n\n"
        + (
            "Een paar weken geleden stuurden wij u deze vraag. We hebben nog geen antwoord.\n\n"
            if reminder
            else ""
        )
        + "Uw organisatie staat op de Sociale Kaart. Inwoners en hulpverleners zoeken daar "
        "hulp in de buurt. Wij willen graag dat uw gegevens kloppen.\n\n"
        "Wilt u ze controleren? Open deze link:\n\n" + link + "\n\n"
        "U ziet dan uw gegevens. Klopt alles? Klik op 'Alles klopt'. Is er iets veranderd? "
        "Vul dan in wat anders is. U heeft geen account nodig.\n\n"
        f"De link werkt één keer en is geldig tot en met {until}.\n\n"
        "Met vriendelijke groet,\nDe redactie van de Sociale Kaart\n"
    )
    return subject, body


def write_mail_merge(requests: list[Request], link_for) -> bytes:
    """Mail-merge CSV of the requests without e-mail: UTF-8 with BOM, ``;`` (Dutch Excel).

    ``link_for(request)`` gives the request's link. Every cell is formula-safe.
    """
    out = io.StringIO()
    writer = SafeWriter(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in requests:
        if r.email:
            continue
        until = r.verloopt_op.date().strftime("%d-%m-%Y")
        writer.writerow((r.naam, r.adres, r.telefoon or "", link_for(r), until))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ----------------------------------------------------------------------------- progress
PROGRESS_SQL = sa.text("""
SELECT r.id AS ronde_id, r.gemeentecode, coalesce(g.naam, r.gemeentecode) AS gemeente,
       r.gestart_op, r.gestart_door, r.ouder_dan_maanden,
       count(v.id)::int AS verzoeken,
       count(v.verzonden_op)::int AS verzonden,
       count(v.id) FILTER (WHERE v.email IS NULL)::int AS zonder_email,
       count(v.geopend_op)::int AS geopend,
       count(v.id) FILTER (WHERE v.antwoord = 'klopt')::int AS klopt,
       count(v.id) FILTER (WHERE v.antwoord = 'gewijzigd')::int AS gewijzigd,
       count(v.id) FILTER (WHERE v.beantwoord_op IS NULL)::int AS geen_antwoord,
       count(v.id) FILTER (WHERE v.beantwoord_op IS NULL AND v.verloopt_op <= now())::int
           AS verlopen,
       count(v.herinnerd_op)::int AS herinnerd
FROM verificatie_ronde r
LEFT JOIN gebied g ON g.code = r.gemeentecode
LEFT JOIN verificatie_verzoek v ON v.ronde_id = r.id
WHERE cardinality(CAST(:g AS text[])) = 0 OR r.gemeentecode = ANY(:g)
GROUP BY r.id, g.naam
ORDER BY r.gestart_op DESC, r.id DESC
""")


def progress(conn: sa.Connection, gemeenten: tuple[str, ...] = ()) -> list[Progress]:
    """Every round (newest first) with its counts; only ``gemeenten`` when given."""
    return [Progress(**r._mapping) for r in conn.execute(PROGRESS_SQL, {"g": list(gemeenten)})]


def round_gemeente(conn: sa.Connection, ronde_id: int) -> str | None:
    """The gemeentecode of a round, or None when there is no such round."""
    return conn.execute(
        sa.text("SELECT gemeentecode FROM verificatie_ronde WHERE id = :id"), {"id": ronde_id}
    ).scalar()
