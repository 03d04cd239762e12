-- Named statements of layers/pages/kaartpunten.py and layers/pages/labels.py (the residents'
-- map). Every value is a bound parameter; the statements are static.

-- name: punten_tellen
-- How many visible services lie inside the box (lon/lat :w :s :e :n): decides between
-- 'punten_vak' and 'punten_cellen'.
SELECT count(*) FROM kaart_punt v
WHERE v.lon BETWEEN :w AND :e AND v.lat BETWEEN :s AND :n
  AND (v.zichtbaarheid = ANY(CAST(:visibility AS text[]))
       OR (v.zichtbaarheid = 'professional'
           AND (v.gemeentecode = ANY(CAST(:visibility_scope AS text[]))
                OR v.wijkcode = ANY(CAST(:visibility_scope AS text[]))
                OR v.buurtcode = ANY(CAST(:visibility_scope AS text[])))))

-- name: punten_vak
-- The places inside the box (lon/lat :w :s :e :n; the whole world for every place): one
-- entry per place, [[service id, ...], lon, lat, [theme slug, ...]], themes in the
-- legend's order. Read from kaart_punt: laag_voorzieningen's rows (so its privacy rules),
-- stored at write time (migration 0020). Services whose position rounds to the same 6
-- decimals (about 0.1 m) are one place: two services of a GP practice, or several
-- organisations in one building.
WITH zichtbaar AS (
    SELECT v.id, v.themas, v.lon, v.lat
    FROM kaart_punt v
    WHERE v.lon BETWEEN :w AND :e AND v.lat BETWEEN :s AND :n
      AND (v.zichtbaarheid = ANY(CAST(:visibility AS text[]))
           OR (v.zichtbaarheid = 'professional'
               AND (v.gemeentecode = ANY(CAST(:visibility_scope AS text[]))
                    OR v.wijkcode = ANY(CAST(:visibility_scope AS text[]))
                    OR v.buurtcode = ANY(CAST(:visibility_scope AS text[])))))
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

-- name: punten_cellen
-- A crowded box as :cells × :cells grid cells: [[first service id], lon, lat, [theme slug,
-- ...], places] per cell with places (the mean position of its services, and the number
-- of distinct places in it). The map draws a cell as a group and zooms in on a click.
WITH in_cel AS MATERIALIZED (
    SELECT v.id, v.themas, v.lon, v.lat,
           floor((v.lon - :w) * :cells / (:e - :w))::int AS cx,
           floor((v.lat - :s) * :cells / (:n - :s))::int AS cy
    FROM kaart_punt v
    WHERE v.lon BETWEEN :w AND :e AND v.lat BETWEEN :s AND :n
      AND (v.zichtbaarheid = ANY(CAST(:visibility AS text[]))
           OR (v.zichtbaarheid = 'professional'
               AND (v.gemeentecode = ANY(CAST(:visibility_scope AS text[]))
                    OR v.wijkcode = ANY(CAST(:visibility_scope AS text[]))
                    OR v.buurtcode = ANY(CAST(:visibility_scope AS text[])))))
), plek AS (  -- hash aggregates only: places first, then cells
    SELECT cx, cy, lon, lat, min(id) AS id FROM in_cel GROUP BY cx, cy, lon, lat
), cel AS (
    SELECT cx, cy, min(id) AS id, round(avg(lon)::numeric, 6) AS lon,
           round(avg(lat)::numeric, 6) AS lat, count(*) AS plekken
    FROM plek GROUP BY cx, cy
), cel_thema AS (
    SELECT cx, cy, array_agg(slug) AS slugs
    FROM (SELECT DISTINCT c.cx, c.cy, s.slug FROM in_cel c, unnest(c.themas) AS s(slug)) d
    GROUP BY cx, cy
)
SELECT coalesce(json_agg(json_build_array(
           ARRAY[c.id], c.lon, c.lat,
           ARRAY(SELECT t.slug FROM thema t WHERE t.slug = ANY(ct.slugs) ORDER BY t.volgorde),
           c.plekken)
       ORDER BY c.id), '[]'::json)::text
FROM cel c LEFT JOIN cel_thema ct ON ct.cx = c.cx AND ct.cy = c.cy

-- name: punten_cellen_bewaard
-- A wide crowded box (every grid cell at least a few kept cells wide) as punten_cellen,
-- added up from kaart_punt's cells kept at write time (migration 0025, table kaart_cel,
-- for the role's visibility levels :zicht): each kept cell of about 1.4 km falls in the
-- grid cell of its mean position with all its places, services and themes, so a grid
-- cell's places, mean position and themes are those of the kept cells in it.
WITH cel AS (
    SELECT floor((c.lon - :w) * :cells / (:e - :w))::int AS cx,
           floor((c.lat - :s) * :cells / (:n - :s))::int AS cy,
           c.id, c.plekken, c.lon, c.lat, c.themas
    FROM kaart_cel c
    WHERE c.zicht = :zicht AND c.lon BETWEEN :w AND :e AND c.lat BETWEEN :s AND :n
), raster AS (
    SELECT cx, cy, min(id) AS id, sum(plekken) AS plekken,
           round((sum(lon * plekken) / sum(plekken))::numeric, 6) AS lon,
           round((sum(lat * plekken) / sum(plekken))::numeric, 6) AS lat
    FROM cel GROUP BY cx, cy
), raster_thema AS (  -- hash aggregates only, as punten_cellen
    SELECT cx, cy, array_agg(slug) AS slugs
    FROM (SELECT DISTINCT cel.cx, cel.cy, s.slug FROM cel, unnest(cel.themas) AS s(slug)) d
    GROUP BY cx, cy
)
SELECT coalesce(json_agg(json_build_array(
           ARRAY[r.id], r.lon, r.lat,
           ARRAY(SELECT t.slug FROM thema t WHERE t.slug = ANY(rt.slugs) ORDER BY t.volgorde),
           r.plekken)
       ORDER BY r.id), '[]'::json)::text
FROM raster r LEFT JOIN raster_thema rt ON rt.cx = r.cx AND rt.cy = r.cy

-- name: punten_bewaard_tellen
-- How many services of the role's visibility levels (:zicht) the kept cells in the box hold.
SELECT coalesce(sum(c.diensten), 0) FROM kaart_cel c
WHERE c.zicht = :zicht AND c.lon BETWEEN :w AND :e AND c.lat BETWEEN :s AND :n

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
