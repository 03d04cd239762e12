------------------------------------------------------------ demand signal: distinct clients
-- A word is published in the gezocht-niet-gevonden layer only when enough different
-- clients searched it in an area on one day (docs: README "Beveiliging en privacy").
-- A client is a SHA-256 of a salt of the day and what the server knows of the connection
-- (address and browser); the raw value is never stored and the salt of a past day is
-- deleted, so yesterday's hashes can no longer be linked to anything.
CREATE TABLE zoekvraag_zout (
    dag   date PRIMARY KEY DEFAULT current_date,
    zout  bytea NOT NULL
);
COMMENT ON TABLE zoekvraag_zout IS
    'Intern: het zout van vandaag voor het tellen van verschillende zoekers; oude dagen worden gewist.';

CREATE TABLE zoekvraag_bezoeker (
    woord       text NOT NULL,
    gebiedcode  text NOT NULL,  -- '' when no area was known
    dag         date NOT NULL DEFAULT current_date,
    bezoeker    bytea NOT NULL,
    PRIMARY KEY (woord, gebiedcode, dag, bezoeker)
);
COMMENT ON TABLE zoekvraag_bezoeker IS
    'Intern: gezouten hash per zoeker, woord, gebied en dag (alleen vandaag); om verschillende zoekers te tellen.';

-- Daily distinct clients per word and area (the area and every area above it).
CREATE TABLE zoekvraag_bezoekers (
    woord       text NOT NULL,
    gebiedcode  text NOT NULL,
    dag         date NOT NULL,
    bezoekers   integer NOT NULL CHECK (bezoekers > 0),
    PRIMARY KEY (woord, gebiedcode, dag)
);
COMMENT ON TABLE zoekvraag_bezoekers IS
    'Aantal verschillende zoekers per woord, gebied (ook de gebieden erboven) en dag. Geen persoonsgegevens.';

CREATE TABLE zoekvraag_drempel (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    bezoekers   integer NOT NULL DEFAULT 3 CHECK (bezoekers >= 2)
);
INSERT INTO zoekvraag_drempel DEFAULT VALUES;
-- the published layer reads both: its caches key on their write counters
SELECT data_versie_volgen('zoekvraag_bezoekers');
SELECT data_versie_volgen('zoekvraag_drempel');
COMMENT ON TABLE zoekvraag_drempel IS
    'Een woord wordt gepubliceerd vanaf zoveel verschillende zoekers op één dag in een gebied.';

-- The one way the web app writes the signal. p_client is what identifies the connection
-- (never stored); the area is the one searched in, else the buurt of the point.
CREATE FUNCTION zoekvraag_tellen(p_woord text, p_thema text, p_gebiedcode text,
                                 p_x float8, p_y float8, p_client text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_code text := p_gebiedcode;
    v_zout bytea;
    v_hash bytea;
    v_codes text[];
    v_c text;
    v_nieuw integer;
BEGIN
    IF v_code IS NULL AND p_x IS NOT NULL THEN
        SELECT code INTO v_code FROM gebied
        WHERE niveau = 'buurt'
          AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint(p_x, p_y), 28992))
        ORDER BY code LIMIT 1;
    END IF;
    INSERT INTO zoekvraag_zonder_resultaat AS z (woord, thema, gebiedcode)
    VALUES (p_woord, p_thema, v_code)
    ON CONFLICT (woord, (coalesce(thema, '')), (coalesce(gebiedcode, '')), dag)
    DO UPDATE SET aantal = z.aantal + 1;
    IF p_client IS NULL OR p_client = '' THEN
        RETURN;
    END IF;
    -- today's salt (made once by whoever searches first), yesterday's is gone
    DELETE FROM zoekvraag_zout WHERE dag < current_date;
    DELETE FROM zoekvraag_bezoeker WHERE dag < current_date;
    INSERT INTO zoekvraag_zout (dag, zout)
    VALUES (current_date, decode(replace(gen_random_uuid()::text || gen_random_uuid()::text,
                                         '-', ''), 'hex'))
    ON CONFLICT (dag) DO NOTHING;
    SELECT zout INTO v_zout FROM zoekvraag_zout WHERE dag = current_date;
    v_hash := sha256(v_zout || convert_to(p_client, 'UTF8'));
    SELECT coalesce(array_agg(DISTINCT x), ARRAY['']) INTO v_codes
    FROM gebied g, unnest(ARRAY[g.code, g.wijkcode, g.gemeentecode]) x
    WHERE g.code = v_code AND x IS NOT NULL;
    FOREACH v_c IN ARRAY v_codes LOOP
        INSERT INTO zoekvraag_bezoeker (woord, gebiedcode, bezoeker)
        VALUES (p_woord, v_c, v_hash) ON CONFLICT DO NOTHING;
        GET DIAGNOSTICS v_nieuw = ROW_COUNT;
        IF v_nieuw > 0 THEN
            INSERT INTO zoekvraag_bezoekers AS b (woord, gebiedcode, dag, bezoekers)
            VALUES (p_woord, v_c, current_date, 1)
            ON CONFLICT (woord, gebiedcode, dag) DO UPDATE SET bezoekers = b.bezoekers + 1;
        END IF;
    END LOOP;
END $$;
COMMENT ON FUNCTION zoekvraag_tellen(text, text, text, float8, float8, text) IS
    'Telt een zoekvraag zonder resultaat en (gezouten, alleen vandaag) de verschillende zoekers.';

-- The layer: counts as before; words only from enough distinct clients on one day.
CREATE OR REPLACE VIEW laag_gezocht_niet_gevonden AS
WITH per_gebied AS (
    SELECT c.code, z.woord, sum(z.aantal)::integer AS aantal
    FROM zoekvraag_zonder_resultaat z
    JOIN gebied g ON g.code = z.gebiedcode
    CROSS JOIN LATERAL (SELECT DISTINCT x AS code
                        FROM unnest(ARRAY[g.code, g.wijkcode, g.gemeentecode]) x
                        WHERE x IS NOT NULL) c
    GROUP BY c.code, z.woord
), publiek AS (
    SELECT b.gebiedcode AS code, b.woord
    FROM zoekvraag_bezoekers b
    GROUP BY b.gebiedcode, b.woord
    HAVING max(b.bezoekers) >= (SELECT bezoekers FROM zoekvraag_drempel)
), totaal AS (
    SELECT p.code, sum(p.aantal)::integer AS aantal,
           array_to_string((array_agg(p.woord || ' (' || p.aantal || ')'
                                      ORDER BY p.aantal DESC, p.woord)
                            FILTER (WHERE u.woord IS NOT NULL))[1:10], ', ') AS woorden
    FROM per_gebied p LEFT JOIN publiek u ON u.code = p.code AND u.woord = p.woord
    GROUP BY p.code
)
SELECT g.code AS id, g.code, g.naam, g.niveau, g.gemeentecode,
       coalesce(t.aantal, 0) AS aantal, coalesce(t.woorden, '') AS woorden,
       g.geom
FROM gebied g LEFT JOIN totaal t ON t.code = g.code
WHERE g.niveau = 'gemeente' OR t.aantal > 0;
COMMENT ON VIEW laag_gezocht_niet_gevonden IS
    'Gezocht, niet gevonden|Hoe vaak bewoners iets zochten en niets vonden, per gemeente, wijk en buurt (ook de buurten eronder tellen mee). Een woord staat erbij zodra minstens drie verschillende bezoekers het op één dag in het gebied zochten. Geen persoonsgegevens.';
COMMENT ON COLUMN laag_gezocht_niet_gevonden.aantal IS 'Aantal zoekvragen zonder resultaat';
COMMENT ON COLUMN laag_gezocht_niet_gevonden.woorden IS
    'De tien meest gezochte woorden met hun aantal (vanaf drie verschillende bezoekers op één dag)';

------------------------------------------------------------ rate limits (all workers)
-- Fixed-window counters for Flask-Limiter, shared by every server process and machine.
-- UNLOGGED: counters need no crash safety and should cost no WAL.
CREATE UNLOGGED TABLE limiet_teller (
    sleutel   text PRIMARY KEY CHECK (length(sleutel) <= 500),
    aantal    integer NOT NULL,
    verloopt  timestamptz NOT NULL
);
COMMENT ON TABLE limiet_teller IS 'Intern: tellers van de verzoeklimieten (per venster).';

CREATE FUNCTION limiet_verhogen(p_sleutel text, p_seconden integer, p_aantal integer)
RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO limiet_teller AS t (sleutel, aantal, verloopt)
    VALUES (p_sleutel, p_aantal, clock_timestamp() + make_interval(secs => p_seconden))
    ON CONFLICT (sleutel) DO UPDATE
    SET aantal = CASE WHEN t.verloopt <= clock_timestamp() THEN p_aantal
                      ELSE t.aantal + p_aantal END,
        verloopt = CASE WHEN t.verloopt <= clock_timestamp()
                        THEN clock_timestamp() + make_interval(secs => p_seconden)
                        ELSE t.verloopt END
    RETURNING aantal
$$;

CREATE FUNCTION limiet_stand(p_sleutel text, OUT aantal integer, OUT verloopt float8)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce((SELECT t.aantal FROM limiet_teller t
                     WHERE t.sleutel = p_sleutel AND t.verloopt > clock_timestamp()), 0),
           coalesce((SELECT extract(epoch FROM t.verloopt) FROM limiet_teller t
                     WHERE t.sleutel = p_sleutel AND t.verloopt > clock_timestamp()),
                    extract(epoch FROM clock_timestamp()))
$$;

CREATE FUNCTION limiet_wissen(p_sleutel text)
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DELETE FROM limiet_teller WHERE p_sleutel IS NULL OR sleutel = p_sleutel
                                 OR verloopt <= clock_timestamp()
$$;
