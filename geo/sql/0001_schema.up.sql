-- Sociale Kaart base schema. Storage CRS is EPSG:28992 (RD New): metres, so distances,
-- buffers and areas are exact for the Netherlands without per-query transforms.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- Who may see a record. Every output path filters on it (design for roles now).
CREATE TYPE zichtbaarheid AS ENUM ('openbaar', 'professional', 'intern');

---------------------------------------------------------------------------- areas
CREATE TABLE gebied (
    code          text PRIMARY KEY,
    niveau        text NOT NULL CHECK (niveau IN ('gemeente', 'wijk', 'buurt')),
    naam          text NOT NULL CHECK (length(trim(naam)) > 0),
    gemeentecode  text NOT NULL REFERENCES gebied (code) DEFERRABLE INITIALLY DEFERRED,
    wijkcode      text REFERENCES gebied (code) DEFERRABLE INITIALLY DEFERRED,
    jaar          integer NOT NULL CHECK (jaar BETWEEN 1990 AND 2100),
    bron          text NOT NULL,
    geom          geometry(MultiPolygon, 28992) NOT NULL,
    bijgewerkt_op timestamptz NOT NULL DEFAULT now(),
    -- CBS code formats: GM + 4 digits, WK + 6, BU + 8; children carry their parents' digits.
    CONSTRAINT gebied_code_formaat CHECK (
        (niveau = 'gemeente' AND code ~ '^GM[0-9]{4}$' AND gemeentecode = code AND wijkcode IS NULL)
     OR (niveau = 'wijk' AND code ~ '^WK[0-9]{6}$' AND gemeentecode = 'GM' || substr(code, 3, 4)
         AND wijkcode IS NULL)
     OR (niveau = 'buurt' AND code ~ '^BU[0-9]{8}$' AND gemeentecode = 'GM' || substr(code, 3, 4)
         AND wijkcode = 'WK' || substr(code, 3, 6))),
    CONSTRAINT gebied_geom_geldig CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom))
);
CREATE INDEX gebied_geom_gist ON gebied USING gist (geom);
CREATE INDEX gebied_niveau ON gebied (niveau, gemeentecode);
COMMENT ON TABLE gebied IS 'CBS gemeenten, wijken en buurten (EPSG:28992). Bron: CBS / Kadaster, CC BY 4.0.';

CREATE TABLE bevolking (
    gebiedcode       text NOT NULL REFERENCES gebied (code) ON DELETE CASCADE,
    jaar             integer NOT NULL CHECK (jaar BETWEEN 1990 AND 2100),
    inwoners         integer CHECK (inwoners >= 0),
    mannen           integer CHECK (mannen >= 0),
    vrouwen          integer CHECK (vrouwen >= 0),
    inwoners_65plus  integer CHECK (inwoners_65plus >= 0),
    huishoudens      integer CHECK (huishoudens >= 0),
    woningen         integer CHECK (woningen >= 0),
    bron             text NOT NULL,
    PRIMARY KEY (gebiedcode, jaar)
);
COMMENT ON TABLE bevolking IS 'Bevolking per gebied en jaar (CBS Kerncijfers wijken en buurten).';

------------------------------------------------------------------------- taxonomy
CREATE TABLE thema (
    slug         text PRIMARY KEY CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    naam         text NOT NULL,
    omschrijving text NOT NULL,
    kleur        text NOT NULL CHECK (kleur ~ '^#[0-9a-f]{6}$'),
    icoon        text NOT NULL,
    afstand_m    integer NOT NULL CHECK (afstand_m > 0),
    volgorde     integer NOT NULL UNIQUE
);
COMMENT ON TABLE thema IS 'Vaste thema-indeling; wijzigen gaat via een migratie.';

CREATE TABLE doelgroep (
    slug         text PRIMARY KEY CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    naam         text NOT NULL,
    omschrijving text NOT NULL,
    volgorde     integer NOT NULL UNIQUE
);
COMMENT ON TABLE doelgroep IS 'Vaste doelgroepen; wijzigen gaat via een migratie.';

-------------------------------------------------------------------- organisations
CREATE TABLE organisatie (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    naam                   text NOT NULL CHECK (length(trim(naam)) > 0),
    omschrijving           text,
    website                text CHECK (website ~ '^https?://'),
    email                  text CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    telefoon               text,
    kvk_nummer             text CHECK (kvk_nummer ~ '^[0-9]{8}$'),
    status                 text NOT NULL DEFAULT 'gepubliceerd'
                           CHECK (status IN ('concept', 'gepubliceerd', 'gearchiveerd')),
    zichtbaarheid          zichtbaarheid NOT NULL DEFAULT 'openbaar',
    bron                   text NOT NULL,
    bron_id                text NOT NULL,
    synthetisch            boolean NOT NULL DEFAULT false,
    laatst_geverifieerd_op date,
    versie                 integer NOT NULL DEFAULT 1,
    aangemaakt_op          timestamptz NOT NULL DEFAULT now(),
    gewijzigd_op           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (bron, bron_id)
);
CREATE INDEX organisatie_kvk ON organisatie (kvk_nummer) WHERE kvk_nummer IS NOT NULL;
CREATE INDEX organisatie_naam_trgm ON organisatie USING gin (naam gin_trgm_ops);

CREATE TABLE aanbod (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisatie_id         bigint NOT NULL REFERENCES organisatie (id) ON DELETE CASCADE,
    naam                   text NOT NULL CHECK (length(trim(naam)) > 0),
    omschrijving           text,
    kosten                 text,
    aanmelden              text,
    voorwaarden            text,
    talen                  text[] NOT NULL DEFAULT '{nl}',
    openingstijden         jsonb,
    werkgebied             text[] NOT NULL DEFAULT '{}',
    capaciteit             numeric CHECK (capaciteit >= 0),
    zichtbaarheid          zichtbaarheid NOT NULL DEFAULT 'openbaar',
    bron                   text NOT NULL,
    bron_id                text NOT NULL,
    laatst_geverifieerd_op date,
    versie                 integer NOT NULL DEFAULT 1,
    aangemaakt_op          timestamptz NOT NULL DEFAULT now(),
    gewijzigd_op           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (bron, bron_id)
);
CREATE INDEX aanbod_organisatie ON aanbod (organisatie_id);

CREATE TABLE aanbod_thema (
    aanbod_id   bigint NOT NULL REFERENCES aanbod (id) ON DELETE CASCADE,
    thema_slug  text NOT NULL REFERENCES thema (slug) ON UPDATE CASCADE,
    PRIMARY KEY (aanbod_id, thema_slug)
);
CREATE INDEX aanbod_thema_slug ON aanbod_thema (thema_slug);

CREATE TABLE aanbod_doelgroep (
    aanbod_id       bigint NOT NULL REFERENCES aanbod (id) ON DELETE CASCADE,
    doelgroep_slug  text NOT NULL REFERENCES doelgroep (slug) ON UPDATE CASCADE,
    PRIMARY KEY (aanbod_id, doelgroep_slug)
);
CREATE INDEX aanbod_doelgroep_slug ON aanbod_doelgroep (doelgroep_slug);

CREATE TABLE locatie (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisatie_id         bigint NOT NULL REFERENCES organisatie (id) ON DELETE CASCADE,
    naam                   text,
    straat                 text,
    huisnummer             integer CHECK (huisnummer BETWEEN 1 AND 99999),
    huisletter             text CHECK (huisletter ~ '^[A-Za-z]$'),
    toevoeging             text CHECK (toevoeging ~ '^[A-Za-z0-9]{1,4}$'),
    postcode               text CHECK (postcode ~ '^[1-9][0-9]{3}[A-Z]{2}$'),
    woonplaats             text,
    geom                   geometry(Point, 28992),
    geocode_precisie       text CHECK (geocode_precisie IN ('adres', 'pc6', 'pc4', 'handmatig')),
    geocode_bron           text,
    buurtcode              text REFERENCES gebied (code) ON DELETE SET NULL,
    wijkcode               text REFERENCES gebied (code) ON DELETE SET NULL,
    gemeentecode           text REFERENCES gebied (code) ON DELETE SET NULL,
    vertrouwelijk          boolean NOT NULL DEFAULT false,
    toegankelijkheid       text,
    zichtbaarheid          zichtbaarheid NOT NULL DEFAULT 'openbaar',
    bron                   text NOT NULL,
    bron_id                text NOT NULL,
    laatst_geverifieerd_op date,
    versie                 integer NOT NULL DEFAULT 1,
    aangemaakt_op          timestamptz NOT NULL DEFAULT now(),
    gewijzigd_op           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (bron, bron_id),
    -- A point always says how precisely it was placed.
    CONSTRAINT locatie_precisie_bij_geom CHECK ((geom IS NULL) = (geocode_precisie IS NULL)),
    CONSTRAINT locatie_geom_geldig CHECK (geom IS NULL OR (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)))
);
CREATE INDEX locatie_geom_gist ON locatie USING gist (geom);
CREATE INDEX locatie_organisatie ON locatie (organisatie_id);
CREATE INDEX locatie_buurt ON locatie (buurtcode);
CREATE INDEX locatie_wijk ON locatie (wijkcode);
CREATE INDEX locatie_gemeente ON locatie (gemeentecode);

CREATE TABLE aanbod_locatie (
    aanbod_id   bigint NOT NULL REFERENCES aanbod (id) ON DELETE CASCADE,
    locatie_id  bigint NOT NULL REFERENCES locatie (id) ON DELETE CASCADE,
    PRIMARY KEY (aanbod_id, locatie_id)
);
CREATE INDEX aanbod_locatie_locatie ON aanbod_locatie (locatie_id);

CREATE TABLE contactpersoon (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisatie_id  bigint NOT NULL REFERENCES organisatie (id) ON DELETE CASCADE,
    naam            text NOT NULL,
    functie         text,
    telefoon        text,
    email           text CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$')
);
COMMENT ON TABLE contactpersoon IS 'Intern: nooit in openbare uitvoer.';

CREATE TABLE wijziging (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tabel      text NOT NULL,
    record_id  bigint NOT NULL,
    actie      text NOT NULL CHECK (actie IN ('insert', 'update', 'delete')),
    gebruiker  text NOT NULL,
    tijdstip   timestamptz NOT NULL DEFAULT now(),
    diff       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX wijziging_record ON wijziging (tabel, record_id);
COMMENT ON TABLE wijziging IS 'Audit trail: wie, wanneer, wat (diff).';

--------------------------------------------------------------- area assignment
-- Area codes of a location are derived in the database, so they stay right whoever writes.
CREATE FUNCTION locatie_gebieden() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT b.code, b.wijkcode, b.gemeentecode INTO NEW.buurtcode, NEW.wijkcode, NEW.gemeentecode
    FROM gebied b
    WHERE b.niveau = 'buurt' AND NEW.geom IS NOT NULL AND ST_Intersects(b.geom, NEW.geom)
    ORDER BY b.code LIMIT 1;
    IF NOT FOUND THEN
        NEW.buurtcode := NULL; NEW.wijkcode := NULL; NEW.gemeentecode := NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER locatie_gebieden BEFORE INSERT OR UPDATE OF geom ON locatie
    FOR EACH ROW EXECUTE FUNCTION locatie_gebieden();
