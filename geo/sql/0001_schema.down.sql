DROP TABLE IF EXISTS wijziging, contactpersoon, aanbod_locatie, locatie, aanbod_doelgroep,
    aanbod_thema, aanbod, organisatie, doelgroep, thema, bevolking, gebied CASCADE;
DROP FUNCTION IF EXISTS locatie_gebieden();
DROP TYPE IF EXISTS zichtbaarheid;
