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
