-- One Mapbox vector tile of one published layer (the pg_tileserv pattern, design §3.1).
-- The tile envelope (EPSG:3857, widened by the render buffer) is cut to the region where
-- RD New is meaningful (lon 2..8, lat 50..54, a little wider than its area of use; tiles
-- outside it are empty), densified and transformed to the storage CRS, so the test on geom
-- can use the GiST index. Only the rows found are transformed to 3857 and fitted to the tile
-- grid; polygons are first cut to the envelope's box and simplified, in RD metres.
--
-- layers/tiles.py fills in the placeholders in braces: identifiers from the catalogue only,
-- and the tile numbers as validated int/float literals; strings are bind parameters.
-- * Literals, not parameters: each tile is planned with its own envelope. A generic plan
--   (psycopg prepares a statement after 5 runs) estimates one area per tile and then
--   recomputes the area views' counts for every area found: seconds instead of ms.
-- * src is NOT MATERIALIZED: the envelope test is pushed down to the GiST index of
--   locatie (laag_voorzieningen exposes locatie.geom in its main UNION ALL branch) and of
--   gebied. Materialising computed every published point per tile (0.45 s at 50,000).
-- * Polygons are simplified with ST_Simplify(g, tol, true), not ST_SimplifyPreserveTopology:
--   measured on the 16 gemeenten at z10, 2 ms against 42 ms. Neither keeps shared borders
--   together; ST_AsMVTGeom (built with Wagyu here) returns valid polygons either way, and
--   true keeps areas that would collapse.
WITH bounds AS (
    SELECT ST_TileEnvelope({z}, {x}, {y}) AS clip,
           ST_Transform(ST_Segmentize(ST_Intersection(
               ST_TileEnvelope({z}, {x}, {y}, margin => {margin}),
               ST_Transform(ST_MakeEnvelope(2.0, 50.0, 8.0, 54.0, 4326), 3857)),
               {segment}), 28992) AS query
),
src AS NOT MATERIALIZED (
    SELECT {fid} AS fid{columns}, t.geom
    FROM {view} AS t
    {where}
),
mvt AS (
    SELECT src.fid{src_columns},
           ST_AsMVTGeom(ST_Transform({geom}, 3857), bounds.clip, {extent}, {buffer}, true)
               AS geom
    FROM src, bounds
    WHERE ST_Intersects(src.geom, bounds.query)
)
SELECT ST_AsMVT(mvt.*, :layer, {extent}, 'geom', 'fid') FROM mvt WHERE mvt.geom IS NOT NULL
