"""Organisation records: read (CSV, XLSX, HSDS 3), validate, store, find duplicates, export.

A flat row is one service (``aanbod``) at one location (``locatie``) of an organisation;
HSDS files are turned into the same rows, so there is one validation and one store path.
Residents' error reports on a public page ("meld een fout") are written by ``melding``.
"""
