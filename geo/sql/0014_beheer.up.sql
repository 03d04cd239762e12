-- Editors keep the map alive (docs/ARCHITECTURE.md §13): accounts and sessions, the inboxes
-- (meldingen, possible duplicates, import warnings, self-registrations), verification
-- rounds, archiving of services and locations, and the web role's write grants.

----------------------------------------------------------------------------- accounts
CREATE TABLE gebruiker (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email               text NOT NULL UNIQUE
                        CHECK (email = lower(email) AND length(email) <= 254
                               AND email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    naam                text,
    rol                 text NOT NULL CHECK (rol IN ('beheerder', 'redacteur', 'professional')),
    -- Scope: CBS gemeentecodes (GM....), and for professionals wijk/buurt codes (WK/BU).
    -- Empty: the whole region.
    gemeenten           text[] NOT NULL DEFAULT '{}',
    gebieden            text[] NOT NULL DEFAULT '{}',
    wachtwoord_hash     text NOT NULL,
    actief              boolean NOT NULL DEFAULT true,
    aangemaakt_op       timestamptz NOT NULL DEFAULT now(),
    laatst_ingelogd_op  timestamptz,
    wachtwoord_gewijzigd_op timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE gebruiker IS 'Intern: accounts van beheerders, redacteuren en professionals.';

-- One row per signed-in session: the cookie carries a random token, this table its hash.
-- Logging out, disabling an account or resetting its password ends its sessions at once.
CREATE TABLE sessie (
    token_hash      text PRIMARY KEY,
    gebruiker_id    bigint NOT NULL REFERENCES gebruiker (id) ON DELETE CASCADE,
    aangemaakt_op   timestamptz NOT NULL DEFAULT now(),
    laatst_actief   timestamptz NOT NULL DEFAULT now(),
    beeindigd_op    timestamptz
);
CREATE INDEX sessie_gebruiker ON sessie (gebruiker_id) WHERE beeindigd_op IS NULL;
COMMENT ON TABLE sessie IS 'Intern: aangemelde sessies (alleen de hash van het token).';

-- Failed logins per (e-mail address, client network): a lockout never reaches other
-- clients, so nobody can lock an editor out from elsewhere.
CREATE TABLE inlogpoging (
    email            text NOT NULL,
    client           text NOT NULL,
    mislukt          integer NOT NULL DEFAULT 0,
    eerste_op        timestamptz NOT NULL DEFAULT now(),
    geblokkeerd_tot  timestamptz,
    PRIMARY KEY (email, client)
);

CREATE TABLE wachtwoord_herstel (
    token_hash      text PRIMARY KEY,
    gebruiker_id    bigint NOT NULL REFERENCES gebruiker (id) ON DELETE CASCADE,
    aangevraagd_op  timestamptz NOT NULL DEFAULT now(),
    verloopt_op     timestamptz NOT NULL,
    gebruikt_op     timestamptz
);

---------------------------------------------------------------------------- inboxes
-- Every queue item can be assigned to an editor and is closed with a message.
ALTER TABLE melding
    ADD COLUMN toegewezen_aan   bigint REFERENCES gebruiker (id) ON DELETE SET NULL,
    ADD COLUMN afgehandeld_door bigint REFERENCES gebruiker (id) ON DELETE SET NULL,
    ADD COLUMN afgehandeld_op   timestamptz,
    ADD COLUMN bericht          text CHECK (length(bericht) <= 4000);
ALTER TABLE mogelijk_dubbel
    ADD COLUMN toegewezen_aan   bigint REFERENCES gebruiker (id) ON DELETE SET NULL,
    ADD COLUMN afgehandeld_door bigint REFERENCES gebruiker (id) ON DELETE SET NULL,
    ADD COLUMN afgehandeld_op   timestamptz,
    ADD COLUMN bericht          text CHECK (length(bericht) <= 4000);

-- Import warnings (secondary fields the importer kept out), one row per warning.
CREATE TABLE importwaarschuwing (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    import_run_id    bigint REFERENCES import_run (id) ON DELETE CASCADE,
    bron             text NOT NULL,
    regel            integer,
    kolom            text,
    waarde           text,
    reden            text NOT NULL,
    organisatie_id   bigint REFERENCES organisatie (id) ON DELETE CASCADE,
    status           text NOT NULL DEFAULT 'open'
                     CHECK (status IN ('open', 'in_behandeling', 'afgehandeld', 'afgewezen')),
    toegewezen_aan   bigint REFERENCES gebruiker (id) ON DELETE SET NULL,
    afgehandeld_door bigint REFERENCES gebruiker (id) ON DELETE SET NULL,
    afgehandeld_op   timestamptz,
    bericht          text CHECK (length(bericht) <= 4000),
    gevonden_op      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX importwaarschuwing_open ON importwaarschuwing (gevonden_op)
    WHERE status IN ('open', 'in_behandeling');

-- Self-registrations and proposed changes (/aanmelden, answers to verification links):
-- nothing is published before an editor approves.
CREATE TABLE aanmelding (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    soort            text NOT NULL CHECK (soort IN ('nieuw', 'wijziging', 'verificatie')),
    organisatie_id   bigint REFERENCES organisatie (id) ON DELETE CASCADE,
    gegevens         jsonb NOT NULL,
    naam             text CHECK (length(naam) <= 200),
    email            text NOT NULL CHECK (length(email) <= 254
                                          AND email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    gemeentecode     text,
    status           text NOT NULL DEFAULT 'nieuw'
                     CHECK (status IN ('nieuw', 'in_behandeling', 'goedgekeurd', 'afgewezen')),
    toegewezen_aan   bigint REFERENCES gebruiker (id) ON DELETE SET NULL,
    afgehandeld_door bigint REFERENCES gebruiker (id) ON DELETE SET NULL,
    afgehandeld_op   timestamptz,
    bericht          text CHECK (length(bericht) <= 4000),
    ingediend_op     timestamptz NOT NULL DEFAULT now(),
    CHECK (soort = 'nieuw' OR organisatie_id IS NOT NULL)
);
CREATE INDEX aanmelding_open ON aanmelding (ingediend_op) WHERE status IN ('nieuw', 'in_behandeling');
COMMENT ON TABLE aanmelding IS 'Intern: aanmeldingen en voorgestelde wijzigingen, wachten op een redacteur.';

------------------------------------------------------------------ verification rounds
CREATE TABLE verificatie_ronde (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    gemeentecode        text NOT NULL,
    ouder_dan_maanden   integer NOT NULL DEFAULT 12 CHECK (ouder_dan_maanden >= 0),
    gestart_op          timestamptz NOT NULL DEFAULT now(),
    gestart_door        text NOT NULL,
    geldig_dagen        integer NOT NULL DEFAULT 30 CHECK (geldig_dagen > 0),
    herinneren_na_dagen integer NOT NULL DEFAULT 14 CHECK (herinneren_na_dagen > 0)
);

-- One single-use link per organisation and round; the link is signed and names this row.
CREATE TABLE verificatie_verzoek (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ronde_id        bigint NOT NULL REFERENCES verificatie_ronde (id) ON DELETE CASCADE,
    organisatie_id  bigint NOT NULL REFERENCES organisatie (id) ON DELETE CASCADE,
    email           text,
    verzonden_op    timestamptz,
    herinnerd_op    timestamptz,
    geopend_op      timestamptz,
    beantwoord_op   timestamptz,
    antwoord        text CHECK (antwoord IN ('klopt', 'gewijzigd')),
    verloopt_op     timestamptz NOT NULL,
    UNIQUE (ronde_id, organisatie_id)
);

-------------------------------------------------------------------------- archiving
-- Services, locations and contact persons are archived, never deleted by editors, so any
-- earlier version can be restored; published layers show only 'gepubliceerd'.
ALTER TABLE aanbod ADD COLUMN status text NOT NULL DEFAULT 'gepubliceerd'
    CHECK (status IN ('gepubliceerd', 'gearchiveerd'));
ALTER TABLE locatie ADD COLUMN status text NOT NULL DEFAULT 'gepubliceerd'
    CHECK (status IN ('gepubliceerd', 'gearchiveerd'));
ALTER TABLE contactpersoon
    ADD COLUMN status text NOT NULL DEFAULT 'gepubliceerd'
        CHECK (status IN ('gepubliceerd', 'gearchiveerd')),
    ADD COLUMN versie integer NOT NULL DEFAULT 1,
    ADD COLUMN gewijzigd_op timestamptz NOT NULL DEFAULT now();

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

-- Contact persons get the same audit trail as the other records.
DO $$
BEGIN
    EXECUTE 'CREATE TRIGGER contactpersoon_wijziging_ins AFTER INSERT ON contactpersoon
             REFERENCING NEW TABLE AS nieuw FOR EACH STATEMENT EXECUTE FUNCTION wijziging_vastleggen()';
    EXECUTE 'CREATE TRIGGER contactpersoon_wijziging_upd AFTER UPDATE ON contactpersoon
             REFERENCING OLD TABLE AS oud NEW TABLE AS nieuw
             FOR EACH STATEMENT EXECUTE FUNCTION wijziging_vastleggen()';
    EXECUTE 'CREATE TRIGGER contactpersoon_wijziging_del AFTER DELETE ON contactpersoon
             REFERENCING OLD TABLE AS oud FOR EACH STATEMENT EXECUTE FUNCTION wijziging_vastleggen()';
END $$;
CREATE INDEX wijziging_tijdstip ON wijziging (tijdstip);

----------------------------------------------------------------- the web role writes
-- The triggers behind every record write (audit trail, search documents, data versions,
-- area codes) run as their owner, so editors' writes need no grants on those tables.
ALTER FUNCTION wijziging_vastleggen() SECURITY DEFINER SET search_path = public, pg_temp;
-- Inside those owner-run triggers current_user is the owner: name the login instead.
CREATE OR REPLACE FUNCTION wijziging_gebruiker() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('sociale_kaart.gebruiker', true), ''), session_user)
$$;
ALTER FUNCTION data_versie_ophogen() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION zoekdocument_markeren(bigint[]) SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION zoekdocument_verwerken() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION zoekdocument_na_aanbod() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION zoekdocument_na_organisatie() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION zoekdocument_na_koppeling() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION locatie_gebieden() SECURITY DEFINER SET search_path = public, pg_temp;

-- Records: editors create, change and archive (no DELETE: archiving keeps the history).
GRANT INSERT, UPDATE ON organisatie, aanbod, locatie TO sociale_kaart_web;
GRANT SELECT, INSERT, UPDATE ON contactpersoon TO sociale_kaart_web;
GRANT INSERT, UPDATE, DELETE ON aanbod_thema, aanbod_doelgroep, aanbod_locatie TO sociale_kaart_web;
GRANT SELECT ON wijziging, import_run TO sociale_kaart_web;
-- Accounts, sessions, inboxes, verification.
GRANT SELECT, INSERT, UPDATE ON gebruiker, sessie, inlogpoging, wachtwoord_herstel,
    aanmelding, importwaarschuwing, verificatie_ronde, verificatie_verzoek TO sociale_kaart_web;
GRANT DELETE ON inlogpoging TO sociale_kaart_web;
GRANT SELECT, UPDATE ON melding, mogelijk_dubbel TO sociale_kaart_web;

------------------------------------------- editors: the links of a service, audited
-- (Added for the editors' record screens, geo/records/editing.py.) The links of a service
-- (themes, target groups, locations) have no audit trigger of their own: imports write them
-- in bulk. Editors set them through this function, which replaces the links and records one
-- audit row on the service with the lists that changed, as {"themas": [old, new], ...}
-- (also "doelgroepen" and "locaties"). A NULL list leaves that link as it is. The diff is
-- computed here from the tables, so a caller cannot write an audit row of its choosing.
CREATE FUNCTION aanbod_koppelingen_zetten(
    p_aanbod bigint, p_themas text[], p_doelgroepen text[], p_locaties bigint[]
) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    org bigint;
    oud jsonb;
    nieuw jsonb;
    verschil jsonb := '{}';
BEGIN
    SELECT organisatie_id INTO org FROM aanbod WHERE id = p_aanbod;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'aanbod % bestaat niet', p_aanbod;
    END IF;
    IF p_themas IS NOT NULL THEN
        SELECT coalesce(jsonb_agg(thema_slug ORDER BY thema_slug), '[]') INTO oud
          FROM aanbod_thema WHERE aanbod_id = p_aanbod;
        DELETE FROM aanbod_thema WHERE aanbod_id = p_aanbod AND thema_slug <> ALL (p_themas);
        INSERT INTO aanbod_thema (aanbod_id, thema_slug)
        SELECT DISTINCT p_aanbod, s FROM unnest(p_themas) s ON CONFLICT DO NOTHING;
        SELECT coalesce(jsonb_agg(thema_slug ORDER BY thema_slug), '[]') INTO nieuw
          FROM aanbod_thema WHERE aanbod_id = p_aanbod;
        IF oud IS DISTINCT FROM nieuw THEN
            verschil := verschil || jsonb_build_object('themas', jsonb_build_array(oud, nieuw));
        END IF;
    END IF;
    IF p_doelgroepen IS NOT NULL THEN
        SELECT coalesce(jsonb_agg(doelgroep_slug ORDER BY doelgroep_slug), '[]') INTO oud
          FROM aanbod_doelgroep WHERE aanbod_id = p_aanbod;
        DELETE FROM aanbod_doelgroep
         WHERE aanbod_id = p_aanbod AND doelgroep_slug <> ALL (p_doelgroepen);
        INSERT INTO aanbod_doelgroep (aanbod_id, doelgroep_slug)
        SELECT DISTINCT p_aanbod, s FROM unnest(p_doelgroepen) s ON CONFLICT DO NOTHING;
        SELECT coalesce(jsonb_agg(doelgroep_slug ORDER BY doelgroep_slug), '[]') INTO nieuw
          FROM aanbod_doelgroep WHERE aanbod_id = p_aanbod;
        IF oud IS DISTINCT FROM nieuw THEN
            verschil := verschil || jsonb_build_object('doelgroepen', jsonb_build_array(oud, nieuw));
        END IF;
    END IF;
    IF p_locaties IS NOT NULL THEN
        IF EXISTS (SELECT 1 FROM unnest(p_locaties) u(id)
                   WHERE NOT EXISTS (SELECT 1 FROM locatie l
                                     WHERE l.id = u.id AND l.organisatie_id = org)) THEN
            RAISE EXCEPTION 'locatie hoort niet bij de organisatie van aanbod %', p_aanbod;
        END IF;
        SELECT coalesce(jsonb_agg(locatie_id ORDER BY locatie_id), '[]') INTO oud
          FROM aanbod_locatie WHERE aanbod_id = p_aanbod;
        DELETE FROM aanbod_locatie WHERE aanbod_id = p_aanbod AND locatie_id <> ALL (p_locaties);
        INSERT INTO aanbod_locatie (aanbod_id, locatie_id, bron, bron_id)
        SELECT DISTINCT p_aanbod, s, 'redactie', p_aanbod || '@' || s
        FROM unnest(p_locaties) s ON CONFLICT DO NOTHING;
        SELECT coalesce(jsonb_agg(locatie_id ORDER BY locatie_id), '[]') INTO nieuw
          FROM aanbod_locatie WHERE aanbod_id = p_aanbod;
        IF oud IS DISTINCT FROM nieuw THEN
            verschil := verschil || jsonb_build_object('locaties', jsonb_build_array(oud, nieuw));
        END IF;
    END IF;
    IF verschil <> '{}' THEN
        INSERT INTO wijziging (tabel, record_id, actie, gebruiker, diff)
        VALUES ('aanbod', p_aanbod, 'update', wijziging_gebruiker(), verschil);
    END IF;
END $$;
REVOKE ALL ON FUNCTION aanbod_koppelingen_zetten(bigint, text[], text[], bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION aanbod_koppelingen_zetten(bigint, text[], text[], bigint[])
    TO sociale_kaart_web;

------------------------------------------- HSDS 3.0: the fields without a column of their own
-- (Added for the HSDS import and export, geo/records/hsds*.py.) HSDS objects carry fields
-- that matter for a social map but have no column here: alternate names, a parent
-- organisation, other identifiers, phones per object with type and extension, age
-- eligibility, cost options, required documents, service areas, schedules with their
-- validity and free text, location descriptions, postal addresses, every taxonomy term.
-- They are kept in HSDS shape in one jsonb per record, so the export writes them back as
-- they came in. Contacts become contact persons (internal, never public); bron and bron_id
-- let a re-import update them instead of adding them again.
ALTER TABLE organisatie ADD COLUMN hsds jsonb NOT NULL DEFAULT '{}';
ALTER TABLE aanbod ADD COLUMN hsds jsonb NOT NULL DEFAULT '{}';
ALTER TABLE locatie ADD COLUMN hsds jsonb NOT NULL DEFAULT '{}';
ALTER TABLE aanbod_locatie ADD COLUMN hsds jsonb NOT NULL DEFAULT '{}';
ALTER TABLE contactpersoon ADD COLUMN bron text, ADD COLUMN bron_id text,
    ADD CONSTRAINT contactpersoon_bron UNIQUE (bron, bron_id);

------------------------------------------------- editors geocode through the shared cache
-- With PDOK_URL set, placing a location by address in /beheer asks the online service once
-- per address and keeps the answer, as imports do (geo/geocode.py).
GRANT SELECT, INSERT, UPDATE ON geocode_cache TO sociale_kaart_web;
