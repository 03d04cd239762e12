DO $$
DECLARE v record;
BEGIN
    FOR v IN SELECT viewname FROM pg_views WHERE schemaname = 'public' AND viewname LIKE 'laag\_%'
             AND viewname <> 'laag_voorzieningen' LOOP
        EXECUTE format('DROP VIEW %I', v.viewname);
    END LOOP;
END $$;
DROP VIEW IF EXISTS laag_voorzieningen;
DROP VIEW IF EXISTS voorzieningen_basis;
ALTER TABLE aanbod_locatie DROP CONSTRAINT IF EXISTS aanbod_locatie_id, DROP COLUMN IF EXISTS id;
