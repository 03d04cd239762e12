"""The published catalogue: collections, their SQL queries (GeoJSON built in PostGIS) and tiles.

Imports ``geo`` only; never ``analysis`` (they meet in the database).
"""
