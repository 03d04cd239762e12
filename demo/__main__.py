"""``python -m demo --out data/demo``: write the committed demo files (see ``demo.data``)."""

from demo.data import main

main()
