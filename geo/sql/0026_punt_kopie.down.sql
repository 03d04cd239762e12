-- Back to migration 0025's tegel_bijwerken (no separate first fill).
CREATE OR REPLACE FUNCTION tegel_bijwerken(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    weg geometry[];
    erbij geometry[];
BEGIN
    IF ids IS NOT NULL AND cardinality(ids) = 0 THEN
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

-- Back to migration 0020's kaart_punt_bron.
CREATE OR REPLACE VIEW kaart_punt_bron AS
SELECT v.id, round(ST_X(ST_Transform(v.geom, 4326))::numeric, 6)::float8 AS lon,
       round(ST_Y(ST_Transform(v.geom, 4326))::numeric, 6)::float8 AS lat, v.themas, v.zichtbaarheid,
       v.gemeentecode, v.wijkcode, v.buurtcode
FROM laag_voorzieningen v;

-- Back to migration 0025's kaart_cel_tellen.
CREATE OR REPLACE FUNCTION kaart_cel_tellen(cxs integer[], cys integer[]) RETURNS void LANGUAGE plpgsql AS $$
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
    WITH punt AS (
        SELECT k.*, floor(k.lon / 0.02)::int AS cx, floor(k.lat / 0.0125)::int AS cy
        FROM kaart_punt k WHERE cxs IS NULL
        UNION ALL
        SELECT k.*, g.cx, g.cy
        FROM unnest(cxs, cys) AS g(cx, cy) JOIN kaart_punt k
          ON k.lon BETWEEN g.cx * 0.02::float8 - 0.001 AND (g.cx + 1) * 0.02::float8 + 0.001
         AND k.lat BETWEEN g.cy * 0.0125::float8 - 0.001 AND (g.cy + 1) * 0.0125::float8 + 0.001
         AND floor(k.lon / 0.02) = g.cx AND floor(k.lat / 0.0125) = g.cy
    ), plek AS (
        SELECT s.zicht, p.cx, p.cy, p.lon, p.lat, min(p.id) AS id, count(*) AS diensten
        FROM punt p JOIN tegel_zicht s ON p.zichtbaarheid = ANY(s.niveaus)
        GROUP BY s.zicht, p.cx, p.cy, p.lon, p.lat
    ), thema AS (
        SELECT s.zicht, p.cx, p.cy, array_agg(DISTINCT t.slug) AS themas
        FROM punt p JOIN tegel_zicht s ON p.zichtbaarheid = ANY(s.niveaus),
             unnest(p.themas) AS t(slug)
        GROUP BY s.zicht, p.cx, p.cy
    )
    SELECT c.zicht, c.cx, c.cy, c.id, c.plekken, c.diensten, c.lon, c.lat,
           coalesce(t.themas, '{}')
    FROM (SELECT zicht, cx, cy, min(id) AS id, count(*) AS plekken, sum(diensten) AS diensten,
                 avg(lon) AS lon, avg(lat) AS lat
          FROM plek GROUP BY zicht, cx, cy) c
    LEFT JOIN thema t USING (zicht, cx, cy);
END $$;
ALTER FUNCTION kaart_cel_tellen(integer[], integer[]) RESET ALL;
