DROP FUNCTION limiet_wissen(text);
DROP FUNCTION limiet_stand(text);
DROP FUNCTION limiet_verhogen(text, integer, integer);
DROP TABLE limiet_teller;
CREATE OR REPLACE VIEW laag_gezocht_niet_gevonden AS
WITH per_gebied AS (
    SELECT c.code, z.woord, sum(z.aantal)::integer AS aantal
    FROM zoekvraag_zonder_resultaat z
    JOIN gebied g ON g.code = z.gebiedcode
    CROSS JOIN LATERAL (SELECT DISTINCT x AS code
                        FROM unnest(ARRAY[g.code, g.wijkcode, g.gemeentecode]) x
                        WHERE x IS NOT NULL) c
    GROUP BY c.code, z.woord
), totaal AS (
    SELECT code, sum(aantal)::integer AS aantal,
           array_to_string((array_agg(woord || ' (' || aantal || ')' ORDER BY aantal DESC, woord)
                            FILTER (WHERE aantal >= 2))[1:10], ', ') AS woorden
    FROM per_gebied GROUP BY code
)
SELECT g.code AS id, g.code, g.naam, g.niveau, g.gemeentecode,
       coalesce(t.aantal, 0) AS aantal, coalesce(t.woorden, '') AS woorden,
       g.geom
FROM gebied g LEFT JOIN totaal t ON t.code = g.code
WHERE g.niveau = 'gemeente' OR t.aantal > 0;
COMMENT ON VIEW laag_gezocht_niet_gevonden IS
    'Gezocht, niet gevonden|Hoe vaak bewoners iets zochten en niets vonden, per gemeente, wijk en buurt (ook de buurten eronder tellen mee). Woorden staan erbij vanaf twee zoekvragen. Geen persoonsgegevens.';
COMMENT ON COLUMN laag_gezocht_niet_gevonden.aantal IS 'Aantal zoekvragen zonder resultaat';
COMMENT ON COLUMN laag_gezocht_niet_gevonden.woorden IS
    'De tien meest gezochte woorden met hun aantal (vanaf twee keer)';
DROP FUNCTION zoekvraag_tellen(text, text, text, float8, float8, text);
DROP TABLE zoekvraag_drempel;
DROP TABLE zoekvraag_bezoekers;
DROP TABLE zoekvraag_bezoeker;
DROP TABLE zoekvraag_zout;
