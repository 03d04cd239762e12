-- The role itself stays: it belongs to the whole cluster and may hold grants in other
-- databases. Here it loses every right.
REVOKE EXECUTE ON FUNCTION zoekvraag_tellen(text, text, text, float8, float8, text),
    limiet_verhogen(text, integer, integer), limiet_stand(text), limiet_wissen(text)
    FROM sociale_kaart_web;
GRANT EXECUTE ON FUNCTION zoekvraag_tellen(text, text, text, float8, float8, text),
    limiet_verhogen(text, integer, integer), limiet_stand(text), limiet_wissen(text)
    TO PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM sociale_kaart_web;
REVOKE USAGE ON SCHEMA public FROM sociale_kaart_web;
