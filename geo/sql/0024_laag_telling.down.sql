DROP TRIGGER laag_telling_trunc ON laag_geojson;
DROP TRIGGER laag_telling_del ON laag_geojson;
DROP TRIGGER laag_telling_upd ON laag_geojson;
DROP TRIGGER laag_telling_ins ON laag_geojson;
DROP FUNCTION laag_telling_bijwerken();
DROP TABLE laag_telling;
