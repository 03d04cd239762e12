DROP TRIGGER laag_plek_trunc ON laag_geojson;
DROP TRIGGER laag_plek_del ON laag_geojson;
DROP TRIGGER laag_plek_upd ON laag_geojson;
DROP TRIGGER laag_plek_ins ON laag_geojson;
DROP FUNCTION laag_plek_bijwerken();
DROP TABLE laag_plek;
ALTER TABLE laag_geojson DROP COLUMN geom;

-- 0023's function again (without the geometry).
CREATE OR REPLACE FUNCTION laag_geojson_vernieuwen(p_laag text, ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    expr text := laag_geojson_sql(p_laag::regclass) || ', '
                 || laag_geojson_kolommen(p_laag::regclass);
    kolommen text := '(laag, id, feature, zichtbaarheid, gemeentecode, wijkcode, buurtcode)';
    -- which rows: a few ids by index, many by a hashed semi-join
    welke text := CASE WHEN cardinality(ids) > 1000 THEN 'IN (SELECT unnest($1))'
                       ELSE '= ANY($1)' END;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('laag_geojson:' || p_laag));
    -- A new statement: in READ COMMITTED it sees what a transaction we waited for committed.
    IF ids IS NOT NULL AND cardinality(ids) > 1000 AND cardinality(ids) * 4
           > (SELECT count(*) FROM laag_geojson WHERE laag = p_laag) THEN
        ids := NULL;  -- most of the layer changed: one pass over the view
    END IF;
    IF p_laag = 'laag_voorzieningen' THEN
        PERFORM kaart_punt_vernieuwen(ids);
    END IF;
    IF ids IS NULL AND NOT EXISTS (SELECT FROM laag_geojson WHERE laag = p_laag) THEN
        EXECUTE format('INSERT INTO laag_geojson %s SELECT %L, id, %s FROM %I',
                       kolommen, p_laag, expr, p_laag);  -- the first fill
        RETURN;
    END IF;
    IF ids IS NULL THEN
        EXECUTE format(
            'INSERT INTO laag_geojson AS g %s SELECT %L, id, %s FROM %I '
            'ON CONFLICT (laag, id) DO UPDATE SET feature = EXCLUDED.feature, '
            'zichtbaarheid = EXCLUDED.zichtbaarheid, gemeentecode = EXCLUDED.gemeentecode, '
            'wijkcode = EXCLUDED.wijkcode, buurtcode = EXCLUDED.buurtcode '
            'WHERE (g.feature, g.zichtbaarheid, g.gemeentecode, g.wijkcode, g.buurtcode) '
            'IS DISTINCT FROM (EXCLUDED.feature, EXCLUDED.zichtbaarheid, '
            'EXCLUDED.gemeentecode, EXCLUDED.wijkcode, EXCLUDED.buurtcode)',
            kolommen, p_laag, expr, p_laag);
        EXECUTE format('DELETE FROM laag_geojson g WHERE g.laag = %L '
                       'AND NOT EXISTS (SELECT FROM %I v WHERE v.id = g.id)', p_laag, p_laag);
        RETURN;
    END IF;
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    EXECUTE format(
        'INSERT INTO laag_geojson AS g %s SELECT %L, id, %s FROM %I WHERE id %s '
        'ON CONFLICT (laag, id) DO UPDATE SET feature = EXCLUDED.feature, '
        'zichtbaarheid = EXCLUDED.zichtbaarheid, gemeentecode = EXCLUDED.gemeentecode, '
        'wijkcode = EXCLUDED.wijkcode, buurtcode = EXCLUDED.buurtcode '
        'WHERE (g.feature, g.zichtbaarheid, g.gemeentecode, g.wijkcode, g.buurtcode) '
        'IS DISTINCT FROM (EXCLUDED.feature, EXCLUDED.zichtbaarheid, EXCLUDED.gemeentecode, '
        'EXCLUDED.wijkcode, EXCLUDED.buurtcode)', kolommen, p_laag, expr, p_laag, welke)
    USING ids;
    EXECUTE format(
        'DELETE FROM laag_geojson g WHERE g.laag = %L AND g.id IN '
        '(SELECT unnest($1) EXCEPT SELECT id FROM %I WHERE id %s)', p_laag, p_laag, welke)
    USING ids;
END $$;
