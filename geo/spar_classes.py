"""The SPAR classes of every coverage map.

SPAR is the supply within reach per resident, relative to the region; the classes colour
the analysis report's PNG/PDF maps and the advisers' /dekking page.

Each class is (lower bound, upper bound, colour, Dutch label); 1 is the regional average.
Colours are ColorBrewer RdBu (colour-blind safe); areas without data are grey and hatched.
"""

import math

SPAR_CLASSES = (
    (0.0, 0.5, "#b2182b", "minder dan 0,5: veel minder dan gemiddeld"),
    (0.5, 0.75, "#ef8a62", "0,5 tot 0,75: minder dan gemiddeld"),
    (0.75, 1.25, "#f7f7f7", "0,75 tot 1,25: rond het gemiddelde"),
    (1.25, math.inf, "#67a9cf", "1,25 of meer: meer dan gemiddeld"),
)
NO_DATA = "#bdbdbd"
