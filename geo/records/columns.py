"""The columns of the flat import format and the header variants we recognise."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
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
    "organisatie_telefoon",
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
    "bron",
)
# Combined columns, split by geo/records/address.py before validation: street and number
# (perhaps with postcode and place) in one cell, postcode and place in one cell, and a
# postal address (used only when the row has no other address). Input only: never exported.
COMBINED = ("adres", "postcode_plaats", "postadres")
# Without ``thema`` the importer proposes a theme per row (geo/records/theme_proposal.py).
REQUIRED = ("organisatie",)

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
    "adres": "adres",
    "bezoekadres": "adres",
    "vestigingsadres": "adres",
    "straat+huisnr": "adres",
    "straat+huisnummer": "adres",
    "straatenhuisnummer": "adres",
    "straatenhuisnr": "adres",
    "straathuisnummer": "adres",
    "straathuisnr": "adres",
    "straat/huisnr": "adres",
    "straat/huisnummer": "adres",
    "straatnaamenhuisnummer": "adres",
    "straatnaam+huisnummer": "adres",
    "adresregel": "adres",
    "adresregel1": "adres",
    "postcode/plaats": "postcode_plaats",
    "postcode+plaats": "postcode_plaats",
    "postcodeplaats": "postcode_plaats",
    "postcodeenplaats": "postcode_plaats",
    "postcode/woonplaats": "postcode_plaats",
    "postcode+woonplaats": "postcode_plaats",
    "postcodewoonplaats": "postcode_plaats",
    "postcodeenwoonplaats": "postcode_plaats",
    "pc/plaats": "postcode_plaats",
    "postadres": "postadres",
    "correspondentieadres": "postadres",
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


CANONICAL = {normalise(c): c for c in (*COLUMNS, *COMBINED)} | ALIASES


@dataclass
class Mapping:
    """A mapping file: headers, values per column, defaults and extra theme keywords.

    ``kolommen``: normalised file header -> our column. ``waarden``: column -> {value key
    (see :func:`value_key`) -> our values}. ``standaard``: column -> value for a column the
    file lacks or a cell left empty. ``trefwoorden``: theme slug -> extra keywords.
    """

    kolommen: dict[str, str] = field(default_factory=dict)
    waarden: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    standaard: dict[str, str] = field(default_factory=dict)
    trefwoorden: dict[str, list[str]] = field(default_factory=dict)
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def changes_values(self) -> bool:
        """Whether rows must pass :meth:`apply` (value maps or defaults)."""
        return bool(self.waarden or self.standaard)

    def apply(self, values: dict[str, str]) -> None:
        """Fill defaults and map values of one row in place (rows repeat values: cached)."""
        for column, default in self.standaard.items():
            if not values.get(column, "").strip():
                values[column] = default
        for column, table in self.waarden.items():
            cell = values.get(column)
            if cell:
                key = (column, cell)
                if key not in self._cache:
                    self._cache[key] = _map_cell(cell, table)
                values[column] = self._cache[key]

    def slugs_named(self, column: str) -> set[str]:
        """Every value the mapping puts in ``column`` (to check against the taxonomy)."""
        named = {v for targets in self.waarden.get(column, {}).values() for v in targets}
        if column in self.standaard:
            named |= {p.strip() for p in re.split(r"[;,|]", self.standaard[column]) if p.strip()}
        return named


def value_key(value: str) -> str:
    """How values are compared: case and extra spaces do not matter (``Welzijn `` = ``welzijn``)."""
    return " ".join(str(value).split()).casefold()


def _map_cell(cell: str, table: dict[str, list[str]]) -> str:
    """The whole cell if it is mapped, else each ``;``/``,``/``|`` part that is mapped."""
    whole = table.get(value_key(cell))
    if whole is not None:
        return "; ".join(whole)
    out: list[str] = []
    for part in (p.strip() for p in re.split(r"[;,|]", cell) if p.strip()):
        out.extend(table.get(value_key(part), [part]))
    return "; ".join(out)


def _fail(path: Path, text: str) -> RecordFileError:
    return RecordFileError(f"Het koppelbestand {path} {text}")


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RecordFileError(f"Het koppelbestand {path} kan niet gelezen worden.") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        where = f" (regel {line[1]})" if line else ""
        raise _fail(path, f"is geen geldige TOML{where}.") from exc


def _texts(value: object) -> list[str] | None:
    """A text or a list of texts as a list; None for anything else."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def load_mapping_file(path: Path | None) -> Mapping:
    """Read a mapping file (TOML, docs/IMPORT.md); an empty :class:`Mapping` for None.

    Raises
    ------
    RecordFileError
        When the file cannot be read, or names columns or values in the wrong shape.
    """
    if path is None:
        return Mapping()
    data = _read_toml(path)
    unknown = sorted(set(data) - {"kolommen", "waarden", "standaard", "trefwoorden"})
    if unknown:
        raise _fail(
            path,
            f"heeft onbekende tabel(len): {', '.join(unknown)}; gebruik [kolommen], "
            "[waarden.KOLOM], [standaard] en [trefwoorden].",
        )
    headers = data.get("kolommen", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise _fail(
            path,
            'moet een tabel [kolommen] met tekst hebben, zoals "Naam aanbieder" = "organisatie".',
        )
    defaults = data.get("standaard", {})
    if not isinstance(defaults, dict) or not all(isinstance(v, str) for v in defaults.values()):
        raise _fail(path, 'moet in [standaard] tekst hebben, zoals doelgroep = "ouderen".')
    values = data.get("waarden", {})
    if not isinstance(values, dict) or not all(isinstance(t, dict) for t in values.values()):
        raise _fail(path, 'moet waarden per kolom hebben, zoals [waarden.thema] "Welzijn" = "…".')
    known = (*COLUMNS, *COMBINED)
    bad = sorted(v for v in (*headers.values(), *defaults, *values) if v not in known)
    if bad:
        raise _fail(path, f"noemt kolommen die niet bestaan: {', '.join(bad)}.")
    return Mapping(
        kolommen={normalise(k): v for k, v in headers.items()},
        waarden=_value_tables(path, values),
        standaard=dict(defaults),
        trefwoorden=_keywords(path, data.get("trefwoorden", {})),
    )


def _value_tables(path: Path, values: dict) -> dict[str, dict[str, list[str]]]:
    """``[waarden.KOLOM]`` tables: value key -> our values (a text or a list of texts)."""
    waarden: dict[str, dict[str, list[str]]] = {}
    for column, table in values.items():
        waarden[column] = {}
        for value, target in table.items():
            targets = _texts(target)
            if targets is None:
                raise _fail(
                    path, f"koppelt '{value}' in [waarden.{column}] niet aan tekst of een lijst."
                )
            waarden[column][value_key(value)] = [t.strip() for t in targets if t.strip()]
    return waarden


def _keywords(path: Path, keywords: object) -> dict[str, list[str]]:
    """``[trefwoorden]``: theme slug -> a list of extra keywords."""
    extra = (
        {slug: _texts(words) for slug, words in keywords.items()}
        if isinstance(keywords, dict)
        else None
    )
    if extra is None or any(v is None for v in extra.values()):
        raise _fail(path, 'moet in [trefwoorden] lijsten hebben, zoals vervoer = ["taxi"].')
    return {k: v for k, v in extra.items() if v is not None}


def load_mapping(path: Path | None) -> dict[str, str]:
    """The ``[kolommen]`` of a mapping file: normalised file header -> our column name."""
    return load_mapping_file(path).kolommen


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
