"""Base package: database, CBS areas, taxonomy, organisation records and geocoding.

Every public function that touches the database takes a SQLAlchemy ``Connection`` or
``Engine`` as its first argument; nothing here reads configuration or knows about HTTP.
The demo-data generators live in the development package ``demo`` (not installed).
"""
