"""The world of the privacy walk (tests/server/test_privacy_walk.py) and its one checker.

The records imported for the walk (``ROWS``: an internal organisation, a professional-only
service at its own location, a confidential shelter location), what each role may not see
of them (``ROLES``), the signed-in accounts, and :func:`assert_clean`, which checks an
output against the secrets of the role that is walking (``CURRENT``).
"""

from __future__ import annotations

import math
import re

from pyproj import Transformer

HEADER = (
    "id,organisatie,aanbod,thema,locatie_naam,straat,huisnummer,postcode,"
    "plaats,lat,lon,telefoon,vertrouwelijk,zichtbaarheid"
)
# (id, organisation, service, theme, location name, street, number, postcode, place,
#  lat, lon, phone, confidential, visibility)
ROWS = [
    (
        "p1",
        "Buurthuis De Linde",
        "Inloop",
        "meedoen-ontmoeten",
        "Buurthuis De Linde",
        "Dorpstraat",
        "3",
        "6262 NA",
        "Banholt",
        50.79310,
        5.81120,
        "043 123 45 67",
        "nee",
        "openbaar",
    ),
    (
        "v1",
        "Stichting Veilig Thuis Zuid",
        "Opvang",
        "veiligheid",
        "Blijfhuis Zonnebloem",
        "Verborgenlaan",
        "7",
        "6262 NB",
        "Banholt",
        50.78850,
        5.80350,
        "043 765 43 21",
        "ja",
        "openbaar",
    ),
    (
        "i1",
        "Intern Beraad Kastanje",
        "Intern casusoverleg",
        "zorg-ondersteuning",
        "Kastanjehof Achterzaal",
        "Kastanjehof",
        "11",
        "6267 AA",
        "Kasteeldorp Oost",
        50.80420,
        5.77360,
        "043 111 22 33",
        "nee",
        "intern",
    ),
    (
        "z1",
        "Zorgpunt Vijverdal",
        "Spreekuur",
        "zorg-ondersteuning",
        "Zorgpunt Vijverdal",
        "Vijverdalseweg",
        "1",
        "6226 NA",
        "Maastricht",
        50.85900,
        5.72060,
        "043 222 33 44",
        "nee",
        "openbaar",
    ),
    (
        "z2",
        "Zorgpunt Vijverdal",
        "Casusoverleg Wijkteam",
        "zorg-ondersteuning",
        "Achterkamer Vijverdal",
        "Dienstingang",
        "2",
        "6226 NB",
        "Maastricht",
        50.86410,
        5.73350,
        "043 999 88 77",
        "nee",
        "professional",
    ),
]
# What must never appear in public output. The shelter's organisation name and phone are
# public (residents must be able to call it); its address and location name are not.
SECRET_TEXT = (
    "Blijfhuis Zonnebloem",
    "Verborgenlaan",
    "6262 NB",
    "6262NB",
    "Intern Beraad Kastanje",
    "Intern casusoverleg",
    "Kastanjehof",
    "Kasteeldorp",
    "Casusoverleg Wijkteam",
    "Achterkamer Vijverdal",
    "Dienstingang",
    "043 111 22 33",
    "043 999 88 77",
    "Geheime Contactpersoon",
    "geheim.contact@intern.example",
    "06-99887766",
)
SECRET_POINTS = [(r[10], r[9]) for r in ROWS if r[0] in ("v1", "i1", "z2")]  # lon, lat
# What each role may see of the hidden records on these outputs. Professionals see
# professional-only services, editors internal ones too; nobody sees contact persons or the
# shelter's address on a published output (confidential locations stay generalised). A
# professional scoped to a wijk gets the public view here (the wijk pages apply the scope).
PROFESSIONAL_TEXT = (
    "Casusoverleg Wijkteam",
    "Achterkamer Vijverdal",
    "Dienstingang",
    "043 999 88 77",
)
INTERN_TEXT = (
    "Intern Beraad Kastanje",
    "Intern casusoverleg",
    "Kastanjehof",
    "Kasteeldorp",
    "043 111 22 33",
)
ROLES = {
    "publiek": (SECRET_TEXT, ("v1", "i1", "z2")),
    "professional-wijk": (SECRET_TEXT, ("v1", "i1", "z2")),
    "professional": (tuple(t for t in SECRET_TEXT if t not in PROFESSIONAL_TEXT), ("v1", "i1")),
    "redacteur": (
        tuple(t for t in SECRET_TEXT if t not in PROFESSIONAL_TEXT + INTERN_TEXT),
        ("v1",),
    ),
}
ACCOUNTS = {
    "professional-wijk": ("professional", (), ("WK188301",)),
    "professional": ("professional", (), ()),
    "redacteur": ("redacteur", (), ()),
}
PASSWORD = "privacy-walk-wachtwoord"
TO_RD = Transformer.from_crs(4326, 28992, always_xy=True)
NUMBER = re.compile(r"-?\d{1,6}(?:\.\d+)?")


def world_csv(rows) -> str:
    """``rows`` as an import CSV with the walk's header."""
    return "\n".join([HEADER, *(",".join(f'"{v}"' for v in row) for row in rows)]) + "\n"


class Walker:
    """A client signed in as one role, with what that role may not see."""

    def __init__(self, client, role: str):
        self.client = client
        self.role = role
        self.secret_text, hidden = ROLES[role]
        self.secret_points = [(r[10], r[9]) for r in ROWS if r[0] in hidden]

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    @property
    def application(self):
        return self.client.application


CURRENT: list[Walker] = []  # the walker of the running test (set by the walk's autouse fixture)


def current_secrets() -> tuple[tuple[str, ...], list[tuple[float, float]]]:
    """The secret texts and points of the walking role (all of them outside the walk)."""
    if CURRENT:
        return CURRENT[0].secret_text, CURRENT[0].secret_points
    return SECRET_TEXT, SECRET_POINTS


def near_secret(lon: float, lat: float, points=None) -> bool:
    """Within 50 m of a point the walking role may not see (or of one of ``points``)."""
    points = current_secrets()[1] if points is None else points
    return any(math.dist(TO_RD.transform(lon, lat), TO_RD.transform(*p)) < 50 for p in points)


def assert_clean(
    text: str, where: str, asked: tuple[str, ...] = (), public_only: bool = False
) -> None:
    """No secret text, and no pair of numbers (lon/lat or lat/lon) near a hidden point.

    What is secret depends on the walking role (``ROLES``), or is everything hidden when
    ``public_only`` (outputs that show public records to everyone). ``asked``: what the
    user typed, which a page may repeat ("We konden 'X' niet vinden").
    """
    secrets, points = (SECRET_TEXT, SECRET_POINTS) if public_only else current_secrets()
    for secret in secrets:
        if any(secret.lower() in a.lower() or a.lower() in secret.lower() for a in asked):
            continue
        assert secret.lower() not in text.lower(), f"{secret!r} in {where}"
    numbers = [float(n) for n in NUMBER.findall(text)]
    for a, b in zip(numbers, numbers[1:], strict=False):
        for lon, lat in ((a, b), (b, a)):
            if 5.5 < lon < 6.3 and 50.6 < lat < 51.2:
                assert not near_secret(lon, lat, points), f"position {lon},{lat} in {where}"
