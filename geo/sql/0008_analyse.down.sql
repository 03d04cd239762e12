DROP VIEW IF EXISTS laag_dekking_locatievoorstel;
DROP VIEW IF EXISTS laag_dekking;
DROP TABLE IF EXISTS analyse_locatievoorstel;
DROP TABLE IF EXISTS analyse_resultaat;
DROP TABLE IF EXISTS analyse_run;
