-- The narrow point copies at the first import (issue 12).
--
-- tegel_bijwerken (migration 0025) compared the whole of tegel_punt with the view even when
-- tegel_punt was empty: an anti-join per row against the table it was filling, and every
-- new position gathered in an array (100,000 geometries) only to learn that there were
-- more than 20,000 of them (or, below 20,000, counting each new point's cells one by one).
-- An empty tegel_punt (the first import into a database) is now filled in one INSERT and
-- every cell counted once by tegel_cellen_opbouwen, as after any large change: the same
-- rows and cells (tests/layers/test_tiles_stored.py), about
-- 2.5 s less of the commit of a 100,000-row import on a busy two-core machine
-- (4.3-4.7 s against 6.8-7.3 s for the upkeep of the tiles' copy alone).
CREATE OR REPLACE FUNCTION tegel_bijwerken(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    weg geometry[];
    erbij geometry[];
BEGIN
    IF ids IS NOT NULL AND cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT FROM tegel_punt) THEN
        -- the first fill (the first import): the rows, then every cell counted once
        IF ids IS NULL OR cardinality(ids) > 20000 THEN
            INSERT INTO tegel_punt SELECT * FROM tegel_punt_bron;
        ELSE
            INSERT INTO tegel_punt SELECT * FROM tegel_punt_bron b WHERE b.id = ANY(ids);
        END IF;
        PERFORM tegel_cellen_opbouwen();
        RETURN;
    END IF;
    IF ids IS NULL OR cardinality(ids) > 20000 THEN
        WITH anders AS (
            DELETE FROM tegel_punt t
            WHERE NOT EXISTS (SELECT FROM tegel_punt_bron b
                              WHERE b.id = t.id AND ROW(b.*) IS NOT DISTINCT FROM ROW(t.*))
            RETURNING t.geom
        )
        SELECT array_agg(geom) INTO weg FROM anders;
        WITH nieuw AS (
            INSERT INTO tegel_punt SELECT b.* FROM tegel_punt_bron b
            WHERE NOT EXISTS (SELECT FROM tegel_punt t WHERE t.id = b.id)
            RETURNING geom
        )
        SELECT array_agg(geom) INTO erbij FROM nieuw;
    ELSE
        WITH bron AS MATERIALIZED (
            SELECT * FROM tegel_punt_bron b WHERE b.id = ANY(ids)
        ), anders AS (
            DELETE FROM tegel_punt t
            WHERE t.id = ANY(ids)
              AND NOT EXISTS (SELECT FROM bron b
                              WHERE b.id = t.id AND ROW(b.*) IS NOT DISTINCT FROM ROW(t.*))
            RETURNING t.geom
        )
        SELECT array_agg(geom) INTO weg FROM anders;
        WITH nieuw AS (
            INSERT INTO tegel_punt SELECT * FROM tegel_punt_bron b WHERE b.id = ANY(ids)
            ON CONFLICT (id) DO NOTHING
            RETURNING geom
        )
        SELECT array_agg(geom) INTO erbij FROM nieuw;
    END IF;
    IF coalesce(cardinality(weg), 0) + coalesce(cardinality(erbij), 0) > 20000 THEN
        PERFORM tegel_cellen_opbouwen();
    ELSE
        PERFORM tegel_cellen_tellen(coalesce(weg, '{}') || coalesce(erbij, '{}'));
    END IF;
END $$;

-- kaart_punt's view projected each position to WGS84 twice (once for lon, once for lat):
-- once is enough (the same numbers; an id filter still reaches the view's indexes).
CREATE OR REPLACE VIEW kaart_punt_bron AS
SELECT v.id, round(ST_X(p.geom)::numeric, 6)::float8 AS lon,
       round(ST_Y(p.geom)::numeric, 6)::float8 AS lat, v.themas, v.zichtbaarheid,
       v.gemeentecode, v.wijkcode, v.buurtcode
FROM laag_voorzieningen v, LATERAL (SELECT ST_Transform(v.geom, 4326) AS geom OFFSET 0) p;
