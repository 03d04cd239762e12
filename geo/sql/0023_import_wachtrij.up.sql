-- The import's write path without per-row work it does not need (issue 12).
--
-- 1. A statement that changes many rows of a followed table (an import: 100,000 services,
--    locations, links, themes) no longer copies every affected id into
--    laag_geojson_wachtrij when the layer will be stored again in one pass at commit
--    anyway (migration 0022 does that when the ids are over a quarter of the stored
--    rows): it marks the whole layer (laag_geojson_alles), as a TRUNCATE does. Later
--    statements of the same transaction then queue nothing for that layer. The stored
--    text after commit is the same: every row of the view, built by
--    laag_geojson_vernieuwen(laag, NULL).
-- 2. The search documents of many services (zoekdocument_bijwerken, called once per
--    import) analyse each distinct description and each distinct organisation-plus-themes
--    text once, as migration 0010 did before 0018 added the theme tokens (the text parser
--    is the cost: sources repeat standard texts, an organisation's services share its
--    description), and select the services by a join on the ids instead of
--    `id = ANY(ids)`. The documents are the same to the byte as 0018's.
-- 3. The whole-layer pass (laag_geojson_vernieuwen(laag, NULL), kaart_punt_vernieuwen(NULL))
--    writes only the rows that differ and deletes only the rows the view lost, instead of
--    deleting and inserting every row: an import that changes a quarter of a large layer
--    rewrites that quarter, and the tables' own statement triggers (counts, tiles) see
--    only what changed.
CREATE OR REPLACE FUNCTION laag_geojson_markeren() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v record;
    n bigint;
BEGIN
    FOR v IN SELECT laag, ids_sql FROM laag_geojson_volg WHERE tabel = TG_TABLE_NAME LOOP
        IF TG_OP = 'TRUNCATE' THEN
            INSERT INTO laag_geojson_alles VALUES (v.laag) ON CONFLICT DO NOTHING;
        ELSIF EXISTS (SELECT FROM laag_geojson_alles WHERE laag = v.laag) THEN
            NULL;  -- this transaction stores the whole layer again at commit
        ELSE
            -- rows in the transition table(s): a lower bound of the affected ids
            IF TG_OP = 'DELETE' THEN
                EXECUTE 'SELECT count(*) FROM oud' INTO n;
            ELSE
                EXECUTE 'SELECT count(*) FROM nieuw' INTO n;
            END IF;
            IF n > 1000 AND n * 4 > (SELECT count(*) FROM laag_geojson WHERE laag = v.laag) THEN
                INSERT INTO laag_geojson_alles VALUES (v.laag) ON CONFLICT DO NOTHING;
                DELETE FROM laag_geojson_wachtrij WHERE laag = v.laag;
            ELSE
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    EXECUTE format('INSERT INTO laag_geojson_wachtrij SELECT DISTINCT %L, id '
                                   'FROM (%s) x WHERE id IS NOT NULL ON CONFLICT DO NOTHING',
                                   v.laag, format(v.ids_sql, 'nieuw'));
                END IF;
                IF TG_OP IN ('DELETE', 'UPDATE') THEN
                    EXECUTE format('INSERT INTO laag_geojson_wachtrij SELECT DISTINCT %L, id '
                                   'FROM (%s) x WHERE id IS NOT NULL ON CONFLICT DO NOTHING',
                                   v.laag, format(v.ids_sql, 'oud'));
                END IF;
            END IF;
        END IF;
        INSERT INTO laag_geojson_vlag VALUES (txid_current()) ON CONFLICT DO NOTHING;
    END LOOP;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION zoekdocument_bijwerken(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    WITH tekst AS MATERIALIZED (
        SELECT a.id, a.naam || ' ' || o.naam AS namen,
               coalesce(a.omschrijving, '') AS omschrijving,
               concat_ws(' ', o.omschrijving,
                   (SELECT string_agg(t.naam, ' ') FROM aanbod_thema at
                      JOIN thema t ON t.slug = at.thema_slug WHERE at.aanbod_id = a.id),
                   (SELECT string_agg(d.naam, ' ') FROM aanbod_doelgroep ad
                      JOIN doelgroep d ON d.slug = ad.doelgroep_slug WHERE ad.aanbod_id = a.id))
                   AS overig,
               array_to_tsvector(ARRAY(SELECT 'thema:' || at.thema_slug FROM aanbod_thema at
                                       WHERE at.aanbod_id = a.id)) AS themas,
               zoek_normaal(o.naam || ' ' || a.naam) AS zoeknamen
        FROM (SELECT DISTINCT unnest(ids) AS id) i
        JOIN aanbod a ON a.id = i.id JOIN organisatie o ON o.id = a.organisatie_id
    ), b AS MATERIALIZED (
        SELECT omschrijving, setweight(to_tsvector('zoeken_nl', omschrijving), 'B') AS v
        FROM (SELECT DISTINCT omschrijving FROM tekst) x
    ), c AS MATERIALIZED (
        SELECT overig, setweight(to_tsvector('zoeken_nl', overig), 'C') AS v
        FROM (SELECT DISTINCT overig FROM tekst) x
    )
    INSERT INTO zoekdocument AS z (aanbod_id, zoektekst, zoeknamen)
    SELECT t.id,
           setweight(to_tsvector('zoeken_nl', t.namen), 'A') || b.v || c.v
        || setweight(t.themas, 'D'),
           t.zoeknamen
    FROM tekst t JOIN b USING (omschrijving) JOIN c USING (overig)
    ON CONFLICT (aanbod_id) DO UPDATE
        SET zoektekst = EXCLUDED.zoektekst, zoeknamen = EXCLUDED.zoeknamen
        WHERE (z.zoektekst, z.zoeknamen) IS DISTINCT FROM (EXCLUDED.zoektekst, EXCLUDED.zoeknamen)
$$;

ALTER FUNCTION laag_geojson_markeren() SECURITY DEFINER SET search_path = public, pg_temp;

CREATE OR REPLACE FUNCTION kaart_punt_vernieuwen(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL AND NOT EXISTS (SELECT FROM kaart_punt) THEN
        INSERT INTO kaart_punt SELECT * FROM kaart_punt_bron;  -- the first fill
    ELSIF ids IS NULL THEN
        INSERT INTO kaart_punt AS k SELECT * FROM kaart_punt_bron
        ON CONFLICT (id) DO UPDATE SET lon = EXCLUDED.lon, lat = EXCLUDED.lat,
            themas = EXCLUDED.themas, zichtbaarheid = EXCLUDED.zichtbaarheid,
            gemeentecode = EXCLUDED.gemeentecode, wijkcode = EXCLUDED.wijkcode,
            buurtcode = EXCLUDED.buurtcode
        WHERE (k.lon, k.lat, k.themas, k.zichtbaarheid, k.gemeentecode, k.wijkcode, k.buurtcode)
              IS DISTINCT FROM (EXCLUDED.lon, EXCLUDED.lat, EXCLUDED.themas,
              EXCLUDED.zichtbaarheid, EXCLUDED.gemeentecode, EXCLUDED.wijkcode,
              EXCLUDED.buurtcode);
        DELETE FROM kaart_punt k WHERE NOT EXISTS (SELECT FROM laag_voorzieningen v
                                                   WHERE v.id = k.id);
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
