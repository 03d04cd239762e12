"""The columns of the flat import format and the header variants we recognise."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from geo.errors import GeoError

COLUMNS = (
    "id",
    "organisatie",
    "organisatie_id",
    "kvk",
    "omschrijving",
    "aanbod",
    "aanbod_omschrijving",
    "thema",
    "doelgroep",
    "locatie_naam",
    "straat",
    "huisnummer",
    "huisletter",
    "toevoeging",
    "postcode",
    "plaats",
    "lat",
    "lon",
    "x",
    "y",
    "telefoon",
    "email",
    "website",
    "openingstijden",
    "kosten",
    "aanmelden",
    "voorwaarden",
    "toegankelijkheid",
    "talen",
    "capaciteit",
    "vertrouwelijk",
    "zichtbaarheid",
    "laatst_geverifieerd",
    "synthetisch",
)
REQUIRED = ("organisatie", "thema")

# Variants seen in municipal spreadsheets, keyed by their normalised form.
ALIASES = {
    "naamorganisatie": "organisatie",
    "organisatienaam": "organisatie",
    "naam": "organisatie",
    "aanbieder": "organisatie",
    "kvknummer": "kvk",
    "kvknr": "kvk",
    "beschrijving": "omschrijving",
    "dienst": "aanbod",
    "activiteit": "aanbod",
    "thema's": "thema",
    "themas": "thema",
    "categorie": "thema",
    "doelgroepen": "doelgroep",
    "adres": "straat",
    "straatnaam": "straat",
    "huisnr": "huisnummer",
    "nr": "huisnummer",
    "woonplaats": "plaats",
    "stad": "plaats",
    "latitude": "lat",
    "breedtegraad": "lat",
    "longitude": "lon",
    "lengtegraad": "lon",
    "lng": "lon",
    "tel": "telefoon",
    "telefoonnummer": "telefoon",
    "mail": "email",
    "emailadres": "email",
    "url": "website",
    "internet": "website",
    "openingsuren": "openingstijden",
    "geopend": "openingstijden",
    "laatstgeverifieerd": "laatst_geverifieerd",
    "geverifieerdop": "laatst_geverifieerd",
}


class RecordFileError(GeoError):
    """The file cannot be read at all; nothing was changed."""


def normalise(header: str) -> str:
    """Lower case without spaces, ``_`` or ``-``: "E-mail adres" -> "emailadres"."""
    return re.sub(r"[\s_\-.]+", "", str(header).strip().lower())


CANONICAL = {normalise(c): c for c in COLUMNS} | ALIASES


def load_mapping(path: Path | None) -> dict[str, str]:
    """Read a ``[kolommen]`` TOML mapping of file headers to our column names."""
    if path is None:
        return {}
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RecordFileError(f"Het koppelbestand {path} kan niet gelezen worden.") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        where = f" (regel {line[1]})" if line else ""
        raise RecordFileError(f"Het koppelbestand {path} is geen geldige TOML{where}.") from exc
    mapping = data.get("kolommen", {})
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise RecordFileError(
            f"Het koppelbestand {path} moet een tabel [kolommen] met tekst hebben, zoals "
            '"Naam aanbieder" = "organisatie".'
        )
    bad = sorted(v for v in mapping.values() if v not in COLUMNS)
    if bad:
        raise RecordFileError(
            f"Het koppelbestand {path} noemt kolommen die niet bestaan: {', '.join(bad)}."
        )
    return {normalise(k): v for k, v in mapping.items()}


def known_columns(headers: list[str], mapping: dict[str, str]) -> set[str]:
    """The column names that ``headers`` resolve to (no checks; for finding the header row)."""
    keys = (normalise(h) for h in headers if h is not None and str(h).strip())
    return {c for k in keys if (c := mapping.get(k) or CANONICAL.get(k))}


def resolve_headers(headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Map each file header to our column name; unknown headers are left out.

    Raises
    ------
    RecordFileError
        When a required column is missing or two headers map to the same column.
    """
    resolved: dict[str, str] = {}
    for header in headers:
        key = normalise(header)
        column = mapping.get(key) or CANONICAL.get(key)
        if column is None:
            continue
        if column in resolved.values():
            raise RecordFileError(
                f"Twee kolommen betekenen '{column}', waaronder '{header}'; houd er één over."
            )
        resolved[header] = column
    missing = [c for c in REQUIRED if c not in resolved.values()]
    if missing:
        found = ", ".join(str(h)[:60] for h in headers[:40]) or "geen"
        raise RecordFileError(
            f"Verplichte kolom(men) ontbreken: {', '.join(missing)} (gevonden: {found}); "
            "zie docs/IMPORT.md of gebruik --mapping."
        )
    return resolved
