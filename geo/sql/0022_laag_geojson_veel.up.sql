-- Storing the Feature text of many rows at once (an import of 100,000 rows marks 100,000
-- ids): `id = ANY($1)` over a view compares every row with every element of the array
-- (quadratic: a 100,000-row import spent over 10 minutes in COMMIT), and the per-row
-- NOT EXISTS probe into the view costs about half a millisecond a row. Now:
-- * more than 1000 ids that are over a quarter of the stored rows (an import): the view's
--   rows are stored again in one pass, like a TRUNCATE (set-based, seconds for 100,000);
-- * more than 1000 ids otherwise: hashed semi-joins;
-- * a few ids (an editor's save): the index path as before.
CREATE OR REPLACE FUNCTION kaart_punt_vernieuwen(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL THEN
        DELETE FROM kaart_punt;
        INSERT INTO kaart_punt SELECT * FROM kaart_punt_bron;
    ELSIF cardinality(ids) > 1000 THEN
        DELETE FROM kaart_punt WHERE id IN (SELECT unnest(ids));
        INSERT INTO kaart_punt SELECT * FROM kaart_punt_bron WHERE id IN (SELECT unnest(ids));
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
