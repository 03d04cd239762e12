DROP TABLE IF EXISTS thema_voorstel;
