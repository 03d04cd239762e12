-- The functions of 0001 and 0006 as they were.
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
               'C'),
           zoek_normaal(o.naam || ' ' || a.naam)
    FROM aanbod a JOIN organisatie o ON o.id = a.organisatie_id
    WHERE a.id = ANY(ids)
    ON CONFLICT (aanbod_id) DO UPDATE
        SET zoektekst = EXCLUDED.zoektekst, zoeknamen = EXCLUDED.zoeknamen
        WHERE (z.zoektekst, z.zoeknamen) IS DISTINCT FROM (EXCLUDED.zoektekst, EXCLUDED.zoeknamen)
$$;

CREATE OR REPLACE FUNCTION zoekdocument_markeren(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(ids) > 0 THEN
        INSERT INTO zoekdocument_wachtrij SELECT DISTINCT unnest(ids) ON CONFLICT DO NOTHING;
        INSERT INTO zoekdocument_vlag VALUES (txid_current()) ON CONFLICT DO NOTHING;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION locatie_gebieden() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT b.code, b.wijkcode, b.gemeentecode INTO NEW.buurtcode, NEW.wijkcode, NEW.gemeentecode
    FROM gebied b
    WHERE b.niveau = 'buurt' AND NEW.geom IS NOT NULL AND ST_Intersects(b.geom, NEW.geom)
    ORDER BY b.code LIMIT 1;
    IF NOT FOUND THEN
        NEW.buurtcode := NULL; NEW.wijkcode := NULL; NEW.gemeentecode := NULL;
    END IF;
    RETURN NEW;
END $$;

DROP FUNCTION bulk_schrijven();
