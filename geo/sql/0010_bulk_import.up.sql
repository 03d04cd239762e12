-- Bulk writes (issue 3). A writer that stores many records in one transaction (the
-- organisation import) sets sociale_kaart.bulk to 'on' for that transaction only
-- (set_config('sociale_kaart.bulk', 'on', true)) and then does itself, once and
-- set-based, what the triggers would otherwise do row by row or at commit:
--   * area codes: it inserts new locations with their codes (the buurt the point lies in,
--     the lowest code on a shared border) and locatie_gebieden keeps them; an update of
--     geom is still derived by the trigger;
--   * search documents: it calls zoekdocument_bijwerken for every service it touched,
--     and zoekdocument_markeren queues nothing.
-- The audit trail (wijziging) and the data versions are written as always.
-- Also: zoekdocument_bijwerken analyses each distinct text once (same documents).

CREATE FUNCTION bulk_schrijven() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('sociale_kaart.bulk', true), '') = 'on'
$$;
COMMENT ON FUNCTION bulk_schrijven() IS
    'True when this transaction''s writer derives area codes and search documents itself.';

CREATE OR REPLACE FUNCTION locatie_gebieden() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND bulk_schrijven() THEN
        RETURN NEW;
    END IF;
    SELECT b.code, b.wijkcode, b.gemeentecode INTO NEW.buurtcode, NEW.wijkcode, NEW.gemeentecode
    FROM gebied b
    WHERE b.niveau = 'buurt' AND NEW.geom IS NOT NULL AND ST_Intersects(b.geom, NEW.geom)
    ORDER BY b.code LIMIT 1;
    IF NOT FOUND THEN
        NEW.buurtcode := NULL; NEW.wijkcode := NULL; NEW.gemeentecode := NULL;
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION zoekdocument_markeren(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(ids) > 0 AND NOT bulk_schrijven() THEN
        INSERT INTO zoekdocument_wachtrij SELECT DISTINCT unnest(ids) ON CONFLICT DO NOTHING;
        INSERT INTO zoekdocument_vlag VALUES (txid_current()) ON CONFLICT DO NOTHING;
    END IF;
END $$;

-- The search documents of 0006, the same to the byte, with each distinct description and
-- each distinct organisation-plus-themes text analysed once: an organisation's services
-- share its description, and sources repeat standard texts (the text parser is the cost).
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
               zoek_normaal(o.naam || ' ' || a.naam) AS zoeknamen
        FROM aanbod a JOIN organisatie o ON o.id = a.organisatie_id
        WHERE a.id = ANY(ids)
    ), b AS MATERIALIZED (
        SELECT omschrijving, setweight(to_tsvector('zoeken_nl', omschrijving), 'B') AS v
        FROM (SELECT DISTINCT omschrijving FROM tekst) x
    ), c AS MATERIALIZED (
        SELECT overig, setweight(to_tsvector('zoeken_nl', overig), 'C') AS v
        FROM (SELECT DISTINCT overig FROM tekst) x
    )
    INSERT INTO zoekdocument AS z (aanbod_id, zoektekst, zoeknamen)
    SELECT t.id, setweight(to_tsvector('zoeken_nl', t.namen), 'A') || b.v || c.v, t.zoeknamen
    FROM tekst t JOIN b USING (omschrijving) JOIN c USING (overig)
    ON CONFLICT (aanbod_id) DO UPDATE
        SET zoektekst = EXCLUDED.zoektekst, zoeknamen = EXCLUDED.zoeknamen
        WHERE (z.zoektekst, z.zoeknamen) IS DISTINCT FROM (EXCLUDED.zoektekst, EXCLUDED.zoeknamen)
$$;
