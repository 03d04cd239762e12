-- Search understands residents' words (issue 16): a synonym list for the social domain,
-- Dutch compounds split into known words, theme words in the search document, and
-- everyday names for areas (Maastricht-West, Parkstad, Mestreech). Pure SQL on purpose:
-- no dictionary files in the server's tsearch_data, so it runs on any PostgreSQL
-- (docs/ARCHITECTURE.md §14). The shipped lists (data/zoeken/*.csv) are loaded by the
-- migration (geo/zoekwoorden.py); rows with bron 'redactie' are added by editors and kept.

------------------------------------------------------------------------------ stems
-- One word as the search stems it: the Dutch stemmer twice (see zoek_tsquery in 0006).
-- NULL for a stop word ('de', 'met').
CREATE FUNCTION zoek_stam(woord text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce((ts_lexize('dutch_stem', l1))[1], l1)
    FROM (SELECT (ts_lexize('dutch_stem', woord))[1] AS l1) s
$$;

-- The stems of a text's words, in order, separated by spaces ('' when none is left):
-- 'Stoppen met roken' and 'stop roken' both give 'stop rok'.
CREATE FUNCTION zoek_stammen(tekst text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(s, ' ' ORDER BY n), '')
    FROM (SELECT zoek_stam(w) AS s, n
          FROM regexp_split_to_table(zoek_normaal(tekst), ' ') WITH ORDINALITY AS t(w, n)
          WHERE w <> '') x
    WHERE s IS NOT NULL
$$;

------------------------------------------------------------------------- synonyms
-- What residents type (woord) and what the records call it (woorden: words or phrases
-- searched as well) and/or a theme (thema: every service of that theme matches, ranked
-- after the ones that name a word). Keys are matched by their stems, so 'daklozen' finds
-- the row 'dakloos'... when the stems agree; a few forms are listed separately.
CREATE TABLE zoekwoord (
    woord    text PRIMARY KEY CHECK (woord <> ''),
    stammen  text NOT NULL CHECK (stammen <> ''),
    woorden  text[] NOT NULL DEFAULT '{}',
    thema    text REFERENCES thema (slug) ON UPDATE CASCADE ON DELETE SET NULL,
    bron     text NOT NULL DEFAULT 'redactie' CHECK (bron IN ('meegeleverd', 'redactie')),
    CHECK (cardinality(woorden) > 0 OR thema IS NOT NULL)
);
CREATE INDEX zoekwoord_stammen ON zoekwoord (stammen);
CREATE INDEX zoekwoord_trgm ON zoekwoord USING gin (woord gin_trgm_ops);
COMMENT ON TABLE zoekwoord IS
    'Zoekwoorden van bewoners met de woorden of het thema waarmee ook wordt gezocht (synoniemen).';

-- Keys and their words are stored normalised; the stems are the key searches look up.
CREATE FUNCTION zoekwoord_normaliseren() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.woord := zoek_normaal(NEW.woord);
    NEW.stammen := zoek_stammen(NEW.woord);
    NEW.woorden := ARRAY(SELECT DISTINCT zoek_normaal(w) FROM unnest(NEW.woorden) w
                         WHERE zoek_normaal(w) <> '' ORDER BY 1);
    RETURN NEW;
END $$;
CREATE TRIGGER zoekwoord_normaliseren BEFORE INSERT OR UPDATE ON zoekwoord
    FOR EACH ROW EXECUTE FUNCTION zoekwoord_normaliseren();

---------------------------------------------------------------------- area names
-- Everyday names for areas: one CBS area ('Mestreech' = GM0935) or several
-- ('Maastricht-West' = three wijken, 'Parkstad' = seven gemeenten). Codes that are not
-- loaded in gebied are ignored when a name is looked up.
CREATE TABLE gebied_alias (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    naam         text NOT NULL CHECK (btrim(naam) <> ''),
    sleutel      text NOT NULL UNIQUE,
    codes        text[] NOT NULL CHECK (
        cardinality(codes) > 0
        AND array_to_string(codes, ',') ~ '^((GM[0-9]{4}|WK[0-9]{6}|BU[0-9]{8})(,|$))+$'),
    toelichting  text,
    bron         text NOT NULL DEFAULT 'redactie' CHECK (bron IN ('meegeleverd', 'redactie'))
);
COMMENT ON TABLE gebied_alias IS
    'Namen die bewoners gebruiken voor een gebied of een groep gebieden (CBS-codes).';

CREATE FUNCTION gebied_alias_sleutel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.naam := btrim(NEW.naam);
    NEW.sleutel := zoek_normaal(NEW.naam);
    RETURN NEW;
END $$;
CREATE TRIGGER gebied_alias_sleutel BEFORE INSERT OR UPDATE ON gebied_alias
    FOR EACH ROW EXECUTE FUNCTION gebied_alias_sleutel();

GRANT SELECT ON zoekwoord, gebied_alias TO sociale_kaart_web;

------------------------------------------------------------------ search document
-- As in 0006, plus one token per theme, 'thema:<slug>' (weight D), which a synonym row
-- with a theme matches ('bijstand' finds the services of 'Geld en uitkering'). Residents
-- cannot type that token: zoek_normaal removes the colon. The theme descriptions are not
-- added: 'huisarts' in the description of 'Zorg en ondersteuning' would make every
-- service of that theme match 'huisarts'.
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

SELECT zoekdocument_bijwerken(ARRAY(SELECT id FROM aanbod));

------------------------------------------------------------------------ the query
-- Whether some search document holds this exact stem (one pass of the stemmer, as
-- to_tsvector does): the test for a known part of a compound.
CREATE FUNCTION zoek_bekend_deel(deel text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT length(deel) >= 3 AND (
        EXISTS (SELECT 1 FROM zoekwoord WHERE woord = deel)
        OR EXISTS (SELECT 1 FROM zoekdocument
                   WHERE zoektekst @@ CAST(quote_literal(
                       coalesce((ts_lexize('dutch_stem', deel))[1], deel)) AS tsquery)))
$$;

-- A compound split into two or three known parts ('opvoedingsondersteuning' ->
-- {opvoedings, ondersteuning}), the longest first part first; NULL when no split works.
-- Parts have at least three letters.
CREATE FUNCTION zoek_delen(woord text) RETURNS text[] LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    n integer := length(woord);
    links text;
    rechts text;
BEGIN
    IF n < 7 THEN
        RETURN NULL;
    END IF;
    FOR i IN REVERSE n - 3 .. 3 LOOP
        links := left(woord, i);
        rechts := substr(woord, i + 1);
        CONTINUE WHEN NOT zoek_bekend_deel(links);
        IF zoek_bekend_deel(rechts) THEN
            RETURN ARRAY[links, rechts];
        END IF;
        FOR j IN REVERSE length(rechts) - 3 .. 3 LOOP
            IF zoek_bekend_deel(left(rechts, j)) AND zoek_bekend_deel(substr(rechts, j + 1)) THEN
                RETURN ARRAY[links, left(rechts, j), substr(rechts, j + 1)];
            END IF;
        END LOOP;
    END LOOP;
    RETURN NULL;
END $$;

-- The words of a text as a tsquery conjunction of stem prefixes ('' for stop words only).
CREATE FUNCTION zoek_woorden_query(tekst text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(quote_literal(s) || CASE WHEN length(s) >= 3 THEN ':*' ELSE '' END,
                               ' & ' ORDER BY n), '')
    FROM (SELECT zoek_stam(w) AS s, n
          FROM regexp_split_to_table(zoek_normaal(tekst), ' ') WITH ORDINALITY AS t(w, n)
          WHERE w <> '') x
    WHERE s IS NOT NULL
$$;

-- The alternatives of one synonym row: its own words and each listed word or phrase; its
-- theme only when no search document has any of those (a fallback for data that calls
-- things differently). Always adding the theme would make 'schulden' find every service
-- of 'Geld en uitkering', also the ones that have nothing to do with debts.
CREATE FUNCTION zoek_synoniem_query(z zoekwoord) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH woorden AS (
        SELECT string_agg('(' || q || ')', ' | ') AS q
        FROM (SELECT zoek_woorden_query(z.woord) AS q
              UNION ALL SELECT zoek_woorden_query(w) FROM unnest(z.woorden) w) x
        WHERE q <> '')
    SELECT CASE
        WHEN z.thema IS NULL THEN q
        WHEN q IS NOT NULL AND EXISTS (SELECT 1 FROM zoekdocument
                                       WHERE zoektekst @@ CAST(q AS tsquery)) THEN q
        ELSE concat_ws(' | ', q, quote_literal('thema:' || z.thema)) END
    FROM woorden
$$;

-- Words residents may be shown as "Bedoelt u ...?": only the curated list (synonym keys
-- and their words) and theme and target-group names. Never words taken from records, so
-- a suggestion cannot reveal a record that is not public.
CREATE FUNCTION zoek_woordenlijst() RETURNS TABLE (woord text) LANGUAGE sql STABLE
    PARALLEL SAFE AS $$
    SELECT woord FROM zoekwoord
    UNION SELECT unnest(woorden) FROM zoekwoord
    UNION SELECT zoek_normaal(naam) FROM thema
    UNION SELECT zoek_normaal(w) FROM thema, regexp_split_to_table(naam, '\s+') w
    UNION SELECT zoek_normaal(w) FROM doelgroep, regexp_split_to_table(naam, '[\s()]+') w
$$;

-- The listed word spelt most like a word nothing else knows ('thuisorg' -> 'thuiszorg',
-- 'apoteek' -> 'apotheek'); NULL below a similarity of 0.45 or for words under 5 letters.
CREATE FUNCTION zoek_gelijkend_woord(gezocht text) RETURNS text LANGUAGE sql STABLE
    PARALLEL SAFE AS $$
    SELECT l.woord FROM zoek_woordenlijst() l
    WHERE length(gezocht) >= 5 AND l.woord !~ ' ' AND similarity(l.woord, gezocht) >= 0.45
    ORDER BY similarity(l.woord, gezocht) DESC, l.woord
    LIMIT 1
$$;

-- The query for free text (replaces 0006's): every word or phrase must match, and each
-- may match in several ways:
--  * its stems as prefixes, as before ('huisartsen', 'huisar' find 'Huisarts');
--  * a synonym row whose key equals the phrase (up to four words, longest first) adds
--    its words and its theme ('thuiszorg' -> wijkverpleging | buurtzorg | thema);
--  * a word no document knows is split into known parts ('opvoedingsondersteuning' ->
--    opvoed & ondersteun), or else matched to the listed word spelt most like it.
-- NULL when no word is left (stop words only).
CREATE OR REPLACE FUNCTION zoek_tsquery(tekst text) RETURNS tsquery LANGUAGE plpgsql STABLE
    PARALLEL SAFE AS $$
DECLARE
    w text[] := array_remove(regexp_split_to_array(zoek_normaal(left(tekst, 200)), ' '), '');
    n integer := cardinality(w);
    i integer := 1;
    k integer;
    gevonden boolean;
    syn zoekwoord;
    groep text;
    delen text[];
    gelijkend text;
    groepen text[] := '{}';
BEGIN
    WHILE i <= n LOOP
        gevonden := false;
        FOR k IN REVERSE least(4, n - i + 1) .. 1 LOOP
            SELECT z.* INTO syn FROM zoekwoord z
            WHERE z.stammen = zoek_stammen(array_to_string(w[i:i + k - 1], ' '))
            ORDER BY z.woord = array_to_string(w[i:i + k - 1], ' ') DESC, z.woord LIMIT 1;
            IF FOUND THEN
                groep := zoek_synoniem_query(syn);
                i := i + k;
                gevonden := true;
                EXIT;
            END IF;
        END LOOP;
        IF NOT gevonden THEN
            groep := zoek_woorden_query(w[i]);
            IF groep <> '' AND length(w[i]) >= 5 AND NOT EXISTS (
                    SELECT 1 FROM zoekdocument WHERE zoektekst @@ CAST(groep AS tsquery)) THEN
                delen := zoek_delen(w[i]);
                IF delen IS NOT NULL THEN
                    groep := groep || ' | (' || (
                        SELECT string_agg(coalesce(
                                   (SELECT '(' || zoek_synoniem_query(z) || ')' FROM zoekwoord z
                                    WHERE z.woord = d), '(' || zoek_woorden_query(d) || ')'), ' & ')
                        FROM unnest(delen) d) || ')';
                ELSE
                    gelijkend := zoek_gelijkend_woord(w[i]);
                    IF gelijkend IS NOT NULL THEN
                        groep := groep || ' | ' || coalesce(
                            (SELECT zoek_synoniem_query(z) FROM zoekwoord z WHERE z.woord = gelijkend),
                            zoek_woorden_query(gelijkend));
                    END IF;
                END IF;
            END IF;
            i := i + 1;
        END IF;
        IF groep <> '' THEN
            groepen := groepen || ('(' || groep || ')');
        END IF;
    END LOOP;
    IF cardinality(groepen) = 0 THEN
        RETURN NULL;
    END IF;
    -- A cast, not to_tsquery: the parts are stems already, and 'thema:<slug>' must stay
    -- one lexeme (a text search parser would split it).
    RETURN CAST(array_to_string(groepen, ' & ') AS tsquery);
END $$;

------------------------------------------------------------------ suggestions
-- (zoek_woordenlijst above: what a suggestion may show.)
-- The text with each unknown word replaced by the listed word spelt most like it
-- ('mantelsorg steunpunt' -> 'mantelzorg steunpunt'); NULL when nothing changed.
CREATE FUNCTION zoek_spelling(tekst text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH lijst AS MATERIALIZED (SELECT DISTINCT woord FROM zoek_woordenlijst() WHERE woord <> ''),
    woorden AS (
        SELECT w, n, coalesce(
            (SELECT NULL::text FROM lijst WHERE lijst.woord = w),
            (SELECT l.woord FROM lijst l
             WHERE length(w) >= 4 AND l.woord !~ ' ' AND similarity(l.woord, w) >= 0.4
             ORDER BY similarity(l.woord, w) DESC, l.woord LIMIT 1)) AS beter
        FROM regexp_split_to_table(zoek_normaal(left(tekst, 200)), ' ') WITH ORDINALITY AS t(w, n)
        WHERE w <> '')
    SELECT CASE WHEN bool_or(beter IS NOT NULL AND beter <> w)
                THEN string_agg(coalesce(beter, w), ' ' ORDER BY n) END
    FROM woorden
$$;

-- Themes the words point to through the synonym list (exact keys, or spelt alike).
CREATE FUNCTION zoek_themas(tekst text) RETURNS text[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ARRAY(
        SELECT DISTINCT z.thema FROM zoekwoord z
        WHERE z.thema IS NOT NULL
          AND (z.stammen = zoek_stammen(tekst)
               OR z.woord = ANY(regexp_split_to_array(zoek_normaal(tekst), ' '))
               OR z.woord IN (SELECT zoek_gelijkend_woord(w)
                              FROM regexp_split_to_table(zoek_normaal(tekst), ' ') w))
        ORDER BY 1)
$$;
