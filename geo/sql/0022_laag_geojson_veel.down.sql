-- Back to the bodies of migration 0020.
CREATE OR REPLACE FUNCTION kaart_punt_vernieuwen(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL THEN
        DELETE FROM kaart_punt;
        INSERT INTO kaart_punt SELECT * FROM kaart_punt_bron;
    ELSIF cardinality(ids) > 0 THEN
        DELETE FROM kaart_punt WHERE id = ANY(ids);
        INSERT INTO kaart_punt SELECT * FROM kaart_punt_bron WHERE id = ANY(ids);
    END IF;
END $$;

CREATE OR REPLACE FUNCTION laag_geojson_vernieuwen(p_laag text, ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    expr text := laag_geojson_sql(p_laag::regclass) || ', '
                 || laag_geojson_kolommen(p_laag::regclass);
    kolommen text := '(laag, id, feature, zichtbaarheid, gemeentecode, wijkcode, buurtcode)';
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('laag_geojson:' || p_laag));
    -- A new statement: in READ COMMITTED it sees what a transaction we waited for committed.
    IF p_laag = 'laag_voorzieningen' THEN
        PERFORM kaart_punt_vernieuwen(ids);
    END IF;
    IF ids IS NULL THEN
        DELETE FROM laag_geojson WHERE laag = p_laag;
        EXECUTE format('INSERT INTO laag_geojson %s SELECT %L, id, %s FROM %I',
                       kolommen, p_laag, expr, p_laag);
        RETURN;
    END IF;
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    EXECUTE format(
        'INSERT INTO laag_geojson AS g %s SELECT %L, id, %s FROM %I WHERE id = ANY($1) '
        'ON CONFLICT (laag, id) DO UPDATE SET feature = EXCLUDED.feature, '
        'zichtbaarheid = EXCLUDED.zichtbaarheid, gemeentecode = EXCLUDED.gemeentecode, '
        'wijkcode = EXCLUDED.wijkcode, buurtcode = EXCLUDED.buurtcode '
        'WHERE (g.feature, g.zichtbaarheid, g.gemeentecode, g.wijkcode, g.buurtcode) '
        'IS DISTINCT FROM (EXCLUDED.feature, EXCLUDED.zichtbaarheid, EXCLUDED.gemeentecode, '
        'EXCLUDED.wijkcode, EXCLUDED.buurtcode)', kolommen, p_laag, expr, p_laag)
    USING ids;
    EXECUTE format(
        'DELETE FROM laag_geojson g WHERE g.laag = %L AND g.id = ANY($1) '
        'AND NOT EXISTS (SELECT FROM %I v WHERE v.id = g.id)', p_laag, p_laag)
    USING ids;
END $$;
