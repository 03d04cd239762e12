"""The public page of one organisation: its services and locations as the caller may see them.

Only published records (archived services and locations are left out) whose organisation,
service, location and link are all visible to the caller; a confidential location shows its
place name only (no street, postcode, point or name); contact persons are never read.
Opening hours are in ``opening_hours``; the "meld een fout" write is ``geo.records.melding``.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from layers.visibility import VisibilityLike, as_visibility

# Every visibility level (organisation, service, location, link) must be allowed; a
# confidential location keeps only its place name and accessibility note. A professional
# scoped to areas sees a professional location when it lies in one of them, and a
# professional organisation, service or link when it has such a location.
ORGANISATION_SQL = sa.text("""
WITH org AS (
    SELECT * FROM organisatie o
    WHERE id = :id AND status = 'gepubliceerd'
      AND (zichtbaarheid::text = ANY(CAST(:visibility AS text[]))
           OR (zichtbaarheid = 'professional' AND EXISTS (
               SELECT 1 FROM locatie l WHERE l.organisatie_id = o.id
                  AND l.status = 'gepubliceerd' AND
               (l.gemeentecode = ANY(CAST(:visibility_scope AS text[]))
                OR l.wijkcode = ANY(CAST(:visibility_scope AS text[]))
                OR l.buurtcode = ANY(CAST(:visibility_scope AS text[]))))))
), loc AS (
    SELECT l.id, l.vertrouwelijk, l.woonplaats AS plaats, l.toegankelijkheid,
           CASE WHEN NOT l.vertrouwelijk THEN l.naam END AS naam,
           -- the location's own number (the organisation's is on the page already)
           CASE WHEN NOT l.vertrouwelijk THEN l.telefoon END AS telefoon,
           CASE WHEN NOT l.vertrouwelijk THEN l.straat END AS straat,
           CASE WHEN NOT l.vertrouwelijk THEN concat_ws('-', l.huisnummer::text
                || coalesce(l.huisletter, ''), l.toevoeging) END AS huisnummer,
           CASE WHEN NOT l.vertrouwelijk THEN l.postcode END AS postcode,
           CASE WHEN NOT l.vertrouwelijk THEN round(ST_Y(ST_Transform(l.geom, 4326))::numeric, 5)
           END AS lat,
           CASE WHEN NOT l.vertrouwelijk THEN round(ST_X(ST_Transform(l.geom, 4326))::numeric, 5)
           END AS lon
    FROM locatie l JOIN org ON l.organisatie_id = org.id
    WHERE (l.zichtbaarheid::text = ANY(CAST(:visibility AS text[]))
           OR (l.zichtbaarheid = 'professional' AND
               (l.gemeentecode = ANY(CAST(:visibility_scope AS text[]))
                OR l.wijkcode = ANY(CAST(:visibility_scope AS text[]))
                OR l.buurtcode = ANY(CAST(:visibility_scope AS text[])))))
      AND l.status = 'gepubliceerd'
), svc AS (
    SELECT a.id, a.naam, a.omschrijving, a.kosten, a.aanmelden, a.voorwaarden, a.talen,
           a.openingstijden, a.laatst_geverifieerd_op,
           (SELECT coalesce(json_agg(json_build_object('naam', t.naam, 'kleur', t.kleur,
                   'icoon', t.icoon) ORDER BY t.volgorde), '[]')
              FROM aanbod_thema x JOIN thema t ON t.slug = x.thema_slug
             WHERE x.aanbod_id = a.id) AS themas,
           (SELECT coalesce(json_agg(d.naam ORDER BY d.volgorde), '[]')
              FROM aanbod_doelgroep x JOIN doelgroep d ON d.slug = x.doelgroep_slug
             WHERE x.aanbod_id = a.id) AS doelgroepen,
           (SELECT coalesce(json_agg(al.locatie_id ORDER BY al.locatie_id), '[]')
              FROM aanbod_locatie al JOIN loc ON loc.id = al.locatie_id
              JOIN locatie l ON l.id = al.locatie_id
             WHERE al.aanbod_id = a.id
               AND (al.zichtbaarheid::text = ANY(CAST(:visibility AS text[]))
                    OR (al.zichtbaarheid = 'professional' AND
               (l.gemeentecode = ANY(CAST(:visibility_scope AS text[]))
                OR l.wijkcode = ANY(CAST(:visibility_scope AS text[]))
                OR l.buurtcode = ANY(CAST(:visibility_scope AS text[]))))))
               AS locaties
    FROM aanbod a JOIN org ON a.organisatie_id = org.id
    WHERE a.status = 'gepubliceerd'
      AND (a.zichtbaarheid::text = ANY(CAST(:visibility AS text[]))
           OR (a.zichtbaarheid = 'professional' AND EXISTS (
               SELECT 1 FROM aanbod_locatie al JOIN locatie l ON l.id = al.locatie_id
                WHERE al.aanbod_id = a.id AND l.status = 'gepubliceerd' AND
               (l.gemeentecode = ANY(CAST(:visibility_scope AS text[]))
                OR l.wijkcode = ANY(CAST(:visibility_scope AS text[]))
                OR l.buurtcode = ANY(CAST(:visibility_scope AS text[]))))))
)
SELECT json_build_object(
    'id', org.id, 'naam', org.naam, 'omschrijving', org.omschrijving,
    'website', org.website, 'email', org.email, 'telefoon', org.telefoon,
    'bron', org.bron, 'synthetisch', org.synthetisch,
    'laatst_geverifieerd_op', org.laatst_geverifieerd_op,
    'aanbod', (SELECT coalesce(json_agg(svc ORDER BY svc.naam, svc.id), '[]') FROM svc),
    'locaties', (SELECT coalesce(json_agg(loc ORDER BY loc.id), '[]') FROM loc))
FROM org""")


def organisation(
    conn: sa.Connection, organisatie_id: int, visibility: VisibilityLike
) -> dict | None:
    """One organisation with its services and locations as the public may see them.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    organisatie_id : int
    visibility : Visibility
        What the caller may see (levels and area scope; ``PUBLIC`` for the public).

    Returns
    -------
    dict or None
        Organisation fields, ``aanbod`` (services with ``themas``, ``doelgroepen`` and the
        ids of their ``locaties``) and ``locaties``; dates as :class:`datetime.date`. None
        when the organisation does not exist or is not visible.
    """
    if not 0 < organisatie_id < 2**63:
        return None
    record = conn.execute(
        ORGANISATION_SQL, {"id": organisatie_id, **as_visibility(visibility).params()}
    ).scalar_one_or_none()
    if record is None:
        return None
    record["laatst_geverifieerd_op"] = _date(record["laatst_geverifieerd_op"])
    for service in record["aanbod"]:
        service["laatst_geverifieerd_op"] = _date(service["laatst_geverifieerd_op"])
    return record


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def address(
    straat: str | None, huisnummer: str | None, postcode: str | None, plaats: str | None
) -> str:
    """``Straat 12A, 6211 AB Maastricht`` from whichever parts are known."""
    pc = f"{postcode[:4]} {postcode[4:]}" if postcode and len(postcode) == 6 else postcode
    street = " ".join(p for p in (straat, huisnummer) if p)
    return ", ".join(p for p in (street, " ".join(p for p in (pc, plaats) if p)) if p)
