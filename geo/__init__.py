"""Base package: database, CBS areas, taxonomy, organisation records and geocoding.

Every public function takes a SQLAlchemy ``Connection`` or ``Engine`` as its first
argument; nothing here reads configuration or knows about HTTP.
"""
