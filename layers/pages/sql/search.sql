-- Named statements of layers/search.py. Every value is a bound parameter; the statements
-- are static (optional filters are "parameter IS NULL OR ..."), so no SQL is composed.

-- name: gebied_op_code
SELECT g.code, g.naam, g.niveau, gm.naam AS gemeente, g.code AS signaalcode,
       ARRAY[g.code] AS codes
FROM gebied g JOIN gebied gm ON gm.code = g.gemeentecode
WHERE g.code = :code

-- name: postcode4
-- A PC4 area: known from the CBS PC4 table; its gemeente from that table or its point.
SELECT p.pc4 AS code, p.plaats, coalesce(p.gemeentecode, b.gemeentecode) AS signaalcode,
       gm.naam AS gemeente, ST_X(p.geom) AS x, ST_Y(p.geom) AS y,
       ST_X(ST_Transform(p.geom, 4326)) AS lon, ST_Y(ST_Transform(p.geom, 4326)) AS lat
FROM postcode4 p
LEFT JOIN gebied b ON b.niveau = 'buurt' AND ST_Intersects(b.geom, p.geom)
LEFT JOIN gebied gm ON gm.code = coalesce(p.gemeentecode, b.gemeentecode)
WHERE p.pc4 = :pc4
LIMIT 1

-- name: postcode6_punt
-- The middle of a PC6's BAG addresses (when no house number was given).
SELECT ST_X(c) AS x, ST_Y(c) AS y,
       ST_X(ST_Transform(c, 4326)) AS lon, ST_Y(ST_Transform(c, 4326)) AS lat
FROM (SELECT ST_Centroid(ST_Collect(geom)) AS c FROM adres WHERE postcode = :postcode) s
WHERE c IS NOT NULL

-- name: gebied_op_naam
-- Areas and places whose name equals one of :namen (ignoring case, accents, hyphens).
-- volgorde is the index of the name in :namen. Ranking: gemeente, everyday name
-- (gebied_alias, migration 0018), woonplaats, wijk, buurt; among equals the one with the
-- most inhabitants. A woonplaats ('Sittard', 'Hoensbroek') comes from the CBS PC4 table
-- (public geography only: never from organisation locations, whose names and places may be
-- hidden); its code is that of its gemeente. An everyday name of one area is that area
-- under the everyday name; of several areas ('Parkstad') it is a 'regio' with their codes,
-- whose gemeente is named only when all lie in one. Codes not loaded are left out.
WITH namen AS (
    SELECT n.volgorde, zoek_normaal(n.naam) AS naam
    FROM unnest(CAST(:namen AS text[])) WITH ORDINALITY AS n(naam, volgorde)
), plaatsen AS (
    SELECT DISTINCT plaats AS naam, gemeentecode FROM postcode4
    WHERE plaats IS NOT NULL AND gemeentecode IS NOT NULL
), aliassen AS (
    SELECT n.volgorde, a.naam, array_agg(g.code ORDER BY g.code) AS codes,
           min(g.niveau) AS niveau, min(g.gemeentecode) AS gemeentecode,
           count(DISTINCT g.gemeentecode) AS gemeenten
    FROM gebied_alias a JOIN namen n ON n.naam = a.sleutel
    JOIN gebied g ON g.code = ANY(a.codes)
    GROUP BY n.volgorde, a.id, a.naam
), kandidaten AS (
    SELECT n.volgorde, g.code, g.naam, g.niveau, g.gemeentecode, ARRAY[g.code] AS codes,
           false AS alias,
           CASE g.niveau WHEN 'gemeente' THEN 1 WHEN 'wijk' THEN 4 ELSE 5 END AS prio
    FROM gebied g JOIN namen n
      ON n.naam = zoek_normaal(g.naam)
      OR (g.niveau = 'wijk' AND n.naam = zoek_normaal(regexp_replace(g.naam, '^Wijk [0-9]+:? ', '')))
    UNION ALL
    SELECT a.volgorde, CASE WHEN cardinality(a.codes) = 1 THEN a.codes[1] END, a.naam,
           CASE WHEN cardinality(a.codes) = 1 THEN a.niveau ELSE 'regio' END,
           CASE WHEN a.gemeenten = 1 THEN a.gemeentecode END, a.codes, true, 2
    FROM aliassen a
    UNION ALL
    SELECT n.volgorde, mode() WITHIN GROUP (ORDER BY p.gemeentecode),
           mode() WITHIN GROUP (ORDER BY p.naam), 'woonplaats',
           mode() WITHIN GROUP (ORDER BY p.gemeentecode),
           ARRAY[mode() WITHIN GROUP (ORDER BY p.gemeentecode)], false, 3
    FROM plaatsen p JOIN namen n ON n.naam = zoek_normaal(p.naam)
    GROUP BY n.volgorde
)
SELECT k.volgorde, k.code, k.naam, k.niveau, gm.naam AS gemeente, k.codes,
       CASE WHEN k.niveau = 'woonplaats' THEN k.gemeentecode
            WHEN k.niveau = 'regio' THEN k.gemeentecode ELSE k.code END AS signaalcode,
       k.prio,
       count(*) OVER (PARTITION BY k.volgorde, k.prio) AS gelijk
FROM kandidaten k
LEFT JOIN gebied gm ON gm.code = k.gemeentecode
LEFT JOIN LATERAL (SELECT inwoners FROM bevolking WHERE gebiedcode = k.code
                   AND inwoners IS NOT NULL ORDER BY jaar DESC LIMIT 1) b ON true
WHERE k.niveau = ANY(CAST(:niveaus AS text[])) OR k.alias
ORDER BY k.volgorde, k.prio, b.inwoners DESC NULLS LAST, k.code

-- name: gebied_suggestie
-- The known name most like a misspelt one ('Heerlan' -> 'Heerlen'), by trigrams; public
-- names only (CBS areas, PC4 places, everyday names), never names taken from
-- organisation locations. An everyday name counts 0.1 less, so 'Heerlan' suggests the
-- official 'Heerlen' rather than the dialect 'Heerle'.
SELECT naam FROM (
    SELECT naam, 0 AS minder FROM gebied
    UNION SELECT plaats, 0 FROM postcode4 WHERE plaats IS NOT NULL
    UNION SELECT naam, 0.1 FROM gebied_alias) n
WHERE similarity(zoek_normaal(naam), zoek_normaal(:naam)) - minder >= 0.3
ORDER BY similarity(zoek_normaal(naam), zoek_normaal(:naam)) - minder DESC, length(naam), naam
LIMIT 1

-- name: punt_van_gebied
-- The reference point of 'dichtbij=Wyck' or 'dichtbij=Banholt', from public geography only:
-- a point inside the CBS area, or for a woonplaats the CBS point of its most populous PC4.
-- Never from organisation locations: a confidential or hidden address must not leak as
-- the reference point (or as the distance 0 of a result).
SELECT ST_X(p) AS x, ST_Y(p) AS y,
       ST_X(ST_Transform(p, 4326)) AS lon, ST_Y(ST_Transform(p, 4326)) AS lat
FROM (
    SELECT CASE WHEN CAST(:niveau AS text) = 'woonplaats' THEN
               (SELECT p4.geom FROM postcode4 p4
                WHERE p4.plaats IS NOT NULL AND zoek_normaal(p4.plaats) = zoek_normaal(:naam)
                ORDER BY p4.gemeentecode = :code DESC, p4.inwoners DESC NULLS LAST, p4.pc4
                LIMIT 1)
           WHEN CAST(:niveau AS text) = 'regio' THEN
               (SELECT ST_PointOnSurface(ST_Union(geom)) FROM gebied
                WHERE code = ANY(CAST(:codes AS text[])))
           ELSE (SELECT ST_PointOnSurface(geom) FROM gebied WHERE code = :code) END AS p) s
WHERE p IS NOT NULL

-- name: straat_plaatsen
-- The woonplaatsen that have this street and house number (BAG addresses).
SELECT DISTINCT woonplaats FROM adres
WHERE lower(straat) = lower(:straat) AND huisnummer = :huisnummer AND woonplaats IS NOT NULL
ORDER BY woonplaats
LIMIT 5

-- name: zoeken
-- Results and their total in one statement. Ranking: distance when there is a point, then
-- text rank (full text + name trigrams), then organisation and service name; id last, so
-- pages never overlap.
WITH vraag AS (
    SELECT zoek_tsquery(CAST(:tekst AS text)) AS tsq,
           zoek_normaal(CAST(:tekst AS text)) AS tekst,
           ST_SetSRID(ST_MakePoint(CAST(:x AS float8), CAST(:y AS float8)), 28992) AS punt
), treffers AS (
    -- Two index scans (GIN full text, GIN trigrams) rather than one OR over every row.
    SELECT z.aanbod_id FROM zoekdocument z, vraag q WHERE z.zoektekst @@ q.tsq
    UNION
    SELECT z.aanbod_id FROM zoekdocument z, vraag q WHERE q.tekst <% z.zoeknamen
), hits AS MATERIALIZED (
    -- Only what ranking needs; the page's other columns are read for its rows alone.
    SELECT v.id, v.organisatie, v.aanbod,
           CASE WHEN q.tekst = '' THEN 0
                ELSE coalesce(ts_rank_cd(z.zoektekst, q.tsq), 0)
                     + word_similarity(q.tekst, z.zoeknamen) END AS rang,
           round(ST_Distance(v.geom, q.punt))::integer AS afstand_m
    FROM laag_voorzieningen v
    JOIN aanbod_locatie al ON al.id = v.id
    JOIN zoekdocument z ON z.aanbod_id = al.aanbod_id
    CROSS JOIN vraag q
    WHERE (v.zichtbaarheid = ANY(CAST(:visibility AS text[]))
           -- A professional scoped to areas sees professional records inside them only.
           OR (v.zichtbaarheid = 'professional'
               AND (v.gemeentecode = ANY(CAST(:visibility_scope AS text[]))
                    OR v.wijkcode = ANY(CAST(:visibility_scope AS text[]))
                    OR v.buurtcode = ANY(CAST(:visibility_scope AS text[])))))
      -- "parameter IS NULL" folds away when planned with the values; what is left is an
      -- id list that the view's branches look up in the aanbod_locatie id index.
      AND (CAST(:tekst AS text) IS NULL OR v.id = ANY(ARRAY(
          SELECT x.id FROM treffers t JOIN aanbod_locatie x ON x.aanbod_id = t.aanbod_id)))
      AND (CAST(:thema AS text) IS NULL OR v.id = ANY(ARRAY(
          SELECT x.id FROM aanbod_thema t JOIN aanbod_locatie x ON x.aanbod_id = t.aanbod_id
          WHERE t.thema_slug = :thema)))
      AND (CAST(:doelgroep AS text) IS NULL OR v.id = ANY(ARRAY(
          SELECT x.id FROM aanbod_doelgroep d JOIN aanbod_locatie x ON x.aanbod_id = d.aanbod_id
          -- A service for everyone is also for the chosen group (what residents expect).
          WHERE d.doelgroep_slug IN (:doelgroep, 'iedereen'))))
      AND CASE CAST(:niveau AS text)
              WHEN 'gemeente' THEN v.gemeentecode = :code
              WHEN 'wijk' THEN v.wijkcode = :code
              WHEN 'buurt' THEN v.buurtcode = :code
              WHEN 'woonplaats' THEN v.gemeentecode = :code
                                     AND zoek_normaal(v.plaats) = zoek_normaal(:naam)
              WHEN 'postcode' THEN left(v.postcode, 4) = :code
              -- an everyday name of several areas (gebied_alias): any of their codes
              WHEN 'regio' THEN (v.gemeentecode = ANY(CAST(:codes AS text[]))
                                 OR v.wijkcode = ANY(CAST(:codes AS text[]))
                                 OR v.buurtcode = ANY(CAST(:codes AS text[])))
              ELSE true END
      -- "dichtbij": only places within :afstand_m metres of the point
      AND (CAST(:afstand_m AS float8) IS NULL
           OR ST_DWithin(v.geom, q.punt, CAST(:afstand_m AS float8)))
), pagina AS (
    SELECT h.* FROM hits h
    ORDER BY h.afstand_m NULLS LAST, h.rang DESC, lower(h.organisatie), lower(h.aanbod), h.id
    LIMIT :limit OFFSET :offset
)
SELECT (SELECT count(*) FROM hits) AS total,
       coalesce((SELECT json_agg(json_build_object(
           'id', v.id, 'organisatie_id', v.organisatie_id, 'organisatie', v.organisatie,
           'aanbod', v.aanbod, 'omschrijving', v.omschrijving,
           'thema', ARRAY(SELECT unnest(v.themas) ORDER BY 1),
           'doelgroep', ARRAY(SELECT unnest(v.doelgroepen) ORDER BY 1),
           'straat', v.straat, 'huisnummer', nullif(v.huisnummer, ''), 'postcode', v.postcode,
           'plaats', v.plaats, 'telefoon', v.telefoon, 'website', v.website,
           'lon', round(ST_X(ST_Transform(v.geom, 4326))::numeric, 6),
           'lat', round(ST_Y(ST_Transform(v.geom, 4326))::numeric, 6),
           'afstand_m', p.afstand_m, 'geocode_precisie', v.geocode_precisie,
           'synthetisch', v.synthetisch, 'laatst_geverifieerd_op', v.laatst_geverifieerd_op
       ) ORDER BY p.afstand_m NULLS LAST, p.rang DESC, lower(p.organisatie), lower(p.aanbod), p.id)
       FROM pagina p JOIN laag_voorzieningen v ON v.id = p.id
       -- the id list as one array lets the view's branches use the aanbod_locatie id index
       WHERE v.id = ANY(ARRAY(SELECT id FROM pagina))), '[]') AS items

-- name: zoekvraag_vastleggen
-- The demand signal (migration 0011): one count per words, theme, area and day, and the
-- distinct clients of the day by a salted hash. The area is the one searched in, else the
-- buurt of the 'dichtbij' point. :client is only hashed, never stored.
SELECT zoekvraag_tellen(CAST(:woord AS text), CAST(:thema AS text), CAST(:gebiedcode AS text),
                        CAST(:x AS float8), CAST(:y AS float8), CAST(:client AS text))

-- name: gemeente_van_plek
-- The gemeente of one result (an id this visitor's own search returned): the nearby area
-- a search that found nothing suggests (layers/pages/search_suggestions.py).
SELECT gm.naam FROM laag_voorzieningen v JOIN gebied gm ON gm.code = v.gemeentecode
WHERE v.id = ANY(ARRAY[CAST(:id AS bigint)])
