-- Named statements of layers/pages/kaartpunten.py and layers/pages/labels.py (the residents'
-- map). Every value is a bound parameter; the statements are static.

-- name: punten
-- One entry per place: [[service id, ...], lon, lat, [theme slug, ...]], themes in the
-- legend's order. Services whose position rounds to the same 6 decimals (about 0.1 m) are
-- one place: two services of a GP practice, or several organisations in one building.
WITH zichtbaar AS (
    SELECT v.id, v.themas,
           round(ST_X(ST_Transform(v.geom, 4326))::numeric, 6) AS lon,
           round(ST_Y(ST_Transform(v.geom, 4326))::numeric, 6) AS lat
    FROM laag_voorzieningen v
    WHERE v.zichtbaarheid = ANY(CAST(:visibility AS text[]))
       OR (v.zichtbaarheid = 'professional'
           AND (v.gemeentecode = ANY(CAST(:visibility_scope AS text[]))
                OR v.wijkcode = ANY(CAST(:visibility_scope AS text[]))
                OR v.buurtcode = ANY(CAST(:visibility_scope AS text[]))))
), plek AS (
    SELECT array_agg(DISTINCT z.id) AS ids, z.lon, z.lat,
           array_agg(DISTINCT s.slug) FILTER (WHERE s.slug IS NOT NULL) AS slugs
    FROM zichtbaar z LEFT JOIN LATERAL unnest(z.themas) AS s(slug) ON true
    GROUP BY z.lon, z.lat
)
SELECT coalesce(json_agg(json_build_array(
           p.ids, p.lon, p.lat,
           ARRAY(SELECT t.slug FROM thema t WHERE t.slug = ANY(p.slugs) ORDER BY t.volgorde))
       ORDER BY p.ids[1]), '[]'::json)::text
FROM plek p

-- name: punten_vak
-- The places inside a box (lon/lat :w :s :e :n, the map's view with a margin), in the
-- format of 'punten'. When more than :max places lie inside, the box is divided into
-- :cells × :cells cells and each cell with places is one entry with a fifth element, the
-- number of places in it: [[first service id], lon, lat, [theme slug, ...], places]
-- (the map draws it as a group and zooms in on a click), so a national view stays small.
WITH zichtbaar AS (
    SELECT v.id, v.themas,
           round(ST_X(ST_Transform(v.geom, 4326))::numeric, 6) AS lon,
           round(ST_Y(ST_Transform(v.geom, 4326))::numeric, 6) AS lat
    FROM laag_voorzieningen v
    WHERE (v.zichtbaarheid = ANY(CAST(:visibility AS text[]))
           OR (v.zichtbaarheid = 'professional'
               AND (v.gemeentecode = ANY(CAST(:visibility_scope AS text[]))
                    OR v.wijkcode = ANY(CAST(:visibility_scope AS text[]))
                    OR v.buurtcode = ANY(CAST(:visibility_scope AS text[])))))
      AND ST_Intersects(v.geom, ST_Transform(ST_MakeEnvelope(:w, :s, :e, :n, 4326), 28992))
), plek AS (
    SELECT array_agg(DISTINCT z.id) AS ids, z.lon, z.lat,
           array_agg(DISTINCT s.slug) FILTER (WHERE s.slug IS NOT NULL) AS slugs
    FROM zichtbaar z LEFT JOIN LATERAL unnest(z.themas) AS s(slug) ON true
    GROUP BY z.lon, z.lat
), aantal AS (SELECT count(*) AS n FROM plek),
in_cel AS MATERIALIZED (
    SELECT p.ids[1] AS id, p.lon, p.lat, p.slugs,
           floor((p.lon - :w) / ((CAST(:e AS numeric) - :w) / :cells)) AS cx,
           floor((p.lat - :s) / ((CAST(:n AS numeric) - :s) / :cells)) AS cy
    FROM plek p WHERE (SELECT n FROM aantal) > :max
), cel_thema AS (
    SELECT c.cx, c.cy, array_agg(DISTINCT s.slug) AS slugs
    FROM in_cel c, unnest(c.slugs) AS s(slug) GROUP BY c.cx, c.cy
), cel AS (
    SELECT min(c.id) AS id, round(avg(c.lon), 6) AS lon, round(avg(c.lat), 6) AS lat,
           count(*) AS plekken, t.slugs
    FROM in_cel c LEFT JOIN cel_thema t ON t.cx = c.cx AND t.cy = c.cy
    GROUP BY c.cx, c.cy, t.slugs
)
SELECT CASE WHEN (SELECT n FROM aantal) <= :max THEN
    (SELECT coalesce(json_agg(json_build_array(
         p.ids, p.lon, p.lat,
         ARRAY(SELECT t.slug FROM thema t WHERE t.slug = ANY(p.slugs) ORDER BY t.volgorde))
     ORDER BY p.ids[1]), '[]'::json) FROM plek p)
ELSE
    (SELECT coalesce(json_agg(json_build_array(
         ARRAY[c.id], c.lon, c.lat,
         ARRAY(SELECT t.slug FROM thema t WHERE t.slug = ANY(c.slugs) ORDER BY t.volgorde),
         c.plekken)
     ORDER BY c.id), '[]'::json) FROM cel c)
END::text

-- name: plek
-- Every visible service at the place of service :id (no rows when :id is not visible).
WITH zichtbaar AS (
    SELECT v.*, round(ST_X(ST_Transform(v.geom, 4326))::numeric, 6) AS lon,
           round(ST_Y(ST_Transform(v.geom, 4326))::numeric, 6) AS lat
    FROM laag_voorzieningen v
    WHERE v.zichtbaarheid = ANY(CAST(:visibility AS text[]))
       OR (v.zichtbaarheid = 'professional'
           AND (v.gemeentecode = ANY(CAST(:visibility_scope AS text[]))
                OR v.wijkcode = ANY(CAST(:visibility_scope AS text[]))
                OR v.buurtcode = ANY(CAST(:visibility_scope AS text[]))))
), anker AS (SELECT lon, lat FROM zichtbaar WHERE id = :id)
SELECT z.id, z.organisatie_id, z.organisatie, z.aanbod, z.telefoon, a.openingstijden,
       z.straat, nullif(z.huisnummer, '') AS huisnummer, z.plaats, z.geocode_precisie,
       z.synthetisch, z.laatst_geverifieerd_op, z.themas, z.lon, z.lat
FROM zichtbaar z JOIN anker p ON p.lon = z.lon AND p.lat = z.lat
-- the hours as structured data (the view has their text), for "open now"
JOIN aanbod_locatie al ON al.id = z.id JOIN aanbod a ON a.id = al.aanbod_id
ORDER BY lower(z.organisatie), z.organisatie_id, lower(z.aanbod), z.id

-- name: namen
-- Names on the map: a point inside every gemeente, wijk and buurt (ST_PointOnSurface, so
-- never outside a crescent-shaped area) and every woonplaats (the CBS point of its most
-- populous PC4, as search uses). Wijk names lose the CBS prefix 'Wijk 01 '. Public
-- geography only, never organisation locations.
WITH namen AS (
    SELECT g.niveau, g.code,
           CASE WHEN g.niveau = 'wijk'
                THEN coalesce(nullif(regexp_replace(g.naam, '^Wijk ?[0-9]+:? ', ''), ''), g.naam)
                ELSE g.naam END AS naam,
           ST_PointOnSurface(g.geom) AS p
    FROM gebied g
    UNION ALL
    SELECT * FROM (
        SELECT DISTINCT ON (lower(p4.plaats)) 'woonplaats', p4.pc4, p4.plaats, p4.geom
        FROM postcode4 p4
        WHERE p4.plaats IS NOT NULL
        ORDER BY lower(p4.plaats), p4.inwoners DESC NULLS LAST, p4.pc4) w
)
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
           json_build_object('type', 'Feature',
               'geometry', ST_AsGeoJSON(ST_Transform(n.p, 4326), 5)::json,
               'properties', json_build_object('naam', n.naam, 'niveau', n.niveau))
           ORDER BY n.niveau, n.code), '[]'::json))::text
FROM namen n

-- name: straten
-- Street names where BAG addresses are loaded: one point per street and woonplaats, the
-- address nearest the middle of the street's addresses (a real spot on the street).
WITH adressen AS (
    SELECT woonplaats, straat, geom,
           avg(ST_X(geom)) OVER w AS mx, avg(ST_Y(geom)) OVER w AS my
    FROM adres WHERE straat IS NOT NULL AND straat <> ''
    WINDOW w AS (PARTITION BY woonplaats, straat)
), straat AS (
    SELECT DISTINCT ON (woonplaats, straat) woonplaats, straat, geom
    FROM adressen
    ORDER BY woonplaats, straat, (ST_X(geom) - mx) ^ 2 + (ST_Y(geom) - my) ^ 2
)
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
           json_build_object('type', 'Feature',
               'geometry', ST_AsGeoJSON(ST_Transform(s.geom, 4326), 5)::json,
               'properties', json_build_object('naam', s.straat))
           ORDER BY s.woonplaats, s.straat), '[]'::json))::text
FROM straat s
