"""Parsers for single fields: each returns the clean value or raises ``FieldError(reason)``.

Reasons are Dutch (B1): editors read them in the rejects file.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from difflib import get_close_matches
from urllib.parse import urlparse

import phonenumbers

from geo.errors import GeoError


class FieldError(GeoError, ValueError):
    """A field value is not acceptable; the message says why (in Dutch)."""


POSTCODE = re.compile(r"^([1-9][0-9]{3})\s?([A-Za-z]{2})$")
HOUSE = re.compile(
    r"^(\d{1,5})\s*([A-Za-z])?(?:\s*[-/ ]\s*([A-Za-z0-9]{1,4})|\s+([A-Za-z0-9]{1,4}))?$"
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
TIME = r"([01]?\d|2[0-4])(?:[:.]([0-5]\d))?"
RANGE = re.compile(rf"^{TIME}\s*-\s*{TIME}$")
YES = {"ja", "j", "yes", "y", "true", "1", "waar"}
NO = {"nee", "n", "no", "false", "0", "onwaar", ""}


def slug(text: str) -> str:
    """ASCII slug for stable keys: "Stichting Wélzijn 't Hoofs" -> "stichting-welzijn-t-hoofs"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def postcode(value: str) -> str:
    """A Dutch postcode written as ``6211AB`` (letters upper case); FieldError otherwise."""
    match = POSTCODE.match(value.strip())
    if not match:
        raise FieldError(f"postcode '{value}' is geen Nederlandse postcode (zoals 6211 AB)")
    letters = match[2].upper()
    if letters in {"SA", "SD", "SS"}:
        raise FieldError(
            f"postcode '{value}' bestaat niet: de letters {letters} worden niet gebruikt"
        )
    return match[1] + letters


def house(number: str, letter: str = "", addition: str = "") -> tuple[int, str, str]:
    """Huisnummer, huisletter and toevoeging; '12a', '12 A', '12-3' in one field also work."""
    match = HOUSE.match(number.strip())
    if not match:
        raise FieldError(f"huisnummer '{number}' is geen geldig huisnummer (zoals 12, 12a of 12-3)")
    letter = (letter or match[2] or "").strip().upper()
    addition = (addition or match[3] or match[4] or "").strip().upper()
    if letter and not re.fullmatch(r"[A-Z]", letter):
        raise FieldError(f"huisletter '{letter}' moet één letter zijn")
    if addition and not re.fullmatch(r"[A-Z0-9]{1,4}", addition):
        raise FieldError(f"toevoeging '{addition}' mag maximaal 4 letters of cijfers hebben")
    value = int(match[1])
    if not 1 <= value <= 99999:
        raise FieldError(f"huisnummer {value} ligt niet tussen 1 en 99999")
    return value, letter, addition


def phone(value: str) -> str:
    """A single phone number in national notation (``045 789 1480``); FieldError otherwise.

    Parsed with ``phonenumbers`` (region NL), so a number whose leading 0 was dropped by
    Excel (``457891480``) is read too. Valid foreign numbers are kept in international
    notation; Dutch short numbers (``112``, ``14 043``) are kept as written.
    """
    text = value.strip()
    try:
        parsed = phonenumbers.parse(text, "NL")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_valid_number(parsed):
        style = (
            phonenumbers.PhoneNumberFormat.NATIONAL
            if parsed.country_code == 31
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        return phonenumbers.format_number(parsed, style)
    if parsed is not None and phonenumbers.is_valid_short_number_for_region(parsed, "NL"):
        return text
    raise FieldError(f"telefoonnummer '{value}' klopt niet (zoals 043 123 45 67 of 0800-1234)")


PHONE_SEPARATORS = re.compile(r"\s*(?:[;,|\n]|\s(?:of|en)\s|\s/\s)\s*", re.IGNORECASE)


def phones(value: str) -> tuple[str, list[str]]:
    """The first phone number of a cell, plus a warning for every other part of it.

    Returns
    -------
    tuple of (str, list of str)
        The number (national notation) and the Dutch warnings for the numbers left out.

    Raises
    ------
    FieldError
        When no part of the cell is a phone number.
    """
    try:
        return phone(value), []
    except FieldError:
        parts = [p for p in PHONE_SEPARATORS.split(value) if p.strip()]
        if len(parts) < 2:
            raise
    kept: str | None = None
    notes: list[str] = []
    for part in parts:
        try:
            number = phone(part)
        except FieldError:
            notes.append(f"'{part.strip()}' is geen telefoonnummer en is weggelaten")
            continue
        if kept is None:
            kept = number
        else:
            notes.append(f"tweede telefoonnummer '{part.strip()}' is weggelaten")
    if kept is None:
        raise FieldError(f"telefoonnummer '{value}' klopt niet (zoals 043 123 45 67 of 0800-1234)")
    return kept, notes


def email(value: str) -> str:
    """The e-mail address, stripped and in lower case; FieldError when it is malformed."""
    if not EMAIL.match(value.strip()):
        raise FieldError(f"e-mailadres '{value}' klopt niet (zoals info@voorbeeld.nl)")
    return value.strip().lower()


def kvk(value: str) -> str:
    """A KvK number: 8 digits (spaces and dots allowed in the input)."""
    compact = re.sub(r"[\s.]", "", value)
    if not (compact.isdigit() and len(compact) == 8):
        raise FieldError(f"KvK-nummer '{value}' moet 8 cijfers hebben")
    return compact


def website(value: str) -> str:
    """The web address as http(s) URL (no scheme gets ``https://``); FieldError otherwise."""
    value = value.strip()
    if re.match(r"^[a-z0-9.-]+\.[a-z]{2,}(?:[/:?#]|$)", value, re.IGNORECASE):
        value = "https://" + value
    parsed = urlparse(value)
    if parsed.scheme not in {"http", "https"} or "." not in parsed.netloc:
        raise FieldError(f"website '{value}' klopt niet (zoals https://www.voorbeeld.nl)")
    return value


def yes_no(value: str, column: str) -> bool:
    """True for yes (``ja``, ``yes``, ``1``, …), False for no; FieldError naming ``column``."""
    key = value.strip().lower()
    if key in YES:
        return True
    if key in NO:
        return False
    raise FieldError(f"{column} moet 'ja' of 'nee' zijn, niet '{value}'")


def number(value: str, column: str) -> float:
    """A number of 0 or more (decimal comma or point); FieldError naming ``column``."""
    try:
        result = float(value.replace(",", "."))
    except ValueError as exc:
        raise FieldError(f"{column} '{value}' is geen getal") from exc
    if result != result or result < 0:
        raise FieldError(f"{column} moet 0 of groter zijn")
    return result


def day(value: str) -> date:
    """A date not in the future, written 2026-11-28, 28-11-2026 or 28/11/2026."""
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            result = datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
        if result > date.today():
            raise FieldError(f"datum {value} ligt in de toekomst")
        return result
    raise FieldError(f"datum '{value}' klopt niet (zoals 2026-11-28 of 28-11-2026)")


def slugs(value: str, known: dict[str, str], column: str) -> list[str]:
    """Split ``a; b`` and check each against the taxonomy (slug or name), with a suggestion."""
    out = []
    for part in (p.strip() for p in re.split(r"[;,|]", value) if p.strip()):
        key = part.lower()
        by_name = {naam.lower(): s for s, naam in known.items()}
        if key in known or key in by_name:
            out.append(key if key in known else by_name[key])
            continue
        raise FieldError(f"{column} '{part}' bestaat niet{_suggest(key, known)}")
    if not out:
        raise FieldError(f"{column} is leeg")
    return list(dict.fromkeys(out))


def _suggest(key: str, known: dict[str, str]) -> str:
    near = [s for s in known if s.startswith(key) or key in s.split("-")]
    near = near or get_close_matches(key, list(known), n=1, cutoff=0.6)
    near = near or [s for s, naam in known.items() if key in naam.lower()]
    return f"; bedoelt u '{near[0]}'?" if near else f"; kies uit: {', '.join(known)}"


DAY_WORDS = {
    "maandag": "ma",
    "dinsdag": "di",
    "woensdag": "wo",
    "donderdag": "do",
    "vrijdag": "vr",
    "zaterdag": "za",
    "zondag": "zo",
    "maa": "ma",
    "din": "di",
    "woe": "wo",
    "don": "do",
    "vrij": "vr",
    "zat": "za",
    "zon": "zo",
}
APPOINTMENT = {"op afspraak", "alleen op afspraak", "volgens afspraak", "na afspraak"}
ALWAYS = {"24/7", "24 uur per dag", "dag en nacht", "altijd open", "altijd geopend"}


def opening_hours(value: str) -> dict:
    """``ma-vr 09:00-17:00; za 10:00-12:30`` -> {"dagen": {"ma": [["09:00", "17:00"]], ...}}.

    Common Dutch notations are read too: ``ma t/m vr 9-17 uur``, ``Ma - Vr: 08.30 - 17.00``,
    ``maandag, woensdag 9:00-12:00``, ``24/7``, ``op afspraak`` and remarks about closing
    (``gesloten op feestdagen``), which stay in ``tekst`` only.
    """
    days: dict[str, list[list[str]]] = {}
    result = {"dagen": days, "op_afspraak": False, "tekst": value.strip()}
    for raw in (p.strip() for p in re.split(r"[;\n|]", value) if p.strip()):
        part = _normalise_hours(raw)
        if part in APPOINTMENT:
            result["op_afspraak"] = True
            continue
        if part in ALWAYS:
            for name in DAYS:
                days.setdefault(name, []).append(["00:00", "24:00"])
            continue
        if "gesloten" in part and not re.search(r"\d", part):
            continue  # "gesloten op feestdagen", "za en zo gesloten": kept in tekst
        match = re.match(r"^([a-z,\s\-]+?)\s*:?\s+(\d.*)$", part)
        if not match:
            raise FieldError(f"openingstijden '{raw}' klopt niet (zoals ma-vr 09:00-17:00)")
        ranges = [_time_range(r) for r in re.split(r"\s*(?:,|\s|en)\s*(?=\d)", match[2])]
        for name in _days(match[1]):
            days.setdefault(name, []).extend(ranges)
    return result


def _normalise_hours(part: str) -> str:
    """One part of an opening-hours text in the basic notation (``ma-vr 9:00-17:00``)."""
    text = " ".join(part.lower().split())
    text = re.sub(r"\b(t/m|tm|tot en met)\b", "-", text)
    text = re.sub(r"\b[a-z]+\b", lambda m: DAY_WORDS.get(m[0], m[0]), text)
    text = re.sub(r"\b(ma|di|wo|do|vr|za|zo)\.", r"\1", text)
    text = re.sub(
        r"\b(ma|di|wo|do|vr|za|zo)\s+(?:en|&)\s+(?=(?:ma|di|wo|do|vr|za|zo)\b)", r"\1,", text
    )
    text = re.sub(r"\bvan\s+(?=\d)", "", text)
    text = re.sub(r"(?<=\d)\s*(?:-|–|tot)\s*(?=\d)", "-", text)
    text = re.sub(r"(?<=\d)\s*(?:uur|u)\b\.?", "", text)
    return text.strip(" .")


def _days(text: str) -> list[str]:
    names: list[str] = []
    for item in (t.strip() for t in text.split(",") if t.strip()):
        ends = [e.strip() for e in item.split("-")]
        if any(e not in DAYS for e in ends) or len(ends) > 2:
            raise FieldError(f"dag '{item}' klopt niet (gebruik ma di wo do vr za zo)")
        start, stop = DAYS.index(ends[0]), DAYS.index(ends[-1])
        if stop < start:
            raise FieldError(f"dagen '{item}' lopen terug")
        names.extend(DAYS[start : stop + 1])
    return names


def _time_range(text: str) -> list[str]:
    match = RANGE.match(text.strip())
    if not match:
        raise FieldError(f"tijd '{text}' klopt niet (zoals 09:00-17:00)")
    opens = f"{int(match[1]):02d}:{match[2] or '00'}"
    closes = f"{int(match[3]):02d}:{match[4] or '00'}"
    if opens >= closes or closes > "24:00":
        raise FieldError(f"tijd '{text}': sluiten moet na openen komen")
    return [opens, closes]
