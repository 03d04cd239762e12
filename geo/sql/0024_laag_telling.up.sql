-- Counts of the stored rows of each published layer per visibility level and block of ids
-- (issue 17): numberMatched of a filter on visibility alone is a sum over a few hundred
-- rows, and the page at offset k starts from the block holding the k-th row (a prefix sum
-- over the blocks) and skips fewer than 1024 ids. So a page right after a write costs
-- O(limit) + O(blocks) instead of a count and an offset walk over the whole collection
-- (layers/feature_cache.py, docs/SCALING.md).
--
-- Kept exact by statement-level AFTER triggers on laag_geojson itself (transition tables),
-- in the transaction that changes laag_geojson: a reader sees the counts of exactly the
-- rows and the data version of its own snapshot. Increments are upserts
-- (aantal = aantal + delta), so concurrent writers add up; they take the rows in key order.
-- Nothing here redefines the write path of migrations 0020/0022.
CREATE TABLE laag_telling (
    laag text NOT NULL,
    zichtbaarheid text NOT NULL,  -- '' for a layer without a visibility column
    blok bigint NOT NULL,  -- id >> 10: ids blok * 1024 ... blok * 1024 + 1023
    aantal bigint NOT NULL,
    PRIMARY KEY (laag, zichtbaarheid, blok)
);
COMMENT ON TABLE laag_telling IS
    'Intern: aantal opgeslagen features per laag, zichtbaarheid en blok van 1024 ids (voor numberMatched en offsets).';

CREATE FUNCTION laag_telling_bijwerken() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM laag_telling;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO laag_telling AS t
        SELECT laag, coalesce(zichtbaarheid, ''), id >> 10, count(*) FROM nieuw
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (laag, zichtbaarheid, blok) DO UPDATE SET aantal = t.aantal + EXCLUDED.aantal;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO laag_telling AS t
        SELECT laag, coalesce(zichtbaarheid, ''), id >> 10, -count(*) FROM oud
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (laag, zichtbaarheid, blok) DO UPDATE SET aantal = t.aantal + EXCLUDED.aantal;
    ELSE
        INSERT INTO laag_telling AS t
        SELECT laag, z, blok, sum(d) FROM (
            SELECT laag, coalesce(zichtbaarheid, '') AS z, id >> 10 AS blok, 1 AS d FROM nieuw
            UNION ALL
            SELECT laag, coalesce(zichtbaarheid, ''), id >> 10, -1 FROM oud
        ) x GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (laag, zichtbaarheid, blok) DO UPDATE SET aantal = t.aantal + EXCLUDED.aantal;
    END IF;
    RETURN NULL;
END $$;
ALTER FUNCTION laag_telling_bijwerken() SECURITY DEFINER SET search_path = public, pg_temp;

CREATE TRIGGER laag_telling_ins AFTER INSERT ON laag_geojson REFERENCING NEW TABLE AS nieuw
    FOR EACH STATEMENT EXECUTE FUNCTION laag_telling_bijwerken();
CREATE TRIGGER laag_telling_upd AFTER UPDATE ON laag_geojson
    REFERENCING OLD TABLE AS oud NEW TABLE AS nieuw
    FOR EACH STATEMENT EXECUTE FUNCTION laag_telling_bijwerken();
CREATE TRIGGER laag_telling_del AFTER DELETE ON laag_geojson REFERENCING OLD TABLE AS oud
    FOR EACH STATEMENT EXECUTE FUNCTION laag_telling_bijwerken();
CREATE TRIGGER laag_telling_trunc AFTER TRUNCATE ON laag_geojson
    FOR EACH STATEMENT EXECUTE FUNCTION laag_telling_bijwerken();

INSERT INTO laag_telling
SELECT laag, coalesce(zichtbaarheid, ''), id >> 10, count(*) FROM laag_geojson GROUP BY 1, 2, 3;

GRANT SELECT ON laag_telling TO sociale_kaart_web;
