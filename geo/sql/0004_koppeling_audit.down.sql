DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['organisatie', 'aanbod', 'locatie'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_wijziging_ins', t);
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_wijziging_upd', t);
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_wijziging_del', t);
    END LOOP;
END $$;
DROP FUNCTION IF EXISTS wijziging_vastleggen();
DROP FUNCTION IF EXISTS wijziging_gebruiker();
ALTER TABLE aanbod_locatie DROP CONSTRAINT IF EXISTS aanbod_locatie_bron,
    DROP COLUMN IF EXISTS bron, DROP COLUMN IF EXISTS bron_id, DROP COLUMN IF EXISTS zichtbaarheid;
