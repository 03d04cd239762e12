-- The wijkteam page of one gemeente, wijk or buurt (layers/pages/wijk.py).
-- Every statement takes the area code and the caller's visibility levels.
-- Records follow the publication rules of voorzieningen_basis (organisation, service
-- and location published); unlike the public layers, confidential locations keep their
-- exact place: only professionals whose scope covers the area read this.

-- name: gebied
SELECT g.code, g.naam, g.niveau, g.gemeentecode, g.wijkcode, p.naam AS gemeente,
       w.naam AS wijk, b.inwoners, b.inwoners_65plus, b.jaar AS bevolking_jaar,
       round(ST_X(ST_Transform(ST_Centroid(g.geom), 4326))::numeric, 5) AS lon,
       round(ST_Y(ST_Transform(ST_Centroid(g.geom), 4326))::numeric, 5) AS lat,
       ST_AsGeoJSON(ST_Transform(g.geom, 4326), 5)::json AS omtrek
FROM gebied g
LEFT JOIN gebied p ON p.code = g.gemeentecode
LEFT JOIN gebied w ON w.code = g.wijkcode
LEFT JOIN LATERAL (SELECT inwoners, inwoners_65plus, jaar FROM bevolking
                   WHERE gebiedcode = g.code ORDER BY jaar DESC LIMIT 1) b ON true
WHERE g.code = :code

-- name: aanbod
-- One row per service x location in the area, with themes, contact persons and phones.
SELECT al.id, o.id AS organisatie_id, o.naam AS organisatie, a.id AS aanbod_id,
       a.naam AS aanbod, coalesce(a.omschrijving, o.omschrijving) AS omschrijving,
       CASE WHEN l.vertrouwelijk THEN o.telefoon ELSE coalesce(l.telefoon, o.telefoon) END
           AS telefoon, o.email, o.website, l.naam AS locatie, l.straat,
       concat_ws('-', l.huisnummer::text || coalesce(l.huisletter, ''), l.toevoeging)
           AS huisnummer, l.postcode, l.woonplaats AS plaats, l.vertrouwelijk,
       greatest(o.zichtbaarheid, a.zichtbaarheid, l.zichtbaarheid, al.zichtbaarheid)::text
           AS zichtbaarheid,
       round(ST_X(ST_Transform(l.geom, 4326))::numeric, 6) AS lon,
       round(ST_Y(ST_Transform(l.geom, 4326))::numeric, 6) AS lat,
       ST_X(l.geom) AS x, ST_Y(l.geom) AS y,
       coalesce(t.naam, 'Overig') AS thema, coalesce(t.kleur, '#4a4a4a') AS kleur,
       coalesce(t.volgorde, 2147483647) AS thema_volgorde,
       (SELECT coalesce(json_agg(json_build_object('naam', c.naam, 'functie', c.functie,
                    'telefoon', c.telefoon, 'email', c.email) ORDER BY c.naam, c.id), '[]')
          FROM contactpersoon c WHERE c.organisatie_id = o.id
           AND c.status = 'gepubliceerd') AS contactpersonen
FROM aanbod_locatie al
JOIN aanbod a ON a.id = al.aanbod_id
JOIN organisatie o ON o.id = a.organisatie_id
JOIN locatie l ON l.id = al.locatie_id
LEFT JOIN LATERAL (SELECT th.naam, th.kleur, th.volgorde FROM aanbod_thema x
                   JOIN thema th ON th.slug = x.thema_slug
                   WHERE x.aanbod_id = a.id ORDER BY th.volgorde LIMIT 1) t ON true
WHERE o.status = 'gepubliceerd' AND a.status = 'gepubliceerd' AND l.status = 'gepubliceerd'
  AND l.geom IS NOT NULL
  AND (l.gemeentecode = :code OR l.wijkcode = :code OR l.buurtcode = :code)
  AND greatest(o.zichtbaarheid, a.zichtbaarheid, l.zichtbaarheid, al.zichtbaarheid)::text
      = ANY(CAST(:visibility AS text[]))
ORDER BY thema_volgorde, lower(o.naam), o.id, lower(a.naam), al.id

-- name: wijkteams
-- Organisations marked as wijkteam or buurtteam whose service area overlaps the area:
-- the team serves the area, a part of it, or a larger area that contains it.
SELECT w.soort, w.gebieden, o.id AS organisatie_id, o.naam, o.telefoon, o.email,
       o.website, o.zichtbaarheid::text AS zichtbaarheid,
       (SELECT coalesce(json_agg(json_build_object('naam', c.naam, 'functie', c.functie,
                    'telefoon', c.telefoon, 'email', c.email) ORDER BY c.naam, c.id), '[]')
          FROM contactpersoon c WHERE c.organisatie_id = o.id
           AND c.status = 'gepubliceerd') AS contactpersonen,
       (SELECT string_agg(g.naam, ', ' ORDER BY g.naam) FROM gebied g
         WHERE g.code = ANY(w.gebieden)) AS werkgebied
FROM wijkteam w
JOIN organisatie o ON o.id = w.organisatie_id
JOIN gebied a ON a.code = :code
WHERE w.actief AND o.status = 'gepubliceerd'
  AND o.zichtbaarheid::text = ANY(CAST(:visibility AS text[]))
  AND EXISTS (SELECT 1 FROM gebied g WHERE g.code = ANY(w.gebieden)
              AND (g.code IN (a.code, a.wijkcode, a.gemeentecode)
                   OR g.wijkcode = a.code OR g.gemeentecode = a.code))
ORDER BY o.naam

-- name: wijzigingen
-- Changes of the last few days (dagen) to organisations, services and locations in the area
-- (from the audit trail): new, changed or archived, newest first.
WITH in_gebied AS (
    SELECT 'locatie' AS tabel, l.id, coalesce(l.naam, l.straat, o.naam) AS naam,
           o.naam AS organisatie, o.id AS organisatie_id, l.zichtbaarheid::text AS zb
    FROM locatie l JOIN organisatie o ON o.id = l.organisatie_id
    WHERE l.gemeentecode = :code OR l.wijkcode = :code OR l.buurtcode = :code
    UNION
    SELECT 'aanbod', a.id, a.naam, o.naam, o.id,
           greatest(a.zichtbaarheid, o.zichtbaarheid)::text
    FROM aanbod a JOIN organisatie o ON o.id = a.organisatie_id
    WHERE EXISTS (SELECT 1 FROM aanbod_locatie al JOIN locatie l ON l.id = al.locatie_id
                  WHERE al.aanbod_id = a.id
                    AND (l.gemeentecode = :code OR l.wijkcode = :code OR l.buurtcode = :code))
    UNION
    SELECT 'organisatie', o.id, o.naam, o.naam, o.id, o.zichtbaarheid::text
    FROM organisatie o
    WHERE EXISTS (SELECT 1 FROM locatie l WHERE l.organisatie_id = o.id
                  AND (l.gemeentecode = :code OR l.wijkcode = :code OR l.buurtcode = :code))
)
SELECT w.tijdstip, w.tabel, r.naam, r.organisatie, r.organisatie_id,
       CASE WHEN w.actie = 'insert' THEN 'nieuw'
            WHEN w.diff -> 'status' ->> 1 = 'gearchiveerd' THEN 'gearchiveerd'
            ELSE 'gewijzigd' END AS soort,
       (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(w.diff) k) AS velden
FROM wijziging w
JOIN in_gebied r ON r.tabel = w.tabel AND r.id = w.record_id
WHERE w.tijdstip > now() - make_interval(days => CAST(:dagen AS integer))
  AND w.actie IN ('insert', 'update')
  AND r.zb = ANY(CAST(:visibility AS text[]))
ORDER BY w.tijdstip DESC, w.id DESC
LIMIT 200

-- name: dekking
-- The coverage flags of the area (latest finished run) with their reasons.
SELECT d.thema AS thema_slug, coalesce(t.naam, d.thema) AS thema, d.doelgroep,
       d.flag_level, d.redenen, d.zin, d.spar, d.pct_verder
FROM laag_dekking d LEFT JOIN thema t ON t.slug = d.thema
WHERE d.actueel AND d.gebiedcode = :code AND d.flagged
ORDER BY d.flag_level DESC NULLS LAST, t.volgorde, d.doelgroep

-- name: gezocht
-- What residents searched for in the area without finding anything.
SELECT aantal, woorden FROM laag_gezocht_niet_gevonden WHERE code = :code

-- name: onderliggend
-- The wijken of a gemeente or the buurten of a wijk (links to their own page).
SELECT code, naam, niveau FROM gebied
WHERE (niveau = 'wijk' AND gemeentecode = :code AND :niveau = 'gemeente')
   OR (niveau = 'buurt' AND wijkcode = :code AND :niveau = 'wijk')
ORDER BY naam, code
