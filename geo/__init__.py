"""Base package: database, CBS areas, taxonomy, organisation records and geocoding.

Every public function that touches the database takes a SQLAlchemy ``Connection`` or
``Engine`` as its first argument; nothing here reads configuration or knows about HTTP.
The synthetic demo-data generators (``synthetic``, ``synthetic_bag``, ``demo_data``,
``demo_sources``) are pure functions over files and data frames.
"""
