-- Coverage that a policy adviser can act on (docs/ANALYSIS.md §7): per result the judgement
-- (tekort, geen tekort, te weinig inwoners, geen gegevens), whether supply outside the
-- loaded region may be missing (randeffect, with the share of residents it concerns) and
-- whether the 65+ count is partly estimated (geschat). laag_dekking shows them; the view
-- keeps its columns and adds these at the end, so its grants stay.

ALTER TABLE analyse_resultaat
    ADD COLUMN beoordeling text
        CHECK (beoordeling IN ('tekort', 'geen tekort', 'te weinig inwoners', 'geen gegevens')),
    ADD COLUMN randeffect boolean,
    ADD COLUMN pct_rand double precision CHECK (pct_rand BETWEEN 0 AND 100),
    ADD COLUMN geschat boolean,
    ADD COLUMN pct_geschat double precision CHECK (pct_geschat BETWEEN 0 AND 100),
    ADD CONSTRAINT analyse_resultaat_beoordeling_vlag
        CHECK (beoordeling IS NULL OR flagged = (beoordeling = 'tekort'));
COMMENT ON COLUMN analyse_resultaat.randeffect IS
    'Randeffect mogelijk: voor een deel van de inwoners kan aanbod net buiten de geladen gemeenten (ook over de grens) dichterbij liggen.';
COMMENT ON COLUMN analyse_resultaat.geschat IS
    'Het aantal 65-plussers is deels geschat (door het CBS niet gepubliceerde kleine aantallen).';

CREATE OR REPLACE VIEW laag_dekking AS
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
       g.geom::geometry(MultiPolygon, 28992) AS geom,
       r.beoordeling, r.randeffect, round(r.pct_rand::numeric, 1) AS pct_rand, r.geschat
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
COMMENT ON COLUMN laag_dekking.beoordeling IS
    'Oordeel: tekort, geen tekort, te weinig inwoners of geen gegevens.';
COMMENT ON COLUMN laag_dekking.randeffect IS
    'Randeffect mogelijk: aanbod net buiten het gebied met gegevens telt niet mee.';
GRANT SELECT ON laag_dekking TO sociale_kaart_web;
