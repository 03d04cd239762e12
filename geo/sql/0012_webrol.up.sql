------------------------------------------------------------ least privilege for the web app
-- The web app (every request) connects as a login role that is a member of the group role
-- sociale_kaart_web; migrations, imports, the analysis and other commands run as the owner.
-- The group may read what is published and what the pages, search and tiles read, add a
-- melding, and call the four SECURITY DEFINER functions. Nothing else: no contact persons,
-- no meldingen, no import or audit tables, no rate-limit counters or search hashes.
-- Roles belong to the whole cluster: create the group if needed (a superuser or a user with
-- CREATEROLE can; otherwise "sociale-kaart db roles-sql" prints the SQL for an admin).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sociale_kaart_web') THEN
        CREATE ROLE sociale_kaart_web NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN
        NULL;  -- created at the same moment by a migration of another database
    WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'De rol sociale_kaart_web ontbreekt en deze gebruiker mag geen rollen maken.'
            USING HINT = 'Laat een beheerder de SQL van "sociale-kaart db roles-sql" uitvoeren. '
                         'Role sociale_kaart_web is missing; run the SQL printed by '
                         '"sociale-kaart db roles-sql" as an admin first.';
END $$;

-- Explicit grants (no default privileges): a table or view added later is invisible to the
-- web app until its migration grants it; tests/geo/test_web_role.py checks every laag_*.
GRANT USAGE ON SCHEMA public TO sociale_kaart_web;

-- Tables the resident pages, search, map points, tiles and /dekking read directly.
GRANT SELECT ON gebied, bevolking, thema, doelgroep, organisatie, aanbod, aanbod_thema,
    aanbod_doelgroep, aanbod_locatie, locatie, adres, postcode6, postcode4, zoekdocument,
    analyse_run, analyse_resultaat, data_versie, alembic_version
    TO sociale_kaart_web;

-- Every published layer (views run with their owner's rights, so the tables under them
-- need no grant).
DO $$
DECLARE
    v regclass;
BEGIN
    FOR v IN SELECT c.oid::regclass FROM pg_class c
             WHERE c.relkind IN ('v', 'm') AND c.relname LIKE 'laag\_%'
               AND c.relnamespace = current_schema()::regnamespace
    LOOP
        EXECUTE format('GRANT SELECT ON %s TO sociale_kaart_web', v);
    END LOOP;
END $$;

-- "Meld een fout": insert only the three columns a resident fills in (status and date are
-- defaults); RETURNING needs the id, and only the id can be read back.
GRANT INSERT (organisatie_id, tekst, email) ON melding TO sociale_kaart_web;
GRANT SELECT (id) ON melding TO sociale_kaart_web;

-- Functions are executable by PUBLIC by default; these four write as their owner.
REVOKE EXECUTE ON FUNCTION zoekvraag_tellen(text, text, text, float8, float8, text),
    limiet_verhogen(text, integer, integer), limiet_stand(text), limiet_wissen(text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zoekvraag_tellen(text, text, text, float8, float8, text),
    limiet_verhogen(text, integer, integer), limiet_stand(text), limiet_wissen(text)
    TO sociale_kaart_web;
