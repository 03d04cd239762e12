-- Coverage analysis (docs/ANALYSIS.md §11): one row per run with its parameters and data vintages,
-- one row per run × area × theme × target group with the indicators, the flag and its
-- reasons, and location suggestions. Published as the view laag_dekking (OGC `dekking`).

CREATE TABLE analyse_run (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    gestart_op    timestamptz NOT NULL DEFAULT now(),
    klaar_op      timestamptz,
    status        text NOT NULL DEFAULT 'bezig' CHECK (status IN ('bezig', 'klaar', 'mislukt')),
    themas        text[] NOT NULL,
    gemeenten     text[] NOT NULL DEFAULT '{}',
    vraagniveau   text NOT NULL DEFAULT 'onbekend',
    parameters    jsonb NOT NULL DEFAULT '{}',
    data_versies  jsonb NOT NULL DEFAULT '{}',
    meldingen     jsonb NOT NULL DEFAULT '[]',
    fout          text,
    CHECK ((status = 'bezig') = (klaar_op IS NULL))
);
COMMENT ON TABLE analyse_run IS
    'Dekkingsanalyse: één rij per run met parameters (JSON), dataversies, vraagniveau en tijdstip.';

CREATE TABLE analyse_resultaat (
    run_id              bigint NOT NULL REFERENCES analyse_run (id) ON DELETE CASCADE,
    gebiedcode          text NOT NULL,
    niveau              text NOT NULL CHECK (niveau IN ('gemeente', 'wijk', 'buurt')),
    thema_slug          text NOT NULL REFERENCES thema (slug) ON UPDATE CASCADE,
    doelgroep           text NOT NULL CHECK (doelgroep IN ('iedereen', 'ouderen')),
    inwoners            double precision CHECK (inwoners >= 0),
    vraagniveau         text CHECK (vraagniveau IN ('pc6', 'pc4', 'buurt', 'gemengd')),
    capaciteit_basis    text NOT NULL CHECK (capaciteit_basis IN ('capaciteit', 'gemengd', 'aantal')),
    drempel_m           integer NOT NULL CHECK (drempel_m > 0),
    afstand_m           double precision CHECK (afstand_m >= 0),
    aantal_1km          double precision CHECK (aantal_1km >= 0),
    aantal_3km          double precision CHECK (aantal_3km >= 0),
    aantal_5km          double precision CHECK (aantal_5km >= 0),
    pct_verder          double precision CHECK (pct_verder BETWEEN 0 AND 100),
    a_klein             double precision CHECK (a_klein >= 0),
    a_midden            double precision CHECK (a_midden >= 0),
    a_groot             double precision CHECK (a_groot >= 0),
    spar_klein          double precision CHECK (spar_klein >= 0),
    spar                double precision CHECK (spar >= 0),
    spar_groot          double precision CHECK (spar_groot >= 0),
    lisa                text CHECK (lisa IN ('HH', 'LH', 'LL', 'HL', 'ns')),
    gi_z                double precision,
    koude_plek          boolean,
    flagged             boolean NOT NULL DEFAULT false,
    flag_level          text CHECK (flag_level IN ('ernstig', 'matig')),
    redenen             jsonb NOT NULL DEFAULT '[]',
    zin                 text NOT NULL,
    null_reden          text,
    PRIMARY KEY (run_id, thema_slug, doelgroep, gebiedcode),
    CHECK (flagged = (flag_level IS NOT NULL)),
    -- A missing indicator always says why.
    CHECK (null_reden IS NOT NULL OR (afstand_m IS NOT NULL AND spar IS NOT NULL
                                      AND pct_verder IS NOT NULL))
);
CREATE INDEX analyse_resultaat_actueel
    ON analyse_resultaat (gebiedcode, thema_slug, doelgroep, run_id);
COMMENT ON TABLE analyse_resultaat IS
    'Dekkingsanalyse per run, gebied, thema en doelgroep: indicatoren, vlag, redenen en uitleg.';
COMMENT ON COLUMN analyse_resultaat.spar IS
    'E2SFCA-bereikbaarheid gedeeld door het regionale niveau (1 = gemiddeld), middelste vanggebied.';

CREATE TABLE analyse_locatievoorstel (
    run_id          bigint NOT NULL REFERENCES analyse_run (id) ON DELETE CASCADE,
    thema_slug      text NOT NULL REFERENCES thema (slug) ON UPDATE CASCADE,
    gemeentecode    text NOT NULL,
    extra           integer NOT NULL CHECK (extra BETWEEN 1 AND 10),
    volgnummer      integer NOT NULL CHECK (volgnummer >= 1),
    buurtcode       text,
    nieuw_bereikt   double precision NOT NULL CHECK (nieuw_bereikt >= 0),
    al_bereikt      double precision NOT NULL CHECK (al_bereikt >= 0),
    inwoners        double precision NOT NULL CHECK (inwoners >= 0),
    drempel_m       integer NOT NULL,
    zin             text NOT NULL,
    geom            geometry(Point, 28992) NOT NULL,
    PRIMARY KEY (run_id, thema_slug, gemeentecode, extra, volgnummer)
);
COMMENT ON TABLE analyse_locatievoorstel IS
    'Waar aanbod toevoegen: maximale dekking (spopt MCLP, bestaand aanbod vast) voor 1, 2, 3 extra locaties.';

-- Published: the latest finished result per area, theme and target group is marked actueel.
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

CREATE VIEW laag_dekking_locatievoorstel AS
SELECT v.run_id || '-' || v.thema_slug || '-' || v.gemeentecode || '-' || v.extra || '-'
           || v.volgnummer AS id,
       v.run_id AS run, v.thema_slug AS thema, v.gemeentecode, v.buurtcode, v.extra,
       v.volgnummer, round(v.nieuw_bereikt)::integer AS nieuw_bereikt,
       round(v.al_bereikt)::integer AS al_bereikt, round(v.inwoners)::integer AS inwoners,
       v.drempel_m, v.zin, ARRAY[v.thema_slug] AS themas,
       v.geom
FROM analyse_locatievoorstel v
JOIN analyse_run ar ON ar.id = v.run_id AND ar.status = 'klaar';
COMMENT ON VIEW laag_dekking_locatievoorstel IS
    'Dekking: locatievoorstellen|Waar extra aanbod de meeste inwoners binnen de drempelafstand '
    'brengt (maximale dekking, bestaand aanbod vast), voor 1, 2 en 3 extra locaties per gemeente.';
