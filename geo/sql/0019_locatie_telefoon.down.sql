-- Back to the view of 0014 (the organisation's number only), then drop the column.
CREATE OR REPLACE VIEW voorzieningen_basis AS
SELECT al.id,
       o.id AS organisatie_id,
       o.naam AS organisatie,
       a.naam AS aanbod,
       coalesce(a.omschrijving, o.omschrijving) AS omschrijving,
       (SELECT string_agg(t.thema_slug, '; ' ORDER BY t.thema_slug) FROM aanbod_thema t
         WHERE t.aanbod_id = a.id) AS thema,
       (SELECT string_agg(d.doelgroep_slug, '; ' ORDER BY d.doelgroep_slug) FROM aanbod_doelgroep d
         WHERE d.aanbod_id = a.id) AS doelgroep,
       l.straat,
       concat_ws('-', l.huisnummer::text || coalesce(l.huisletter, ''), l.toevoeging) AS huisnummer,
       l.postcode,
       l.woonplaats AS plaats,
       o.telefoon, o.email, o.website,
       a.openingstijden ->> 'tekst' AS openingstijden,
       a.kosten, a.aanmelden, l.toegankelijkheid,
       l.geocode_precisie,
       l.geocode_bron,
       l.buurtcode, l.wijkcode, l.gemeentecode,
       o.bron, o.synthetisch,
       coalesce(a.laatst_geverifieerd_op, o.laatst_geverifieerd_op) AS laatst_geverifieerd_op,
       l.vertrouwelijk,
       greatest(o.zichtbaarheid, a.zichtbaarheid, l.zichtbaarheid, al.zichtbaarheid)::text
           AS zichtbaarheid,
       ARRAY(SELECT t.thema_slug FROM aanbod_thema t WHERE t.aanbod_id = a.id) AS themas,
       ARRAY(SELECT d.doelgroep_slug FROM aanbod_doelgroep d WHERE d.aanbod_id = a.id)
           AS doelgroepen,
       l.geom
FROM aanbod_locatie al
JOIN aanbod a ON a.id = al.aanbod_id
JOIN organisatie o ON o.id = a.organisatie_id
JOIN locatie l ON l.id = al.locatie_id
WHERE o.status = 'gepubliceerd' AND a.status = 'gepubliceerd' AND l.status = 'gepubliceerd'
  AND l.geom IS NOT NULL;

ALTER TABLE locatie DROP COLUMN telefoon;
