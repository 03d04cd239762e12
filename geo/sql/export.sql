-- name: rows
-- One row per service at a location, in the flat import format plus read-only extras.
-- Visibility filter: :zichtbaarheid lists what the caller's role may see.
SELECT al.bron_id AS id, o.naam AS organisatie, o.bron_id AS organisatie_id, o.kvk_nummer AS kvk,
       o.omschrijving, a.naam AS aanbod, a.omschrijving AS aanbod_omschrijving,
       (SELECT string_agg(t.thema_slug, '; ' ORDER BY th.volgorde) FROM aanbod_thema t
          JOIN thema th ON th.slug = t.thema_slug WHERE t.aanbod_id = a.id) AS thema,
       (SELECT string_agg(d.doelgroep_slug, '; ' ORDER BY dg.volgorde) FROM aanbod_doelgroep d
          JOIN doelgroep dg ON dg.slug = d.doelgroep_slug WHERE d.aanbod_id = a.id) AS doelgroep,
       l.naam AS locatie_naam, l.straat, l.huisnummer, l.huisletter, l.toevoeging, l.postcode,
       l.woonplaats AS plaats,
       CASE WHEN l.geocode_precisie = 'handmatig' THEN
            round(ST_Y(ST_Transform(l.geom, 4326))::numeric, 7) END AS lat,
       CASE WHEN l.geocode_precisie = 'handmatig' THEN
            round(ST_X(ST_Transform(l.geom, 4326))::numeric, 7) END AS lon,
       o.telefoon, o.email, o.website, a.openingstijden ->> 'tekst' AS openingstijden,
       a.kosten, a.aanmelden, a.voorwaarden, l.toegankelijkheid,
       array_to_string(a.talen, '; ') AS talen, a.capaciteit,
       CASE WHEN l.vertrouwelijk THEN 'ja' ELSE 'nee' END AS vertrouwelijk,
       al.zichtbaarheid::text AS zichtbaarheid,
       coalesce(a.laatst_geverifieerd_op, o.laatst_geverifieerd_op) AS laatst_geverifieerd,
       CASE WHEN o.synthetisch THEN 'ja' ELSE 'nee' END AS synthetisch,
       l.geocode_precisie, l.geocode_bron, l.buurtcode, l.wijkcode, l.gemeentecode,
       round(ST_Y(ST_Transform(l.geom, 4326))::numeric, 7) AS kaart_lat,
       round(ST_X(ST_Transform(l.geom, 4326))::numeric, 7) AS kaart_lon,
       o.bron, a.bron_id AS aanbod_key, l.bron_id AS loc_key
FROM aanbod_locatie al
JOIN aanbod a ON a.id = al.aanbod_id
JOIN organisatie o ON o.id = a.organisatie_id
JOIN locatie l ON l.id = al.locatie_id
WHERE o.status = 'gepubliceerd'
  AND al.zichtbaarheid::text = ANY(:zichtbaarheid) AND a.zichtbaarheid::text = ANY(:zichtbaarheid)
  AND o.zichtbaarheid::text = ANY(:zichtbaarheid) AND l.zichtbaarheid::text = ANY(:zichtbaarheid)
  AND (CAST(:bron AS text) IS NULL OR o.bron = :bron)
  AND (CAST(:gemeentecode AS text) IS NULL OR l.gemeentecode = :gemeentecode)
ORDER BY o.bron, o.bron_id, a.bron_id, al.bron_id;
