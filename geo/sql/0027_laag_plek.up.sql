-- Box pages from a narrow copy of the stored rows' positions (issue 17): a bbox page read
-- its matches from the layer's own rows (the view, or the bench's wide table), one heap
-- page per match: 13,000 pages for a 2 km box of 25,000 points at 500,000 features, most
-- of a cold box page's time. laag_plek holds per stored row only what a box page filters
-- on (visibility, area codes, geometry), written ordered by position, so the matches of a
-- box sit on a few hundred pages (layers/feature_cache.py reads it; docs/SCALING.md).
--
-- laag_geojson now also stores the view's geometry (in the storage SRID, exactly; the
-- Feature text holds rounded CRS84 only), written with the text by laag_geojson_vernieuwen.
-- laag_plek follows laag_geojson through statement triggers with transition tables, like
-- laag_telling (0024) and tegel_punt (0025), in the transaction that writes it: a reader
-- sees positions, texts and the data version of one snapshot. A row without geometry has
-- no place: no box holds it.
ALTER TABLE laag_geojson ADD COLUMN geom geometry(Geometry, 28992);

CREATE TABLE laag_plek (
    laag text NOT NULL,
    id bigint NOT NULL,
    zichtbaarheid text,
    gemeentecode text,
    wijkcode text,
    buurtcode text,
    geom geometry(Geometry, 28992) NOT NULL,
    PRIMARY KEY (laag, id)
);
CREATE INDEX laag_plek_geom ON laag_plek USING gist (geom);
COMMENT ON TABLE laag_plek IS
    'Intern: plek, zichtbaarheid en gebiedscodes van de opgeslagen features (laag_geojson), op plek geordend, voor bbox-pagina''s.';
GRANT SELECT ON laag_plek TO sociale_kaart_web;

CREATE FUNCTION laag_plek_bijwerken() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM laag_plek;
    ELSIF TG_OP = 'INSERT' THEN  -- new (laag, id): laag_plek cannot hold them yet
        INSERT INTO laag_plek
        SELECT laag, id, zichtbaarheid, gemeentecode, wijkcode, buurtcode, geom
        FROM nieuw WHERE geom IS NOT NULL ORDER BY laag, geom;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM laag_plek p USING oud o WHERE p.laag = o.laag AND p.id = o.id;
    ELSE  -- only rows whose place, visibility or codes changed
        DELETE FROM laag_plek p USING nieuw n
        WHERE p.laag = n.laag AND p.id = n.id AND n.geom IS NULL;
        INSERT INTO laag_plek AS p
        SELECT n.laag, n.id, n.zichtbaarheid, n.gemeentecode, n.wijkcode, n.buurtcode, n.geom
        FROM nieuw n JOIN oud o ON o.laag = n.laag AND o.id = n.id
        WHERE n.geom IS NOT NULL
          AND (n.zichtbaarheid, n.gemeentecode, n.wijkcode, n.buurtcode, n.geom)
              IS DISTINCT FROM (o.zichtbaarheid, o.gemeentecode, o.wijkcode, o.buurtcode, o.geom)
        ORDER BY n.laag, n.geom
        ON CONFLICT (laag, id) DO UPDATE SET zichtbaarheid = EXCLUDED.zichtbaarheid,
            gemeentecode = EXCLUDED.gemeentecode, wijkcode = EXCLUDED.wijkcode,
            buurtcode = EXCLUDED.buurtcode, geom = EXCLUDED.geom;
    END IF;
    RETURN NULL;
END $$;
ALTER FUNCTION laag_plek_bijwerken() SECURITY DEFINER SET search_path = public, pg_temp;

CREATE TRIGGER laag_plek_ins AFTER INSERT ON laag_geojson REFERENCING NEW TABLE AS nieuw
    FOR EACH STATEMENT EXECUTE FUNCTION laag_plek_bijwerken();
CREATE TRIGGER laag_plek_upd AFTER UPDATE ON laag_geojson
    REFERENCING OLD TABLE AS oud NEW TABLE AS nieuw
    FOR EACH STATEMENT EXECUTE FUNCTION laag_plek_bijwerken();
CREATE TRIGGER laag_plek_del AFTER DELETE ON laag_geojson REFERENCING OLD TABLE AS oud
    FOR EACH STATEMENT EXECUTE FUNCTION laag_plek_bijwerken();
CREATE TRIGGER laag_plek_trunc AFTER TRUNCATE ON laag_geojson
    FOR EACH STATEMENT EXECUTE FUNCTION laag_plek_bijwerken();

-- 0023's function with the geometry written and compared with the rest of the row.
CREATE OR REPLACE FUNCTION laag_geojson_vernieuwen(p_laag text, ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    expr text := laag_geojson_sql(p_laag::regclass) || ', '
                 || laag_geojson_kolommen(p_laag::regclass) || ', geom';
    kolommen text := '(laag, id, feature, zichtbaarheid, gemeentecode, wijkcode, buurtcode, geom)';
    bijwerken text := 'ON CONFLICT (laag, id) DO UPDATE SET feature = EXCLUDED.feature, '
        'zichtbaarheid = EXCLUDED.zichtbaarheid, gemeentecode = EXCLUDED.gemeentecode, '
        'wijkcode = EXCLUDED.wijkcode, buurtcode = EXCLUDED.buurtcode, geom = EXCLUDED.geom '
        'WHERE (g.feature, g.zichtbaarheid, g.gemeentecode, g.wijkcode, g.buurtcode, g.geom) '
        'IS DISTINCT FROM (EXCLUDED.feature, EXCLUDED.zichtbaarheid, EXCLUDED.gemeentecode, '
        'EXCLUDED.wijkcode, EXCLUDED.buurtcode, EXCLUDED.geom)';
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
        EXECUTE format('INSERT INTO laag_geojson AS g %s SELECT %L, id, %s FROM %I %s',
                       kolommen, p_laag, expr, p_laag, bijwerken);
        EXECUTE format('DELETE FROM laag_geojson g WHERE g.laag = %L '
                       'AND NOT EXISTS (SELECT FROM %I v WHERE v.id = g.id)', p_laag, p_laag);
        RETURN;
    END IF;
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    EXECUTE format('INSERT INTO laag_geojson AS g %s SELECT %L, id, %s FROM %I WHERE id %s %s',
                   kolommen, p_laag, expr, p_laag, welke, bijwerken)
    USING ids;
    EXECUTE format(
        'DELETE FROM laag_geojson g WHERE g.laag = %L AND g.id IN '
        '(SELECT unnest($1) EXCEPT SELECT id FROM %I WHERE id %s)', p_laag, p_laag, welke)
    USING ids;
END $$;

-- The stored rows get their geometry (and so their place) now.
DO $$
DECLARE
    v record;
BEGIN
    FOR v IN SELECT DISTINCT g.laag FROM laag_geojson g
             WHERE to_regclass(quote_ident(g.laag)) IS NOT NULL LOOP
        EXECUTE format('UPDATE laag_geojson g SET geom = v.geom FROM %I v '
                       'WHERE g.laag = %L AND v.id = g.id AND v.geom IS NOT NULL',
                       v.laag, v.laag);
    END LOOP;
END $$;
