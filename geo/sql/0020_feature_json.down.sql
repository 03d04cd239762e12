DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT DISTINCT tgrelid::regclass AS tabel FROM pg_trigger
             WHERE tgname IN ('laag_geojson_ins', 'laag_geojson_upd', 'laag_geojson_del',
                              'laag_geojson_trunc')
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS laag_geojson_ins ON %s', t.tabel);
        EXECUTE format('DROP TRIGGER IF EXISTS laag_geojson_upd ON %s', t.tabel);
        EXECUTE format('DROP TRIGGER IF EXISTS laag_geojson_del ON %s', t.tabel);
        EXECUTE format('DROP TRIGGER IF EXISTS laag_geojson_trunc ON %s', t.tabel);
    END LOOP;
END $$;
DROP TABLE laag_geojson_vlag;
DROP FUNCTION laag_geojson_verwerken();
DROP FUNCTION laag_geojson_volgen(regclass, text, text);
DROP FUNCTION laag_geojson_markeren();
DROP FUNCTION laag_geojson_vernieuwen(text, bigint[]);
DROP FUNCTION laag_geojson_sql(regclass);
DROP FUNCTION laag_geojson_kolommen(regclass);
DROP FUNCTION kaart_punt_vernieuwen(bigint[]);
DROP VIEW kaart_punt_bron;
DROP TABLE kaart_punt;
DROP TABLE laag_geojson_alles;
DROP TABLE laag_geojson_wachtrij;
DROP TABLE laag_geojson_volg;
DROP TABLE laag_geojson_bron;
DROP TABLE laag_geojson;
