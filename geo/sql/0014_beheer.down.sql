-- Editors' geocoding cache grant (appended last to 0014_beheer.up.sql).
REVOKE ALL ON geocode_cache FROM sociale_kaart_web;
-- HSDS 3.0 fields (appended last to 0014_beheer.up.sql).
ALTER TABLE contactpersoon DROP CONSTRAINT IF EXISTS contactpersoon_bron,
    DROP COLUMN IF EXISTS bron, DROP COLUMN IF EXISTS bron_id;
ALTER TABLE aanbod_locatie DROP COLUMN IF EXISTS hsds;
ALTER TABLE locatie DROP COLUMN IF EXISTS hsds;
ALTER TABLE aanbod DROP COLUMN IF EXISTS hsds;
ALTER TABLE organisatie DROP COLUMN IF EXISTS hsds;
-- The editors' audited link function (appended last to 0014_beheer.up.sql).
DROP FUNCTION IF EXISTS aanbod_koppelingen_zetten(bigint, text[], text[], bigint[]);
REVOKE INSERT, UPDATE ON organisatie, aanbod, locatie FROM sociale_kaart_web;
REVOKE ALL ON contactpersoon, aanbod_thema, aanbod_doelgroep, wijziging, import_run,
    mogelijk_dubbel FROM sociale_kaart_web;
REVOKE INSERT, UPDATE, DELETE ON aanbod_locatie FROM sociale_kaart_web;
REVOKE UPDATE ON melding FROM sociale_kaart_web;
REVOKE SELECT ON melding FROM sociale_kaart_web;
GRANT SELECT (id) ON melding TO sociale_kaart_web;
GRANT SELECT ON aanbod_thema, aanbod_doelgroep TO sociale_kaart_web;

ALTER FUNCTION wijziging_vastleggen() SECURITY INVOKER;
ALTER FUNCTION data_versie_ophogen() SECURITY INVOKER;
ALTER FUNCTION zoekdocument_markeren(bigint[]) SECURITY INVOKER;
ALTER FUNCTION zoekdocument_verwerken() SECURITY INVOKER;
ALTER FUNCTION zoekdocument_na_aanbod() SECURITY INVOKER;
ALTER FUNCTION zoekdocument_na_organisatie() SECURITY INVOKER;
ALTER FUNCTION zoekdocument_na_koppeling() SECURITY INVOKER;
ALTER FUNCTION locatie_gebieden() SECURITY INVOKER;
CREATE OR REPLACE FUNCTION wijziging_gebruiker() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('sociale_kaart.gebruiker', true), ''), current_user)
$$;

DROP INDEX wijziging_tijdstip;
DROP TRIGGER contactpersoon_wijziging_ins ON contactpersoon;
DROP TRIGGER contactpersoon_wijziging_upd ON contactpersoon;
DROP TRIGGER contactpersoon_wijziging_del ON contactpersoon;

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
WHERE o.status = 'gepubliceerd' AND l.geom IS NOT NULL;

ALTER TABLE contactpersoon DROP COLUMN status, DROP COLUMN versie, DROP COLUMN gewijzigd_op;
ALTER TABLE locatie DROP COLUMN status;
ALTER TABLE aanbod DROP COLUMN status;

DROP TABLE verificatie_verzoek, verificatie_ronde, aanmelding, importwaarschuwing;
ALTER TABLE mogelijk_dubbel DROP COLUMN toegewezen_aan, DROP COLUMN afgehandeld_door,
    DROP COLUMN afgehandeld_op, DROP COLUMN bericht;
ALTER TABLE melding DROP COLUMN toegewezen_aan, DROP COLUMN afgehandeld_door,
    DROP COLUMN afgehandeld_op, DROP COLUMN bericht;
DROP TABLE wachtwoord_herstel, inlogpoging, sessie, gebruiker;
