-- Search in one box (issue 5): a full-text document per service, kept current by triggers,
-- and the "gezocht, niet gevonden" demand signal with its published layer.

------------------------------------------------------------------ text normalisation
-- Dutch stemming after unaccent, so 'café', 'cafe' and 'cafés' meet, and 'huisartsen'
-- finds 'huisarts'. A copy of the built-in 'dutch' configuration with unaccent in front.
CREATE TEXT SEARCH CONFIGURATION zoeken_nl (COPY = dutch);
ALTER TEXT SEARCH CONFIGURATION zoeken_nl
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, dutch_stem;

-- Lower case, no accents, only letters and digits separated by single spaces:
-- 'Sittard-Geleen' and 'sittard  geleen' compare equal. STABLE because unaccent is.
CREATE FUNCTION zoek_normaal(tekst text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT trim(regexp_replace(lower(unaccent(coalesce(tekst, ''))), '[^[:alnum:]]+', ' ', 'g'))
$$;

-- The query for free text: every word is stemmed twice and matched as a prefix, all words
-- must match. Twice, because the Dutch stemmer maps 'huisartsen' to 'huisarts' but
-- 'huisarts' to 'huisart'; the second pass brings both to 'huisart', and 'huisart:*' also
-- finds 'huisartsenpraktijk' and a half-typed 'huisar'. Stop words ('in', 'bij') drop out.
-- Words shorter than three letters match whole. NULL when no word is left.
CREATE FUNCTION zoek_tsquery(tekst text) RETURNS tsquery LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_tsquery('simple', string_agg(
               quote_literal(l) || CASE WHEN length(l) >= 3 THEN ':*' ELSE '' END, ' & '))
    FROM (SELECT coalesce((ts_lexize('dutch_stem', s.l1))[1], s.l1) AS l
          FROM (SELECT (ts_lexize('dutch_stem', w))[1] AS l1
                FROM regexp_split_to_table(zoek_normaal(tekst), ' ') AS w
                WHERE w <> '') s
          WHERE s.l1 IS NOT NULL) x
$$;

------------------------------------------------------------------- search document
-- One row per service. A table of its own rather than columns on aanbod: writing it
-- must not show up as a change of the service in the audit trail (wijziging), and the
-- triggers below stay set-based (one statement per import, not one per row).
CREATE TABLE zoekdocument (
    aanbod_id  bigint PRIMARY KEY REFERENCES aanbod (id) ON DELETE CASCADE,
    zoektekst  tsvector NOT NULL,
    zoeknamen  text NOT NULL
);
CREATE INDEX zoekdocument_zoektekst ON zoekdocument USING gin (zoektekst);
-- Typo tolerance and prefixes on the names residents type: organisation + service.
CREATE INDEX zoekdocument_zoeknamen_trgm ON zoekdocument USING gin (zoeknamen gin_trgm_ops);
COMMENT ON TABLE zoekdocument IS
    'Zoekdocument per aanbod (namen, omschrijvingen, thema''s, doelgroepen); bijgehouden door triggers.';

-- Weights: names A, the service's description B, the organisation's description and the
-- theme and target-group names C (so 'ouderen' or 'vervoer' find what is meant for them).
CREATE FUNCTION zoekdocument_bijwerken(ids bigint[]) RETURNS void LANGUAGE sql AS $$
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

-- Writers mark services as changed; the documents are rebuilt once, at commit. An import
-- writes aanbod, then its themes, then its target groups: rebuilding after each statement
-- would do every document three times. Statement-level triggers (transition tables) put the
-- ids in zoekdocument_wachtrij and one row per transaction in zoekdocument_vlag, whose
-- deferred constraint trigger does the work. Other sessions never see these rows: they are
-- deleted before the writing transaction commits.
CREATE TABLE zoekdocument_wachtrij (aanbod_id bigint PRIMARY KEY);
CREATE TABLE zoekdocument_vlag (transactie bigint PRIMARY KEY);
COMMENT ON TABLE zoekdocument_wachtrij IS 'Intern: aanbod waarvan het zoekdocument bij commit wordt bijgewerkt.';
COMMENT ON TABLE zoekdocument_vlag IS 'Intern: één rij per transactie met werk voor zoekdocument_verwerken.';

CREATE FUNCTION zoekdocument_markeren(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(ids) > 0 THEN
        INSERT INTO zoekdocument_wachtrij SELECT DISTINCT unnest(ids) ON CONFLICT DO NOTHING;
        INSERT INTO zoekdocument_vlag VALUES (txid_current()) ON CONFLICT DO NOTHING;
    END IF;
END $$;

CREATE FUNCTION zoekdocument_verwerken() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids bigint[];
BEGIN
    DELETE FROM zoekdocument_vlag WHERE transactie = NEW.transactie;
    -- Only this transaction's rows are visible (the others' are not committed yet).
    WITH weg AS (DELETE FROM zoekdocument_wachtrij RETURNING aanbod_id)
    SELECT array_agg(aanbod_id) INTO ids FROM weg;
    PERFORM zoekdocument_bijwerken(coalesce(ids, '{}'));
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER zoekdocument_verwerken AFTER INSERT ON zoekdocument_vlag
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION zoekdocument_verwerken();

CREATE FUNCTION zoekdocument_na_aanbod() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM zoekdocument_markeren(ARRAY(SELECT id FROM nieuw));
    ELSE
        PERFORM zoekdocument_markeren(ARRAY(
            SELECT n.id FROM nieuw n JOIN oud o ON o.id = n.id
            WHERE (n.naam, n.omschrijving, n.organisatie_id)
                  IS DISTINCT FROM (o.naam, o.omschrijving, o.organisatie_id)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER aanbod_zoekdocument_ins AFTER INSERT ON aanbod REFERENCING NEW TABLE AS nieuw
    FOR EACH STATEMENT EXECUTE FUNCTION zoekdocument_na_aanbod();
CREATE TRIGGER aanbod_zoekdocument_upd AFTER UPDATE ON aanbod
    REFERENCING OLD TABLE AS oud NEW TABLE AS nieuw
    FOR EACH STATEMENT EXECUTE FUNCTION zoekdocument_na_aanbod();

CREATE FUNCTION zoekdocument_na_organisatie() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM zoekdocument_markeren(ARRAY(
        SELECT a.id FROM nieuw n JOIN oud o ON o.id = n.id JOIN aanbod a ON a.organisatie_id = n.id
        WHERE (n.naam, n.omschrijving) IS DISTINCT FROM (o.naam, o.omschrijving)));
    RETURN NULL;
END $$;
CREATE TRIGGER organisatie_zoekdocument_upd AFTER UPDATE ON organisatie
    REFERENCING OLD TABLE AS oud NEW TABLE AS nieuw
    FOR EACH STATEMENT EXECUTE FUNCTION zoekdocument_na_organisatie();

-- Themes and target groups of a service (aanbod_thema, aanbod_doelgroep: both aanbod_id).
CREATE FUNCTION zoekdocument_na_koppeling() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM zoekdocument_markeren(ARRAY(SELECT aanbod_id FROM nieuw));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM zoekdocument_markeren(ARRAY(SELECT aanbod_id FROM oud));
    ELSE
        PERFORM zoekdocument_markeren(ARRAY(SELECT aanbod_id FROM nieuw
                                            UNION ALL SELECT aanbod_id FROM oud));
    END IF;
    RETURN NULL;
END $$;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['aanbod_thema', 'aanbod_doelgroep'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS nieuw
                        FOR EACH STATEMENT EXECUTE FUNCTION zoekdocument_na_koppeling()',
                       t || '_zoekdocument_ins', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS oud
                        NEW TABLE AS nieuw FOR EACH STATEMENT EXECUTE FUNCTION zoekdocument_na_koppeling()',
                       t || '_zoekdocument_upd', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS oud
                        FOR EACH STATEMENT EXECUTE FUNCTION zoekdocument_na_koppeling()',
                       t || '_zoekdocument_del', t);
    END LOOP;
END $$;

-- A renamed theme or target group (a migration) changes the documents that name it.
CREATE FUNCTION zoekdocument_na_taxonomie() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'thema' THEN
        PERFORM zoekdocument_markeren(ARRAY(
            SELECT at.aanbod_id FROM nieuw n JOIN aanbod_thema at ON at.thema_slug = n.slug));
    ELSE
        PERFORM zoekdocument_markeren(ARRAY(
            SELECT ad.aanbod_id FROM nieuw n JOIN aanbod_doelgroep ad ON ad.doelgroep_slug = n.slug));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER thema_zoekdocument_upd AFTER UPDATE ON thema REFERENCING NEW TABLE AS nieuw
    FOR EACH STATEMENT EXECUTE FUNCTION zoekdocument_na_taxonomie();
CREATE TRIGGER doelgroep_zoekdocument_upd AFTER UPDATE ON doelgroep REFERENCING NEW TABLE AS nieuw
    FOR EACH STATEMENT EXECUTE FUNCTION zoekdocument_na_taxonomie();

SELECT zoekdocument_bijwerken(ARRAY(SELECT id FROM aanbod));

------------------------------------------------------------ gezocht, niet gevonden
-- What residents searched for and did not find, per day, theme and area. No IP address,
-- no session, no user: only the normalised words (lower case, no accents, no digits, so
-- no phone numbers, postcodes or house numbers) and a count.
CREATE TABLE zoekvraag_zonder_resultaat (
    woord       text NOT NULL CHECK (length(woord) BETWEEN 1 AND 60 AND woord = lower(woord)
                                     AND woord !~ '[0-9@]'),
    thema       text REFERENCES thema (slug) ON UPDATE CASCADE ON DELETE CASCADE,
    gebiedcode  text CHECK (gebiedcode ~ '^(GM[0-9]{4}|WK[0-9]{6}|BU[0-9]{8})$'),
    dag         date NOT NULL DEFAULT current_date,
    aantal      integer NOT NULL DEFAULT 1 CHECK (aantal > 0)
);
-- The key of a count; NULL theme or area count as one value each.
CREATE UNIQUE INDEX zoekvraag_zonder_resultaat_sleutel ON zoekvraag_zonder_resultaat
    (woord, (coalesce(thema, '')), (coalesce(gebiedcode, '')), dag);
COMMENT ON TABLE zoekvraag_zonder_resultaat IS
    'Zoekvragen zonder resultaat: woorden, thema, gebied, dag en aantal. Geen persoonsgegevens.';

-- Per area: how often residents found nothing there, counting the areas below it too (a
-- search in a buurt also counts for its wijk and gemeente). Every gemeente is listed (also
-- with 0); a wijk or buurt once something was searched there. Words are shown from two
-- searches on, so one person's unusual query (a name, say) is never published.
CREATE VIEW laag_gezocht_niet_gevonden AS
WITH per_gebied AS (
    SELECT c.code, z.woord, sum(z.aantal)::integer AS aantal
    FROM zoekvraag_zonder_resultaat z
    JOIN gebied g ON g.code = z.gebiedcode
    CROSS JOIN LATERAL (SELECT DISTINCT x AS code
                        FROM unnest(ARRAY[g.code, g.wijkcode, g.gemeentecode]) x
                        WHERE x IS NOT NULL) c
    GROUP BY c.code, z.woord
), totaal AS (
    SELECT code, sum(aantal)::integer AS aantal,
           array_to_string((array_agg(woord || ' (' || aantal || ')' ORDER BY aantal DESC, woord)
                            FILTER (WHERE aantal >= 2))[1:10], ', ') AS woorden
    FROM per_gebied GROUP BY code
)
SELECT g.code AS id, g.code, g.naam, g.niveau, g.gemeentecode,
       coalesce(t.aantal, 0) AS aantal, coalesce(t.woorden, '') AS woorden,
       g.geom
FROM gebied g LEFT JOIN totaal t ON t.code = g.code
WHERE g.niveau = 'gemeente' OR t.aantal > 0;
COMMENT ON VIEW laag_gezocht_niet_gevonden IS
    'Gezocht, niet gevonden|Hoe vaak bewoners iets zochten en niets vonden, per gemeente, wijk en buurt (ook de buurten eronder tellen mee). Woorden staan erbij vanaf twee zoekvragen. Geen persoonsgegevens.';
COMMENT ON COLUMN laag_gezocht_niet_gevonden.aantal IS 'Aantal zoekvragen zonder resultaat';
COMMENT ON COLUMN laag_gezocht_niet_gevonden.woorden IS
    'De tien meest gezochte woorden met hun aantal (vanaf twee keer)';
