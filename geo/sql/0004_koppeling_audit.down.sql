DROP TRIGGER IF EXISTS organisatie_wijziging ON organisatie;
DROP TRIGGER IF EXISTS aanbod_wijziging ON aanbod;
DROP TRIGGER IF EXISTS locatie_wijziging ON locatie;
DROP FUNCTION IF EXISTS wijziging_vastleggen();
ALTER TABLE aanbod_locatie DROP CONSTRAINT IF EXISTS aanbod_locatie_bron,
    DROP COLUMN IF EXISTS bron, DROP COLUMN IF EXISTS bron_id, DROP COLUMN IF EXISTS zichtbaarheid;
