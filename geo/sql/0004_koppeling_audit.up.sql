-- A service at a location is a record of its own (HSDS service_at_location): it carries its
-- source id so a re-import that moves a service to another address updates the link.
ALTER TABLE aanbod_locatie
    ADD COLUMN bron text,
    ADD COLUMN bron_id text,
    ADD COLUMN zichtbaarheid zichtbaarheid NOT NULL DEFAULT 'openbaar',
    ADD CONSTRAINT aanbod_locatie_bron UNIQUE (bron, bron_id);

-- Audit trail for every writer (import, editors, scripts): one row per changed record with
-- the changed fields as {"field": [old, new]}. Statement-level triggers with transition
-- tables keep a 100,000-row import set-based. The writer names itself with
-- SELECT set_config('sociale_kaart.gebruiker', '...', true).
CREATE FUNCTION wijziging_vastleggen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- The inserted record itself is the content; the audit row says who and when.
        -- (Serialising every new row to jsonb doubled the cost of a 100,000-row import.)
        INSERT INTO wijziging (tabel, record_id, actie, gebruiker)
        SELECT TG_TABLE_NAME, n.id, 'insert', wijziging_gebruiker() FROM nieuw n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO wijziging (tabel, record_id, actie, gebruiker, diff)
        SELECT TG_TABLE_NAME, d.id, 'update', wijziging_gebruiker(), d.diff
        FROM (SELECT n.id,
                     (SELECT jsonb_object_agg(nw.key, jsonb_build_array(to_jsonb(o) -> nw.key, nw.value))
                        FROM jsonb_each(to_jsonb(n)) nw
                       WHERE nw.key NOT IN ('gewijzigd_op', 'aangemaakt_op', 'versie')
                         AND (to_jsonb(o) -> nw.key) IS DISTINCT FROM nw.value) AS diff
              FROM nieuw n JOIN oud o ON o.id = n.id) d
        WHERE d.diff IS NOT NULL;
    ELSE
        INSERT INTO wijziging (tabel, record_id, actie, gebruiker, diff)
        SELECT TG_TABLE_NAME, o.id, 'delete', wijziging_gebruiker(), to_jsonb(o) FROM oud o;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION wijziging_gebruiker() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('sociale_kaart.gebruiker', true), ''), current_user)
$$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['organisatie', 'aanbod', 'locatie'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS nieuw
                        FOR EACH STATEMENT EXECUTE FUNCTION wijziging_vastleggen()',
                       t || '_wijziging_ins', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS oud
                        NEW TABLE AS nieuw FOR EACH STATEMENT EXECUTE FUNCTION wijziging_vastleggen()',
                       t || '_wijziging_upd', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS oud
                        FOR EACH STATEMENT EXECUTE FUNCTION wijziging_vastleggen()',
                       t || '_wijziging_del', t);
    END LOOP;
END $$;
