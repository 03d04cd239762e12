-- The tiles' point copy in the tiles' own terms (issue 17, national overview tiles).
--
-- tegel_punt (migration 0025) now also keeps each point's Web Mercator position
-- (geom_webm, the same ST_Transform the tile statement made per kept feature: 2,400
-- projections, ~7 ms of the heaviest z7 tile), and is written in order of place
-- (ORDER BY geom; the existing rows clustered once here): a tile's edge strips, which read
-- thousands of points along the tile's sides, then find them on a few hundred pages
-- instead of one page each. layers/sql/tile_stored.sql reads geom_webm; the answers are
-- unchanged (tests/layers/test_tiles_stored.py compares them with the live statement).
CREATE OR REPLACE VIEW tegel_punt_bron AS
SELECT v.id, v.geom, v.zichtbaarheid::text AS zichtbaarheid, v.organisatie, v.aanbod, v.thema,
       v.gemeentecode, v.buurtcode, v.geocode_precisie, v.synthetisch,
       ST_Transform(v.geom, 3857)::geometry(Point, 3857) AS geom_webm
FROM laag_voorzieningen v WHERE v.geom IS NOT NULL;

ALTER TABLE tegel_punt ADD COLUMN geom_webm geometry(Point, 3857);
UPDATE tegel_punt SET geom_webm = ST_Transform(geom, 3857);
ALTER TABLE tegel_punt ALTER COLUMN geom_webm SET NOT NULL;
CREATE INDEX tegel_punt_plek ON tegel_punt (geom);
CLUSTER tegel_punt USING tegel_punt_plek;
DROP INDEX tegel_punt_plek;

-- 0026's function, with the rows written in order of place.
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
            INSERT INTO tegel_punt SELECT * FROM tegel_punt_bron b ORDER BY b.geom;
        ELSE
            INSERT INTO tegel_punt SELECT * FROM tegel_punt_bron b WHERE b.id = ANY(ids)
            ORDER BY b.geom;
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
            ORDER BY b.geom
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
