-- Back to the view and table of 0008 (the view is recreated, so its grant is repeated).
DROP VIEW laag_dekking;
ALTER TABLE analyse_resultaat
    DROP CONSTRAINT analyse_resultaat_beoordeling_vlag,
    DROP COLUMN beoordeling, DROP COLUMN randeffect, DROP COLUMN pct_rand,
    DROP COLUMN geschat, DROP COLUMN pct_geschat;

CREATE VIEW laag_dekking AS
SELECT r.run_id || '-' || r.gebiedcode || '-' || r.thema_slug || '-' || r.doelgroep AS id,
       r.run_id,
       r.run_id AS run,
       r.thema_slug AS thema,
       r.doelgroep,
       r.niveau,
       r.gebiedcode,
       g.naam,
       g.gemeentecode,
       coalesce(g.wijkcode, CASE WHEN g.niveau = 'wijk' THEN g.code END) AS wijkcode,
       CASE WHEN g.niveau = 'buurt' THEN g.code END AS buurtcode,
       NOT EXISTS (SELECT 1 FROM analyse_resultaat n JOIN analyse_run nr ON nr.id = n.run_id
                   WHERE n.gebiedcode = r.gebiedcode AND n.thema_slug = r.thema_slug
                     AND n.doelgroep = r.doelgroep AND n.run_id > r.run_id
                     AND nr.status = 'klaar') AS actueel,
       round(r.inwoners)::integer AS inwoners,
       r.vraagniveau, r.capaciteit_basis, r.drempel_m,
       round(r.afstand_m::numeric)::integer AS afstand_m,
       round(r.aantal_1km::numeric, 2) AS aantal_1km,
       round(r.aantal_3km::numeric, 2) AS aantal_3km,
       round(r.aantal_5km::numeric, 2) AS aantal_5km,
       round(r.pct_verder::numeric, 1) AS pct_verder,
       r.spar_klein, r.spar, r.spar_groot, r.a_midden,
       r.lisa, r.gi_z, r.koude_plek,
       r.flagged, r.flag_level,
       r.redenen::text AS redenen,
       r.zin, r.null_reden,
       ARRAY[r.thema_slug] AS themas,
       ARRAY[r.doelgroep] AS doelgroepen,
       g.geom::geometry(MultiPolygon, 28992) AS geom
FROM analyse_resultaat r
JOIN analyse_run ar ON ar.id = r.run_id AND ar.status = 'klaar'
JOIN gebied g ON g.code = r.gebiedcode;
COMMENT ON VIEW laag_dekking IS
    'Dekking|Dekkingsanalyse per buurt, wijk en gemeente, per thema en doelgroep: afstand tot het '
    'dichtstbijzijnde aanbod, aanbod binnen 1/3/5 km, aandeel inwoners verder dan de drempel, '
    'E2SFCA-bereikbaarheid (SPAR, 1 = regionaal gemiddelde) en vlaggen met redenen. Filter op '
    'thema, run en niveau.';
COMMENT ON COLUMN laag_dekking.spar IS
    'Aanbod per inwoner binnen bereik t.o.v. de regio (E2SFCA, 1 = gemiddeld).';
COMMENT ON COLUMN laag_dekking.pct_verder IS
    'Aandeel inwoners (procent) verder dan drempel_m van het dichtstbijzijnde aanbod.';
COMMENT ON COLUMN laag_dekking.actueel IS 'Resultaat van de laatste afgeronde run voor dit gebied.';
GRANT SELECT ON laag_dekking TO sociale_kaart_web;
