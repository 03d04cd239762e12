"""Addresses as people write them: combined columns split into our address columns.

Municipal spreadsheets often hold an address in one cell (``Markt 78, 6211 CL Maastricht``),
street and number together (``Straat + huisnr``: ``Akerstraat 12-14``) or postcode and
place together (``Postcode/plaats``: ``6411CG  HEERLEN``). :func:`split_address` fills
``straat``, ``huisnummer``, ``postcode`` and ``plaats`` from those combined columns (see
``geo.records.columns.COMBINED``); a cell of its own always wins over a combined one.
The house part (``12a``, ``12-14``, ``12 bis``, ``3 hs``, ``5 A``, ``1000-2``) is left as
written in ``huisnummer``: ``geo.records.fields.house`` splits it into huisnummer,
huisletter and toevoeging like any other house number.

A PO box (``Postbus 123``, ``Antwoordnummer 456``, ``Pb 12``) is no place on a map: it is
moved out of the address columns into ``postbus``, with the postcode that belongs to it.
The row is then placed by another address it has (a visiting address, coordinates) or
refused with "Alleen een postbus: geef het bezoekadres op" (geo/records/validate.py).

No library is used: libpostal (``postal``) needs a C library and a model of about 2 GB,
``deepparse`` downloads model weights at run time; neither works offline as a plain
dependency, and Dutch addresses need only the few rules below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.records.fields import HOUSE

POSTCODE_PART = re.compile(r"^([1-9][0-9]{3})\s*([A-Za-z]{2})(?:\s+(.*\S))?$")
# A postcode inside a cell without commas: "Markt 78 6211 CL Maastricht".
POSTCODE_INSIDE = re.compile(r"^(.*?\S)\s+([1-9][0-9]{3})\s?([A-Za-z]{2})(?:\s+(.*\S))?$")
POSTBUS = re.compile(
    r"^(?:postbus|postbox|antwoordnummer|antw\.?\s*nr\.?|p\.?\s?b\.?)\s*(\d{1,6})?$",
    re.IGNORECASE,
)
POSTBUS_START = ("P", "p", "A", "a")  # a cheap test before the regex, for 100,000 rows
NUMBER_START = re.compile(r"(?<=\S)\s+(?=\d)")


@dataclass
class Address:
    """The parts of a written address; empty strings for what the text does not say."""

    straat: str = ""
    huisnummer: str = ""  # the house part as written: "12a", "12-14", "3 hs"
    postcode: str = ""
    plaats: str = ""
    postbus: str = ""  # "Postbus 123" when the street part is a PO box


def split_street(text: str) -> tuple[str, str]:
    """``'Laan van Europa 1000-2'`` -> ``('Laan van Europa', '1000-2')``.

    The house part is the last number (with letter and toevoeging) that ends the text and
    has a street before it, so ``Plein 1992 5`` is street ``Plein 1992``, number ``5``.
    Without a house number the whole text is the street: ``('Markt', '')``.
    """
    text = " ".join(text.split())
    for gap in reversed(list(NUMBER_START.finditer(text))):
        street, house = text[: gap.start()], text[gap.end() :]
        if HOUSE.match(house) and re.search(r"[^\W\d_]", street):
            return street, house
    return text, ""


def split_postcode_place(text: str) -> tuple[str, str]:
    """``'6411CG  HEERLEN'`` -> ``('6411CG', 'HEERLEN')``; no postcode: ``('', text)``."""
    text = " ".join(text.replace(",", " ").split())
    match = POSTCODE_PART.match(text)
    if match:
        return match[1] + match[2].upper(), match[3] or ""
    return "", text


def postbus_of(street: str, number: str = "") -> str:
    """``'Postbus 123'`` when the street part (with its number) is a PO box, else ``''``."""
    text = " ".join(f"{street} {number}".split())
    match = POSTBUS.match(text)
    if not match:
        return ""
    word = "Antwoordnummer" if text.lower().startswith("antw") else "Postbus"
    return f"{word} {match[1]}" if match[1] else word


def parse_address(text: str) -> Address:
    """One cell with street, number and perhaps postcode and place.

    ``Markt 78``, ``Markt 78, 6211 CL Maastricht``, ``Kruisstraat 12a, Heerlen``,
    ``Markt 78 6211CL Maastricht`` and ``Postbus 123, 6400 AC Heerlen`` are understood.
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return Address()
    first, rest = parts[0], parts[1:]
    postcode = plaats = ""
    if not rest:
        inside = POSTCODE_INSIDE.match(" ".join(first.split()))
        if inside:  # "Markt 78 6211CL Maastricht", "Postbus 123 6400 AC Heerlen"
            first, postcode, plaats = inside[1], inside[2] + inside[3].upper(), inside[4] or ""
    for part in rest:
        code, place = split_postcode_place(part)
        postcode, plaats = postcode or code, plaats or place
    postbus = postbus_of(first)
    if postbus:
        return Address(postcode=postcode, plaats=plaats, postbus=postbus)
    straat, huis = split_street(first)
    return Address(straat, huis, postcode, plaats)


def split_address(values: dict[str, str], headers: dict[str, str]) -> dict[str, str]:
    """Fill our address columns of one raw row from its combined columns, in place.

    ``values`` and ``headers`` are a raw row's values and headers by our column names
    (``geo.records.readers.RawRow``; rows share one ``headers``, so it is not changed).
    Returns the headers of the columns filled here (the combined column they came from),
    so messages name the column the data officer sees.
    """
    if _nothing_to_split(values):
        return {}
    found, source = _combined(values)
    named: dict[str, str] = {}
    pc_place = values.get("postcode_plaats", "").strip()
    if pc_place:
        code, place = split_postcode_place(pc_place)
        found.postcode, found.plaats = code or found.postcode, place or found.plaats
    for column in ("straat", "huisnummer", "postcode", "plaats"):
        value = getattr(found, column)
        if value and not values.get(column, "").strip():
            values[column] = value
            origin = "postcode_plaats" if pc_place and column in ("postcode", "plaats") else source
            named[column] = headers.get(origin, origin)
    postbus = found.postbus
    if not postbus:
        postbus, source = (
            postbus_of(values.get("straat", ""), values.get("huisnummer", "")),
            "straat",
        )
    if postbus:
        _move_postbus(values, postbus)
        named["postbus"] = named.get("straat") or headers.get(source, source)
    return named


def _combined(values: dict[str, str]) -> tuple[Address, str]:
    """The parsed ``adres`` cell (or ``postadres`` for a row without street), its column."""
    source, combined = "adres", values.get("adres", "").strip()
    if not combined and not values.get("straat", "").strip():
        source, combined = "postadres", values.get("postadres", "").strip()  # the only one
    if not combined:
        return Address(), source
    found = parse_address(combined)
    number = values.get("huisnummer", "").strip()
    if number and not found.postbus:
        # "Adres" next to a "Huisnr" column: the cell is the street ("Plein 1992"),
        # unless it ends with that same number ("Markt 78" and 78).
        if _leading_number(found.huisnummer) != _leading_number(number):
            found.straat = " ".join(combined.split(",")[0].split())
        found.huisnummer = ""
    return found, source


def _leading_number(house: str) -> str:
    match = re.match(r"\d+", house)
    return match[0].lstrip("0") if match else ""


def _nothing_to_split(values: dict[str, str]) -> bool:
    """No combined cell and a street that is no PO box (the common case, made cheap)."""
    if values.get("adres") or values.get("postcode_plaats") or values.get("postadres"):
        return False
    street = values.get("straat", "")
    return street[:1] not in POSTBUS_START or not postbus_of(street, values.get("huisnummer", ""))


def _move_postbus(values: dict, postbus: str) -> None:
    """A PO box is not a location: keep it as ``postbus`` and clear the address it filled.

    The postcode on the row belongs to the PO box (``6200 AB`` of ``Postbus 1900``): people
    write the two together. Place and coordinates stay; coordinates still place the row.
    """
    values["postbus"] = postbus
    for column in ("straat", "huisnummer", "huisletter", "toevoeging", "postcode"):
        values.pop(column, None)
