-- Back to 0017: the search of 0006 (no synonyms, compounds or area names).
DROP FUNCTION IF EXISTS zoek_themas(text);
DROP FUNCTION IF EXISTS zoek_spelling(text);

CREATE OR REPLACE FUNCTION zoek_tsquery(tekst text) RETURNS tsquery LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_tsquery('simple', string_agg(
               quote_literal(l) || CASE WHEN length(l) >= 3 THEN ':*' ELSE '' END, ' & '))
    FROM (SELECT coalesce((ts_lexize('dutch_stem', s.l1))[1], s.l1) AS l
          FROM (SELECT (ts_lexize('dutch_stem', w))[1] AS l1
                FROM regexp_split_to_table(zoek_normaal(tekst), ' ') AS w
                WHERE w <> '') s
          WHERE s.l1 IS NOT NULL) x
$$;

DROP FUNCTION IF EXISTS zoek_gelijkend_woord(text);
DROP FUNCTION IF EXISTS zoek_woordenlijst();
DROP FUNCTION IF EXISTS zoek_synoniem_query(zoekwoord);
DROP FUNCTION IF EXISTS zoek_woorden_query(text);
DROP FUNCTION IF EXISTS zoek_delen(text);
DROP FUNCTION IF EXISTS zoek_bekend_deel(text);

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
SELECT zoekdocument_bijwerken(ARRAY(SELECT id FROM aanbod));

DROP TABLE IF EXISTS gebied_alias;
DROP FUNCTION IF EXISTS gebied_alias_sleutel();
DROP TABLE IF EXISTS zoekwoord;
DROP FUNCTION IF EXISTS zoekwoord_normaliseren();
DROP FUNCTION IF EXISTS zoek_stammen(text);
DROP FUNCTION IF EXISTS zoek_stam(text);
