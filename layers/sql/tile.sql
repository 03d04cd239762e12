-- One Mapbox vector tile of one published layer (the pg_tileserv pattern).
-- The tile envelope (EPSG:3857, widened by the render buffer) is cut to the region where
-- RD New is meaningful (lon 2..8, lat 50..54, a little wider than its area of use; tiles
-- outside it are empty), densified and transformed to the storage CRS, so the test on geom
-- can use the GiST index. Only the rows found are transformed to 3857 and fitted to the tile
-- grid; polygons are first cut to the envelope's box and simplified, in RD metres.
--
-- layers/tiles.py fills in the placeholders in braces: identifiers from the catalogue only,
-- the tile numbers as validated int/float literals, and fixed SQL keywords and fragments
-- chosen per geometry type and zoom; strings are bind parameters.
-- * Literals, not parameters: each tile is planned with its own envelope. A generic plan
--   (psycopg prepares a statement after 5 runs) estimates one area per tile and then
--   recomputes the area views' counts for every area found: seconds instead of ms.
--   bounds is NOT MATERIALIZED for the same reason: it is used twice, and a materialised
--   CTE would hide the envelope from the planner (a GiST index scan over 30,000 rows).
-- * src is NOT MATERIALIZED: the envelope test is pushed down to the GiST index of
--   locatie (laag_voorzieningen exposes locatie.geom in its main UNION ALL branch) and of
--   gebied. Materialising computed every published point per tile (0.45 s at 50,000).
-- * Polygons are simplified with ST_Simplify(g, tol, true), not ST_SimplifyPreserveTopology:
--   measured on the 16 gemeenten at z10, 2 ms against 42 ms. Neither keeps shared borders
--   together; ST_AsMVTGeom (built with Wagyu here) returns valid polygons either way, and
--   true keeps areas that would collapse.
-- * Point thinning up to tiles.THIN_MAX_ZOOM (the tippecanoe idea): a z10 tile over a city
--   held 30,000 points (1.8 MB, 0.3-1.5 s) that draw as one blot. The points found are
--   grouped in square cells of tiles.THIN_CELL tile units, a few screen pixels (the cell
--   size below is in RD metres: tiles.thinning_cell); per cell the point with the lowest
--   id is kept, with its own id, position and properties, and aantal = the number of
--   points in its cell. Above the threshold cells is not referenced (so never computed),
--   every point is drawn and aantal = 1, so clients style both alike. Why so:
--   - cells in RD metres, not in tile units: ST_Transform of every point found was the
--     largest cost of a dense tile; now only the kept points are transformed. The grid
--     starts at the RD origin, so it is the same in every tile of a zoom, and each cell
--     of zoom z+1 lies in one cell of zoom z: a point kept at z is kept at z+1 too.
--   - the lowest id, not any point: a cell is about as wide as the render buffer, so two
--     tiles see a cell on their common edge in full and keep the same point.
--   - ST_Intersects with the exact envelope, not just the index's &&: the aantal values of
--     a tile add up to the points in its envelope (&& also counts corners outside it).
--   - found is MATERIALIZED when thinning: it is read twice (to count the cells and to
--     fetch the kept rows by fid, which identifies a feature as ST_AsMVT's id must); a
--     second scan of the view would cost as much as the first.
--   - visibility and filters are applied in src, before the count: aantal never counts a
--     record the caller may not see.
-- * The final filter on geom is the aggregate's FILTER, not a WHERE: PostgreSQL pushed the
--   WHERE down into the scan, computing ST_AsMVTGeom twice per feature, and for thinned
--   tiles for every point found instead of the kept ones.
-- * tiles.py runs this without JIT and without parallel workers (see tiles._run).
WITH bounds AS NOT MATERIALIZED (
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
found AS {found} (
    SELECT src.*
    FROM src, bounds
    WHERE ST_Intersects(src.geom, bounds.query)
),
cells AS (
    SELECT min(found.fid) AS fid, count(*) AS aantal
    FROM found
    GROUP BY floor(ST_X(found.geom) / {cell}), floor(ST_Y(found.geom) / {cell})
),
mvt AS (
    SELECT found.fid{found_columns}{aantal},
           ST_AsMVTGeom(ST_Transform({geom}, 3857), bounds.clip, {extent}, {buffer}, true)
               AS geom
    FROM found{kept}, bounds
)
SELECT ST_AsMVT(mvt.*, :layer, {extent}, 'geom', 'fid') FILTER (WHERE mvt.geom IS NOT NULL)
FROM mvt
