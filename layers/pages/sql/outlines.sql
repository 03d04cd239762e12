-- Area outlines as one GeoJSON FeatureCollection, built entirely in PostGIS.
-- :tolerance simplifies in metres (EPSG:28992) before transforming to CRS84 for the web.
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(json_agg(json_build_object(
        'type', 'Feature',
        'id', g.code,
        'geometry', ST_AsGeoJSON(ST_Transform(
            ST_SimplifyPreserveTopology(g.geom, :tolerance), 4326), 6)::json,
        'properties', json_build_object(
            'code', g.code, 'naam', g.naam, 'niveau', g.niveau,
            'gemeentecode', g.gemeentecode, 'wijkcode', g.wijkcode,
            'inwoners', b.inwoners)
    ) ORDER BY g.code), '[]'::json)
)::text
FROM gebied g
LEFT JOIN LATERAL (
    SELECT inwoners FROM bevolking WHERE gebiedcode = g.code AND inwoners IS NOT NULL
    ORDER BY jaar DESC LIMIT 1
) b ON true
WHERE g.niveau = :niveau
  AND (CAST(:gemeentecode AS text) IS NULL OR g.gemeentecode = :gemeentecode)
