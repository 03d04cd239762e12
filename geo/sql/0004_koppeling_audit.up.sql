-- A service at a location is a record of its own (HSDS service_at_location): it carries its
-- source id so a re-import that moves a service to another address updates the link.
ALTER TABLE aanbod_locatie
    ADD COLUMN bron text,
    ADD COLUMN bron_id text,
    ADD COLUMN zichtbaarheid zichtbaarheid NOT NULL DEFAULT 'openbaar',
    ADD CONSTRAINT aanbod_locatie_bron UNIQUE (bron, bron_id);

-- Audit trail for every writer (import, editors, scripts): one row per changed record with
-- the changed fields as {"field": [old, new]}. The writer names itself with
-- SET LOCAL sociale_kaart.gebruiker = '...'.
CREATE FUNCTION wijziging_vastleggen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    oud jsonb := CASE WHEN TG_OP = 'INSERT' THEN '{}'::jsonb ELSE to_jsonb(OLD) END;
    nieuw jsonb := CASE WHEN TG_OP = 'DELETE' THEN '{}'::jsonb ELSE to_jsonb(NEW) END;
    verschil jsonb;
BEGIN
    SELECT coalesce(jsonb_object_agg(k, jsonb_build_array(oud -> k, nieuw -> k)), '{}')
      INTO verschil
      FROM (SELECT jsonb_object_keys(oud || nieuw) AS k) keys
     WHERE k NOT IN ('gewijzigd_op', 'aangemaakt_op', 'versie')
       AND (oud -> k) IS DISTINCT FROM (nieuw -> k);
    IF TG_OP = 'UPDATE' AND verschil = '{}'::jsonb THEN
        RETURN NULL;
    END IF;
    INSERT INTO wijziging (tabel, record_id, actie, gebruiker, diff)
    VALUES (TG_TABLE_NAME, coalesce((nieuw ->> 'id'), (oud ->> 'id'))::bigint, lower(TG_OP),
            coalesce(nullif(current_setting('sociale_kaart.gebruiker', true), ''), current_user),
            verschil);
    RETURN NULL;
END $$;

CREATE TRIGGER organisatie_wijziging AFTER INSERT OR UPDATE OR DELETE ON organisatie
    FOR EACH ROW EXECUTE FUNCTION wijziging_vastleggen();
CREATE TRIGGER aanbod_wijziging AFTER INSERT OR UPDATE OR DELETE ON aanbod
    FOR EACH ROW EXECUTE FUNCTION wijziging_vastleggen();
CREATE TRIGGER locatie_wijziging AFTER INSERT OR UPDATE OR DELETE ON locatie
    FOR EACH ROW EXECUTE FUNCTION wijziging_vastleggen();
