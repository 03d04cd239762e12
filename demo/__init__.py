"""Development package: the demo data of ``data/demo`` and the benchmark inputs.

Not part of the installed wheel (``[tool.setuptools.packages.find]`` lists ``geo``,
``layers``, ``analysis`` and ``server`` only): tests, ``bench/`` and ``python -m demo``
use it from a checkout. It may import ``geo``; nothing under ``geo``, ``layers`` or
``analysis`` imports it (import-linter checks this).

* ``synthetic_bag``: a synthetic BAG address extract inside the CBS buurten.
* ``synthetic``: invented organisations, services and locations on those addresses.
* ``sources``: real open data (OSM, RIVM) converted to the flat import format.
* ``data``: writes the committed files of ``data/demo``.
"""
