DROP VIEW tegel_punt_bron;
CREATE VIEW tegel_punt_bron AS
SELECT v.id, v.geom, v.zichtbaarheid::text AS zichtbaarheid, v.organisatie, v.aanbod, v.thema,
       v.gemeentecode, v.buurtcode, v.geocode_precisie, v.synthetisch
FROM laag_voorzieningen v WHERE v.geom IS NOT NULL;
COMMENT ON VIEW tegel_punt_bron IS 'Intern: wat tegel_punt van laag_voorzieningen bewaart.';
ALTER TABLE tegel_punt DROP COLUMN geom_webm;

-- 0026's function again.
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
