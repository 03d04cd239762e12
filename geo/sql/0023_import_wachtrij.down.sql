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
