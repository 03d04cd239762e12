-- Geocoding gazetteers (BAG addresses, PC6 and PC4 points), geocoder cache,
-- import runs and probable duplicates.

CREATE TABLE adres (
    postcode    text NOT NULL CHECK (postcode ~ '^[1-9][0-9]{3}[A-Z]{2}$'),
    huisnummer  integer NOT NULL CHECK (huisnummer BETWEEN 1 AND 99999),
    huisletter  text NOT NULL DEFAULT '' CHECK (huisletter ~ '^[A-Z]?$'),
    toevoeging  text NOT NULL DEFAULT '' CHECK (toevoeging ~ '^[A-Z0-9]{0,4}$'),
    straat      text,
    woonplaats  text,
    geom        geometry(Point, 28992) NOT NULL,
    bron        text NOT NULL,
    PRIMARY KEY (postcode, huisnummer, huisletter, toevoeging)
);
CREATE INDEX adres_straat ON adres (lower(woonplaats), lower(straat), huisnummer);
COMMENT ON TABLE adres IS 'Adressen uit een BAG-extract (verblijfsobjecten), voor geocodering op adres.';

CREATE TABLE postcode6 (
    pc6              text PRIMARY KEY CHECK (pc6 ~ '^[1-9][0-9]{3}[A-Z]{2}$'),
    geom             geometry(Point, 28992) NOT NULL,
    inwoners         integer CHECK (inwoners >= 0),
    inwoners_65plus  integer CHECK (inwoners_65plus >= 0),
    huishoudens      integer CHECK (huishoudens >= 0),
    jaar             integer,
    bron             text NOT NULL
);
CREATE INDEX postcode6_geom_gist ON postcode6 USING gist (geom);
COMMENT ON TABLE postcode6 IS 'PC6-punten met CBS-kerncijfers: geocodering op postcode en vraagpunten voor analyse.';

CREATE TABLE postcode4 (
    pc4              text PRIMARY KEY CHECK (pc4 ~ '^[1-9][0-9]{3}$'),
    geom             geometry(Point, 28992) NOT NULL,
    vlak             geometry(MultiPolygon, 28992),
    plaats           text,
    gemeentecode     text,
    inwoners         integer CHECK (inwoners >= 0),
    inwoners_65plus  integer CHECK (inwoners_65plus >= 0),
    inwoners_80plus  integer CHECK (inwoners_80plus >= 0),
    jaar             integer,
    bron             text NOT NULL
);
CREATE INDEX postcode4_geom_gist ON postcode4 USING gist (geom);
COMMENT ON TABLE postcode4 IS 'PC4-gebieden met een representatief punt en CBS-bevolking.';

CREATE TABLE geocode_cache (
    sleutel       text PRIMARY KEY,
    bron          text NOT NULL,
    geom          geometry(Point, 28992),
    precisie      text CHECK (precisie IN ('adres', 'pc6', 'pc4')),
    antwoord      jsonb,
    opgehaald_op  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE geocode_cache IS 'Antwoorden van online geocoders (PDOK Locatieserver), ook ''niet gevonden''.';

CREATE TABLE import_run (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bestand      text NOT NULL,
    formaat      text NOT NULL,
    bron         text NOT NULL,
    gestart_op   timestamptz NOT NULL DEFAULT now(),
    klaar_op     timestamptz,
    gelezen      integer NOT NULL DEFAULT 0,
    nieuw        integer NOT NULL DEFAULT 0,
    gewijzigd    integer NOT NULL DEFAULT 0,
    ongewijzigd  integer NOT NULL DEFAULT 0,
    afgewezen    integer NOT NULL DEFAULT 0,
    rapport      jsonb NOT NULL DEFAULT '{}',
    CHECK (klaar_op IS NULL OR gelezen = nieuw + gewijzigd + ongewijzigd + afgewezen)
);

CREATE TABLE mogelijk_dubbel (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisatie_a    bigint NOT NULL REFERENCES organisatie (id) ON DELETE CASCADE,
    organisatie_b    bigint NOT NULL REFERENCES organisatie (id) ON DELETE CASCADE,
    reden            text NOT NULL CHECK (reden IN ('kvk', 'naam_en_afstand')),
    gelijkenis       real,
    afstand_m        real,
    status           text NOT NULL DEFAULT 'open'
                     CHECK (status IN ('open', 'samengevoegd', 'geen_dubbel')),
    gevonden_op      timestamptz NOT NULL DEFAULT now(),
    CHECK (organisatie_a < organisatie_b),
    UNIQUE (organisatie_a, organisatie_b)
);
COMMENT ON TABLE mogelijk_dubbel IS 'Waarschijnlijk dubbele organisaties, voor een redacteur om te beoordelen.';
