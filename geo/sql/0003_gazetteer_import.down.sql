DROP TABLE IF EXISTS mogelijk_dubbel, import_run, geocode_cache, postcode4, postcode6, adres;
