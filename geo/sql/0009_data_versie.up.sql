-- Data versions (docs/ARCHITECTURE.md §7): one counter per table that a published layer reads,
-- raised once per writing statement. A collection's version is the sum of the counters of
-- the tables its view depends on (laag_tabellen), read in the same statement as its data,
-- so caches keyed on it (numberMatched, serialised features, tiles, ETags) stay exact.
-- The counter is a row updated under its row lock, not a sequence: a sequence value is
-- taken before commit, so a reader could see the new number before the new data.
CREATE TABLE data_versie (
    tabel text PRIMARY KEY,
    versie bigint NOT NULL DEFAULT 0,
    gewijzigd_op timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE data_versie IS
    'Write counter per table, raised by the data_versie statement trigger; keys caches.';

CREATE FUNCTION data_versie_ophogen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_versie AS d (tabel, versie) VALUES (TG_TABLE_NAME, 1)
    ON CONFLICT (tabel) DO UPDATE SET versie = d.versie + 1, gewijzigd_op = now();
    RETURN NULL;
END $$;

-- Attach the counter to a table (idempotent). Call it for every table a laag_* view reads;
-- tests/geo/test_data_versie.py checks that none is missing.
CREATE FUNCTION data_versie_volgen(tabel regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TRIGGER IF EXISTS data_versie ON %s', tabel);
    EXECUTE format('CREATE TRIGGER data_versie AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
                   'ON %s FOR EACH STATEMENT EXECUTE FUNCTION data_versie_ophogen()', tabel);
    INSERT INTO data_versie (tabel)
    SELECT relname FROM pg_class WHERE oid = tabel ON CONFLICT DO NOTHING;
END $$;

-- The tables (and materialised views) a view reads, following views through views.
CREATE FUNCTION laag_tabellen(laag regclass) RETURNS text[] LANGUAGE sql STABLE AS $$
    WITH RECURSIVE deps(oid) AS (
        SELECT laag::oid
        UNION
        SELECT d.refobjid
        FROM deps
        JOIN pg_rewrite r ON r.ev_class = deps.oid
        JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                        AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> deps.oid
    )
    SELECT coalesce(array_agg(DISTINCT c.relname::text ORDER BY c.relname::text), '{}')
    FROM deps JOIN pg_class c ON c.oid = deps.oid
    WHERE c.relkind IN ('r', 'p', 'm')
$$;

SELECT data_versie_volgen(t.tabel::regclass)
FROM (SELECT DISTINCT unnest(laag_tabellen(c.oid)) AS tabel
      FROM pg_class c
      WHERE c.relkind = 'v' AND c.relname LIKE 'laag\_%'
        AND c.relnamespace = current_schema()::regnamespace) AS t;
