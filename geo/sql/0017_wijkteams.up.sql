-- Wijkteams (issue 14): professionals see their own neighbourhood.
--
-- wijkteam: an organisation marked as the buurtteam or wijkteam of an area, with its
-- service area as CBS codes (gemeente, wijk or buurt); set by editors in /beheer.
CREATE TABLE wijkteam (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisatie_id  bigint NOT NULL UNIQUE REFERENCES organisatie (id) ON DELETE CASCADE,
    soort           text NOT NULL DEFAULT 'wijkteam' CHECK (soort IN ('wijkteam', 'buurtteam')),
    gebieden        text[] NOT NULL CHECK (cardinality(gebieden) BETWEEN 1 AND 200),
    -- Editors never delete: an organisation that stops being a wijkteam is switched off.
    actief          boolean NOT NULL DEFAULT true,
    gewijzigd_op    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX wijkteam_gebieden ON wijkteam USING gin (gebieden);
COMMENT ON TABLE wijkteam IS
    'Organisaties die het wijk- of buurtteam van een gebied zijn, met hun werkgebied.';

-- notitie: a dated note of a professional about an organisation ("wachtlijst 8 weken").
-- Only professionals whose scope overlaps the note's areas (and editors) read it; an
-- author without areas writes for every professional. Never public, never exported.
CREATE TABLE notitie (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisatie_id  bigint NOT NULL REFERENCES organisatie (id) ON DELETE CASCADE,
    tekst           text NOT NULL CHECK (length(trim(tekst)) BETWEEN 1 AND 2000),
    gebieden        text[] NOT NULL DEFAULT '{}',
    gebruiker_id    bigint REFERENCES gebruiker (id) ON DELETE SET NULL,
    auteur          text NOT NULL,
    aangemaakt_op   timestamptz NOT NULL DEFAULT now(),
    status          text NOT NULL DEFAULT 'actief' CHECK (status IN ('actief', 'verwijderd'))
);
CREATE INDEX notitie_organisatie ON notitie (organisatie_id, aangemaakt_op DESC);
COMMENT ON TABLE notitie IS 'Intern: notities van professionals, alleen binnen hun werkgebied.';

-- api_token: a personal token for QGIS and scripts (OGC API only); the database keeps
-- only its SHA-256. Revoked tokens stay listed (ingetrokken_op).
CREATE TABLE api_token (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    gebruiker_id        bigint NOT NULL REFERENCES gebruiker (id) ON DELETE CASCADE,
    naam                text NOT NULL CHECK (length(trim(naam)) BETWEEN 1 AND 100),
    token_hash          text NOT NULL UNIQUE,
    aangemaakt_op       timestamptz NOT NULL DEFAULT now(),
    laatst_gebruikt_op  timestamptz,
    ingetrokken_op      timestamptz
);
CREATE INDEX api_token_gebruiker ON api_token (gebruiker_id);
COMMENT ON TABLE api_token IS 'Intern: persoonlijke API-sleutels (alleen de hash).';

-- The audit trail names who marked a wijkteam or wrote a note.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['wijkteam', 'notitie'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS nieuw
                        FOR EACH STATEMENT EXECUTE FUNCTION wijziging_vastleggen()',
                       t || '_wijziging_ins', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS oud
                        NEW TABLE AS nieuw FOR EACH STATEMENT EXECUTE FUNCTION wijziging_vastleggen()',
                       t || '_wijziging_upd', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS oud
                        FOR EACH STATEMENT EXECUTE FUNCTION wijziging_vastleggen()',
                       t || '_wijziging_del', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON wijkteam, notitie, api_token TO sociale_kaart_web;
