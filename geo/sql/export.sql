-- name: rows
-- One row per service at a location, in the flat import format plus read-only extras.
-- Visibility filter: :zichtbaarheid lists what the caller's role may see.
-- :generalise (the public role) treats confidential locations as the OGC layer
-- laag_voorzieningen does: the point becomes the buurt's ST_PointOnSurface, precision
-- 'buurt', and name, street, number, letter, addition, postcode and manual lat/lon are left
-- out; the place stays. Their ids become opaque (source ids may be derived from the
-- address), and a confidential location without a buurt is left out, as in the layer.
SELECT CASE WHEN p.hide THEN 'vertrouwelijk-' || al.id ELSE al.bron_id END AS id,
       o.naam AS organisatie, o.bron_id AS organisatie_id, o.kvk_nummer AS kvk,
       o.omschrijving, a.naam AS aanbod, a.omschrijving AS aanbod_omschrijving,
       (SELECT string_agg(t.thema_slug, '; ' ORDER BY th.volgorde) FROM aanbod_thema t
          JOIN thema th ON th.slug = t.thema_slug WHERE t.aanbod_id = a.id) AS thema,
       (SELECT string_agg(d.doelgroep_slug, '; ' ORDER BY dg.volgorde) FROM aanbod_doelgroep d
          JOIN doelgroep dg ON dg.slug = d.doelgroep_slug WHERE d.aanbod_id = a.id) AS doelgroep,
       CASE WHEN NOT p.hide THEN l.naam END AS locatie_naam,
       CASE WHEN NOT p.hide THEN l.straat END AS straat,
       CASE WHEN NOT p.hide THEN l.huisnummer END AS huisnummer,
       CASE WHEN NOT p.hide THEN l.huisletter END AS huisletter,
       CASE WHEN NOT p.hide THEN l.toevoeging END AS toevoeging,
       CASE WHEN NOT p.hide THEN l.postcode END AS postcode,
       l.woonplaats AS plaats,
       CASE WHEN l.geocode_precisie = 'handmatig' AND NOT p.hide THEN
            round(ST_Y(ST_Transform(l.geom, 4326))::numeric, 7) END AS lat,
       CASE WHEN l.geocode_precisie = 'handmatig' AND NOT p.hide THEN
            round(ST_X(ST_Transform(l.geom, 4326))::numeric, 7) END AS lon,
       -- the number to call here: the location's own, else the organisation's (a generalised
       -- location shows the organisation's only, as the OGC layer does)
       CASE WHEN p.hide THEN o.telefoon ELSE coalesce(l.telefoon, o.telefoon) END AS telefoon,
       o.telefoon AS organisatie_telefoon,
       o.email, o.website, a.openingstijden ->> 'tekst' AS openingstijden,
       a.kosten, a.aanmelden, a.voorwaarden, l.toegankelijkheid,
       array_to_string(a.talen, '; ') AS talen, a.capaciteit,
       CASE WHEN l.vertrouwelijk THEN 'ja' ELSE 'nee' END AS vertrouwelijk,
       al.zichtbaarheid::text AS zichtbaarheid,
       coalesce(a.laatst_geverifieerd_op, o.laatst_geverifieerd_op) AS laatst_geverifieerd,
       CASE WHEN o.synthetisch THEN 'ja' ELSE 'nee' END AS synthetisch,
       CASE WHEN p.hide THEN 'buurt' ELSE l.geocode_precisie END AS geocode_precisie,
       l.geocode_bron, l.buurtcode, l.wijkcode, l.gemeentecode,
       round(ST_Y(ST_Transform(p.geom, 4326))::numeric, 7) AS kaart_lat,
       round(ST_X(ST_Transform(p.geom, 4326))::numeric, 7) AS kaart_lon,
       o.bron, a.bron_id AS aanbod_key,
       CASE WHEN p.hide THEN 'vertrouwelijk-' || l.id ELSE l.bron_id END AS loc_key,
       CASE WHEN NOT p.hide THEN l.telefoon END AS locatie_telefoon,
       -- HSDS fields without a column (geo/records/hsds_objects.py); none for a generalised location
       o.hsds::text AS org_hsds, a.hsds::text AS aanbod_hsds,
       CASE WHEN p.hide THEN '{}' ELSE l.hsds::text END AS loc_hsds,
       CASE WHEN p.hide THEN '{}' ELSE al.hsds::text END AS sal_hsds,
       a.openingstijden::text AS openingstijden_json
FROM aanbod_locatie al
JOIN aanbod a ON a.id = al.aanbod_id
JOIN organisatie o ON o.id = a.organisatie_id
JOIN locatie l ON l.id = al.locatie_id
LEFT JOIN gebied b ON b.code = l.buurtcode
CROSS JOIN LATERAL (
    SELECT hide, CASE WHEN hide THEN ST_PointOnSurface(b.geom) ELSE l.geom END AS geom
    FROM (SELECT CAST(:generalise AS boolean) AND l.vertrouwelijk AS hide) h
) p
WHERE o.status = 'gepubliceerd' AND a.status = 'gepubliceerd' AND l.status = 'gepubliceerd'
  AND al.zichtbaarheid::text = ANY(:zichtbaarheid) AND a.zichtbaarheid::text = ANY(:zichtbaarheid)
  AND o.zichtbaarheid::text = ANY(:zichtbaarheid) AND l.zichtbaarheid::text = ANY(:zichtbaarheid)
  AND NOT (p.hide AND b.code IS NULL)
  AND (CAST(:bron AS text) IS NULL OR o.bron = :bron)
  AND (CAST(:gemeentecode AS text) IS NULL OR l.gemeentecode = :gemeentecode)
ORDER BY o.bron, o.bron_id, a.bron_id, al.bron_id;
