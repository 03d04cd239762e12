DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT tgrelid::regclass AS tabel FROM pg_trigger WHERE tgname = 'data_versie'
    LOOP
        EXECUTE format('DROP TRIGGER data_versie ON %s', t.tabel);
    END LOOP;
END $$;
DROP FUNCTION laag_tabellen(regclass);
DROP FUNCTION data_versie_volgen(regclass);
DROP FUNCTION data_versie_ophogen();
DROP TABLE data_versie;
