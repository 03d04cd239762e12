-- Back to the bodies of migrations 0020 (queue trigger) and 0018 (search documents).
CREATE OR REPLACE FUNCTION laag_geojson_markeren() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION zoekdocument_bijwerken(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO zoekdocument AS z (aanbod_id, zoektekst, zoeknamen)
    SELECT a.id,
           setweight(to_tsvector('zoeken_nl', a.naam || ' ' || o.naam), 'A')
        || setweight(to_tsvector('zoeken_nl', coalesce(a.omschrijving, '')), 'B')
        || setweight(to_tsvector('zoeken_nl', concat_ws(' ', o.omschrijving,
               (SELECT string_agg(t.naam, ' ') FROM aanbod_thema at
                  JOIN thema t ON t.slug = at.thema_slug WHERE at.aanbod_id = a.id),
               (SELECT string_agg(d.naam, ' ') FROM aanbod_doelgroep ad
                  JOIN doelgroep d ON d.slug = ad.doelgroep_slug WHERE ad.aanbod_id = a.id))),
               'C')
        || setweight(array_to_tsvector(ARRAY(
               SELECT 'thema:' || at.thema_slug FROM aanbod_thema at WHERE at.aanbod_id = a.id)),
               'D'),
           zoek_normaal(o.naam || ' ' || a.naam)
    FROM aanbod a JOIN organisatie o ON o.id = a.organisatie_id
    WHERE a.id = ANY(ids)
    ON CONFLICT (aanbod_id) DO UPDATE
        SET zoektekst = EXCLUDED.zoektekst, zoeknamen = EXCLUDED.zoeknamen
        WHERE (z.zoektekst, z.zoeknamen) IS DISTINCT FROM (EXCLUDED.zoektekst, EXCLUDED.zoeknamen)
$$;

ALTER FUNCTION laag_geojson_markeren() SECURITY DEFINER SET search_path = public, pg_temp;

-- Back to the bodies of migration 0022.
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
