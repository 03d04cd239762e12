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

-- kaart_cel_tellen (migration 0025) joined every point with each role's visibility levels
-- before grouping: three times 100,000 rows grouped by position, and every theme unnested
-- three times. The points are now grouped by visibility level, position and cell once
-- (as many rows as places), and only those groups joined with the levels: the same cells
-- (tests/layers/test_kaart_cellen.py compares them with 0025's grouping). Without JIT: the
-- compilation of its expressions cost more than it saved (a 100,000-point recount: 2.1 s
-- CPU in 0025, 1.25 s grouped once, 0.67 s grouped once without JIT).
CREATE OR REPLACE FUNCTION kaart_cel_tellen(cxs integer[], cys integer[]) RETURNS void LANGUAGE plpgsql
    SET jit = off AS $$
BEGIN
    IF cxs IS NULL THEN
        DELETE FROM kaart_cel;
    ELSIF cardinality(cxs) = 0 THEN
        RETURN;
    ELSE
        DELETE FROM kaart_cel c USING unnest(cxs, cys) AS g(cx, cy), tegel_zicht s
        WHERE c.zicht = s.zicht AND c.cx = g.cx AND c.cy = g.cy;
    END IF;
    INSERT INTO kaart_cel (zicht, cx, cy, id, plekken, diensten, lon, lat, themas)
    WITH punt AS MATERIALIZED (
        SELECT k.id, k.lon, k.lat, k.themas, k.zichtbaarheid,
               floor(k.lon / 0.02)::int AS cx, floor(k.lat / 0.0125)::int AS cy
        FROM kaart_punt k WHERE cxs IS NULL
        UNION ALL
        SELECT k.id, k.lon, k.lat, k.themas, k.zichtbaarheid, g.cx, g.cy
        FROM unnest(cxs, cys) AS g(cx, cy) JOIN kaart_punt k
          ON k.lon BETWEEN g.cx * 0.02::float8 - 0.001 AND (g.cx + 1) * 0.02::float8 + 0.001
         AND k.lat BETWEEN g.cy * 0.0125::float8 - 0.001 AND (g.cy + 1) * 0.0125::float8 + 0.001
         AND floor(k.lon / 0.02) = g.cx AND floor(k.lat / 0.0125) = g.cy
    ), plek_niveau AS (
        SELECT zichtbaarheid, cx, cy, lon, lat, min(id) AS id, count(*)::int AS diensten
        FROM punt GROUP BY zichtbaarheid, cx, cy, lon, lat
    ), plek AS (
        SELECT s.zicht, p.cx, p.cy, p.lon, p.lat, min(p.id) AS id, sum(p.diensten) AS diensten
        FROM plek_niveau p JOIN tegel_zicht s ON p.zichtbaarheid = ANY(s.niveaus)
        GROUP BY s.zicht, p.cx, p.cy, p.lon, p.lat
    ), thema_niveau AS (
        SELECT DISTINCT p.zichtbaarheid, p.cx, p.cy, t.slug
        FROM punt p, unnest(p.themas) AS t(slug)
    ), thema AS (
        SELECT s.zicht, p.cx, p.cy, array_agg(DISTINCT p.slug) AS themas
        FROM thema_niveau p JOIN tegel_zicht s ON p.zichtbaarheid = ANY(s.niveaus)
        GROUP BY s.zicht, p.cx, p.cy
    )
    SELECT c.zicht, c.cx, c.cy, c.id, c.plekken, c.diensten, c.lon, c.lat,
           coalesce(t.themas, '{}')
    FROM (SELECT zicht, cx, cy, min(id) AS id, count(*) AS plekken, sum(diensten) AS diensten,
                 avg(lon) AS lon, avg(lat) AS lat
          FROM plek GROUP BY zicht, cx, cy) c
    LEFT JOIN thema t USING (zicht, cx, cy);
END $$;
