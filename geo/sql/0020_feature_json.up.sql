-- Stored Feature GeoJSON (issue 17, point 2): each published row's GeoJSON Feature text in
-- CRS84, written when the data is written, so the first page after an edit reads stored
-- text instead of building 1000 features in PostGIS (docs/ARCHITECTURE.md, layer cache).
--
-- laag_geojson holds the text per (view, id); laag_geojson_bron says which views read it
-- (the theme views are rows of laag_voorzieningen with the same columns, so they share its
-- text). Writers only mark what changed: statement triggers (transition tables) put the
-- affected ids in laag_geojson_wachtrij, and a deferred trigger rebuilds them once, at
-- commit, under a per-view advisory lock (so two transactions that change one feature
-- through different tables never store a text from a snapshot without the other's change).
-- The text is the same for every role: visibility only decides which ids a caller gets.
-- Readers take the text only when the data version they read with it is the version the
-- page's ids were chosen under (layers/feature_cache.py); a missing row is built live.
CREATE TABLE laag_geojson (
    laag text NOT NULL,
    id bigint NOT NULL,
    feature text NOT NULL,
    -- the row's visibility and area codes (when the view has them): counts and offsets of
    -- a page filtered by visibility alone are index-only scans of laag_geojson_zicht
    zichtbaarheid text,
    gemeentecode text,
    wijkcode text,
    buurtcode text,
    PRIMARY KEY (laag, id)
);
CREATE INDEX laag_geojson_zicht ON laag_geojson (laag, id)
    INCLUDE (zichtbaarheid, gemeentecode, wijkcode, buurtcode);
COMMENT ON TABLE laag_geojson IS
    'Intern: GeoJSON Feature-tekst (CRS84) per rij van een gepubliceerde laag, bijgewerkt bij elke wijziging.';

CREATE TABLE laag_geojson_bron (
    laag text PRIMARY KEY,
    bron text NOT NULL
);
COMMENT ON TABLE laag_geojson_bron IS
    'Intern: welke laag (view) de opgeslagen tekst van welke bronlaag gebruikt.';

-- Which base tables change which stored rows: ids_sql selects the affected ids from a
-- transition table named by %1$s.
CREATE TABLE laag_geojson_volg (
    tabel text NOT NULL,
    laag text NOT NULL,
    ids_sql text NOT NULL,
    PRIMARY KEY (tabel, laag)
);
COMMENT ON TABLE laag_geojson_volg IS
    'Intern: welke tabel welke opgeslagen features verandert (SQL over de transitietabel).';

CREATE TABLE laag_geojson_wachtrij (laag text NOT NULL, id bigint NOT NULL, PRIMARY KEY (laag, id));
CREATE TABLE laag_geojson_alles (laag text PRIMARY KEY);
CREATE TABLE laag_geojson_vlag (transactie bigint PRIMARY KEY);
COMMENT ON TABLE laag_geojson_wachtrij IS 'Intern: features die bij commit opnieuw worden opgeslagen.';
COMMENT ON TABLE laag_geojson_alles IS 'Intern: lagen die bij commit helemaal opnieuw worden opgeslagen (TRUNCATE).';
COMMENT ON TABLE laag_geojson_vlag IS 'Intern: één rij per transactie met werk voor laag_geojson_verwerken.';

-- The residents' map's points (layers/pages/sql/kaart.sql): a narrow copy of the columns of
-- laag_voorzieningen the map needs, with the position in lon/lat as the map shows it, kept
-- with the Feature text. A national view then reads 250,000 narrow rows instead of
-- joining six tables; the privacy rules stay the view's (confidential locations already
-- at their buurt's point) and the readers filter zichtbaarheid and area codes as on the view.
CREATE TABLE kaart_punt (
    id bigint PRIMARY KEY,
    lon double precision NOT NULL,
    lat double precision NOT NULL,
    themas text[] NOT NULL,
    zichtbaarheid text NOT NULL,
    gemeentecode text,
    wijkcode text,
    buurtcode text
);
CREATE INDEX kaart_punt_lon_lat ON kaart_punt (lon, lat);
CREATE VIEW kaart_punt_bron AS
SELECT v.id, round(ST_X(ST_Transform(v.geom, 4326))::numeric, 6)::float8 AS lon,
       round(ST_Y(ST_Transform(v.geom, 4326))::numeric, 6)::float8 AS lat, v.themas, v.zichtbaarheid,
       v.gemeentecode, v.wijkcode, v.buurtcode
FROM laag_voorzieningen v;
COMMENT ON VIEW kaart_punt_bron IS 'Intern: wat kaart_punt van laag_voorzieningen bewaart.';
COMMENT ON TABLE kaart_punt IS
    'Intern: de punten van de bewonerskaart, een smalle kopie van laag_voorzieningen.';

CREATE FUNCTION kaart_punt_vernieuwen(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL THEN
        DELETE FROM kaart_punt;
        INSERT INTO kaart_punt SELECT * FROM kaart_punt_bron;
    ELSIF cardinality(ids) > 0 THEN
        DELETE FROM kaart_punt WHERE id = ANY(ids);
        INSERT INTO kaart_punt SELECT * FROM kaart_punt_bron WHERE id = ANY(ids);
    END IF;
END $$;

-- The Feature text of one row of view ``laag``, exactly as layers.features.feature_sql
-- builds it for CRS84 (tests/layers/test_feature_json.py compares them): the view's
-- columns in order, without id, geom and the hidden columns of layers.catalog.HIDDEN.
CREATE FUNCTION laag_geojson_sql(laag regclass) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT format(
        'json_build_object(''type'', ''Feature'', ''id'', id, ''geometry'', '
        'ST_AsGeoJSON(ST_Transform(geom, 4326), 7, 0)::json, '
        '''properties'', json_build_object(%s))::text',
        coalesce(string_agg(format('%L, %I', a.attname, a.attname), ', ' ORDER BY a.attnum), ''))
    FROM pg_attribute a
    WHERE a.attrelid = laag AND a.attnum > 0 AND NOT a.attisdropped
      AND a.attname NOT IN ('id', 'geom', 'themas', 'doelgroepen', 'zichtbaarheid')
$$;

-- The visibility and area code columns of view ``laag`` as text (NULL where it has none).
CREATE FUNCTION laag_geojson_kolommen(laag regclass) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT string_agg(CASE WHEN EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = laag
                                        AND a.attname = x.k AND a.attnum > 0
                                        AND NOT a.attisdropped)
                           THEN format('%I::text', x.k) ELSE 'NULL' END, ', ' ORDER BY x.i)
    FROM unnest(ARRAY['zichtbaarheid', 'gemeentecode', 'wijkcode', 'buurtcode'])
         WITH ORDINALITY AS x(k, i)
$$;

-- Store the text of ``ids`` of view ``p_laag`` again (NULL: every row).
CREATE FUNCTION laag_geojson_vernieuwen(p_laag text, ids bigint[]) RETURNS void
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

-- Statement trigger on a followed table: mark the affected rows of every view it feeds.
CREATE FUNCTION laag_geojson_markeren() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v record;
BEGIN
    FOR v IN SELECT laag, ids_sql FROM laag_geojson_volg WHERE tabel = TG_TABLE_NAME LOOP
        IF TG_OP = 'TRUNCATE' THEN
            INSERT INTO laag_geojson_alles VALUES (v.laag) ON CONFLICT DO NOTHING;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            EXECUTE format('INSERT INTO laag_geojson_wachtrij SELECT DISTINCT %L, id FROM (%s) x '
                           'WHERE id IS NOT NULL ON CONFLICT DO NOTHING',
                           v.laag, format(v.ids_sql, 'nieuw'));
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            EXECUTE format('INSERT INTO laag_geojson_wachtrij SELECT DISTINCT %L, id FROM (%s) x '
                           'WHERE id IS NOT NULL ON CONFLICT DO NOTHING',
                           v.laag, format(v.ids_sql, 'oud'));
        END IF;
        INSERT INTO laag_geojson_vlag VALUES (txid_current()) ON CONFLICT DO NOTHING;
    END LOOP;
    RETURN NULL;
END $$;

-- At commit: store every marked row once (an import writes several tables per service).
CREATE FUNCTION laag_geojson_verwerken() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v record;
BEGIN
    DELETE FROM laag_geojson_vlag WHERE transactie = NEW.transactie;
    FOR v IN WITH weg AS (DELETE FROM laag_geojson_alles RETURNING laag) SELECT laag FROM weg LOOP
        DELETE FROM laag_geojson_wachtrij WHERE laag = v.laag;
        PERFORM laag_geojson_vernieuwen(v.laag, NULL);
    END LOOP;
    FOR v IN WITH weg AS (DELETE FROM laag_geojson_wachtrij RETURNING laag, id)
             SELECT laag, array_agg(id) AS ids FROM weg GROUP BY laag LOOP
        PERFORM laag_geojson_vernieuwen(v.laag, v.ids);
    END LOOP;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER laag_geojson_verwerken AFTER INSERT ON laag_geojson_vlag
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION laag_geojson_verwerken();

-- Follow ``tabel`` for view ``laag`` (idempotent): ``ids_sql`` maps its changed rows to ids.
CREATE FUNCTION laag_geojson_volgen(p_tabel regclass, p_laag text, p_ids_sql text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    naam text := (SELECT relname FROM pg_class WHERE oid = p_tabel);
BEGIN
    INSERT INTO laag_geojson_volg VALUES (naam, p_laag, p_ids_sql)
    ON CONFLICT (tabel, laag) DO UPDATE SET ids_sql = EXCLUDED.ids_sql;
    EXECUTE format('DROP TRIGGER IF EXISTS laag_geojson_ins ON %s', p_tabel);
    EXECUTE format('DROP TRIGGER IF EXISTS laag_geojson_upd ON %s', p_tabel);
    EXECUTE format('DROP TRIGGER IF EXISTS laag_geojson_del ON %s', p_tabel);
    EXECUTE format('DROP TRIGGER IF EXISTS laag_geojson_trunc ON %s', p_tabel);
    EXECUTE format('CREATE TRIGGER laag_geojson_ins AFTER INSERT ON %s REFERENCING NEW TABLE AS nieuw '
                   'FOR EACH STATEMENT EXECUTE FUNCTION laag_geojson_markeren()', p_tabel);
    EXECUTE format('CREATE TRIGGER laag_geojson_upd AFTER UPDATE ON %s REFERENCING OLD TABLE AS oud '
                   'NEW TABLE AS nieuw FOR EACH STATEMENT EXECUTE FUNCTION laag_geojson_markeren()', p_tabel);
    EXECUTE format('CREATE TRIGGER laag_geojson_del AFTER DELETE ON %s REFERENCING OLD TABLE AS oud '
                   'FOR EACH STATEMENT EXECUTE FUNCTION laag_geojson_markeren()', p_tabel);
    EXECUTE format('CREATE TRIGGER laag_geojson_trunc AFTER TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION laag_geojson_markeren()', p_tabel);
END $$;

-- Editors' writes (the web role) run these as their owner, like the other record triggers.
ALTER FUNCTION laag_geojson_markeren() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION laag_geojson_verwerken() SECURITY DEFINER SET search_path = public, pg_temp;

-- laag_voorzieningen: a service at a location (aanbod_locatie.id) and everything it shows.
SELECT laag_geojson_volgen('aanbod_locatie', 'laag_voorzieningen', 'SELECT id FROM %1$s');
SELECT laag_geojson_volgen('aanbod', 'laag_voorzieningen',
    'SELECT al.id FROM aanbod_locatie al JOIN %1$s r ON al.aanbod_id = r.id');
SELECT laag_geojson_volgen('organisatie', 'laag_voorzieningen',
    'SELECT al.id FROM aanbod_locatie al JOIN aanbod a ON a.id = al.aanbod_id '
    'JOIN %1$s r ON a.organisatie_id = r.id');
SELECT laag_geojson_volgen('locatie', 'laag_voorzieningen',
    'SELECT al.id FROM aanbod_locatie al JOIN %1$s r ON al.locatie_id = r.id');
SELECT laag_geojson_volgen('aanbod_thema', 'laag_voorzieningen',
    'SELECT al.id FROM aanbod_locatie al JOIN %1$s r ON al.aanbod_id = r.aanbod_id');
SELECT laag_geojson_volgen('aanbod_doelgroep', 'laag_voorzieningen',
    'SELECT al.id FROM aanbod_locatie al JOIN %1$s r ON al.aanbod_id = r.aanbod_id');
-- Confidential locations are shown at their buurt's inner point.
SELECT laag_geojson_volgen('gebied', 'laag_voorzieningen',
    'SELECT al.id FROM aanbod_locatie al JOIN locatie l ON l.id = al.locatie_id '
    'JOIN %1$s r ON l.buurtcode = r.code WHERE l.vertrouwelijk');

INSERT INTO laag_geojson_bron (laag, bron)
SELECT c.relname, 'laag_voorzieningen' FROM pg_class c
WHERE c.relkind = 'v' AND c.relnamespace = current_schema()::regnamespace
  AND (c.relname = 'laag_voorzieningen' OR c.relname LIKE 'laag\_thema\_%');
SELECT laag_geojson_vernieuwen('laag_voorzieningen', NULL);

GRANT SELECT ON laag_geojson, laag_geojson_bron, kaart_punt TO sociale_kaart_web;
