"""Read models of our own pages, the ones that are not OGC.

The organisation page, opening hours, the paper map, search, the map's points
(``kaartpunten``), the area outlines and the coverage page. They read the published
``laag_*`` views and base tables; the OGC engine (catalogue, features, CQL2, tiles,
exports, caches) is the rest of ``layers``.
"""
