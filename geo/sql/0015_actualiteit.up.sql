-- Freshness per wijk and buurt (issue 13): the share of public services whose record was
-- verified within the threshold, published as the layer laag_actualiteit (OGC
-- `actualiteit`). The threshold in months is read from the setting
-- sociale_kaart.verify_months (the web app sets it from VERIFY_MONTHS); 12 when it is unset
-- or not a whole number. Counts are services at locations (one laag_voorzieningen row
-- each) visible to everyone; an area without services has aandeel_gecontroleerd NULL.
CREATE FUNCTION verificatie_maanden() RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN current_setting('sociale_kaart.verify_months', true) ~ '^[0-9]{1,3}$'
                THEN current_setting('sociale_kaart.verify_months', true)::integer
                ELSE 12 END
$$;

CREATE VIEW laag_actualiteit AS
WITH grens AS (
    SELECT verificatie_maanden() AS maanden,
           (current_date - make_interval(months => verificatie_maanden()))::date AS datum
), v AS (
    SELECT x.code, s.laatst_geverifieerd_op AS datum
    FROM laag_voorzieningen s
    CROSS JOIN LATERAL (VALUES (s.wijkcode), (s.buurtcode)) AS x(code)
    WHERE s.zichtbaarheid = 'openbaar' AND x.code IS NOT NULL
), c AS (
    SELECT v.code, count(*)::integer AS aantal_aanbod,
           count(*) FILTER (WHERE v.datum >= grens.datum)::integer AS aantal_gecontroleerd,
           min(v.datum) AS oudste_controle,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY v.datum) AS mediaan_controle
    FROM v CROSS JOIN grens
    GROUP BY v.code, grens.datum
)
SELECT g.code AS id, g.code, g.naam, g.niveau, g.gemeentecode,
       coalesce(g.wijkcode, CASE WHEN g.niveau = 'wijk' THEN g.code END) AS wijkcode,
       coalesce(c.aantal_aanbod, 0) AS aantal_aanbod,
       coalesce(c.aantal_gecontroleerd, 0) AS aantal_gecontroleerd,
       round(100.0 * c.aantal_gecontroleerd / nullif(c.aantal_aanbod, 0), 1)
           AS aandeel_gecontroleerd,
       c.oudste_controle, c.mediaan_controle,
       (SELECT maanden FROM grens) AS drempel_maanden,
       g.geom
FROM gebied g
LEFT JOIN c ON c.code = g.code
WHERE g.niveau IN ('wijk', 'buurt');

COMMENT ON VIEW laag_actualiteit IS
    'Actualiteit|Per wijk en buurt: hoeveel van het openbare aanbod de afgelopen 12 maanden (of de ingestelde termijn) is gecontroleerd.';
COMMENT ON COLUMN laag_actualiteit.aantal_aanbod IS
    'Aantal openbare voorzieningen (aanbod op een locatie) in het gebied.';
COMMENT ON COLUMN laag_actualiteit.aantal_gecontroleerd IS
    'Aantal daarvan dat binnen de termijn (drempel_maanden) is gecontroleerd.';
COMMENT ON COLUMN laag_actualiteit.aandeel_gecontroleerd IS
    'Percentage (0-100) gecontroleerd binnen de termijn; leeg zonder aanbod.';
COMMENT ON COLUMN laag_actualiteit.oudste_controle IS
    'Oudste controledatum (nooit gecontroleerd telt niet mee).';
COMMENT ON COLUMN laag_actualiteit.mediaan_controle IS 'Mediaan van de controledatums.';
COMMENT ON COLUMN laag_actualiteit.drempel_maanden IS
    'Termijn in maanden: ouder is mogelijk verouderd.';

GRANT SELECT ON laag_actualiteit TO sociale_kaart_web;
GRANT EXECUTE ON FUNCTION verificatie_maanden() TO sociale_kaart_web;
SELECT data_versie_volgen(t::regclass)
FROM unnest(laag_tabellen('laag_actualiteit'::regclass)) AS t;
