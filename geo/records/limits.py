"""Checks that run before a file is parsed, so hostile files are refused cheaply.

Zip archives (HSDS datapackages, XLSX and ODS workbooks) are judged by their central directory
alone: member count, names, uncompressed sizes and compression ratios. ``zipfile`` stops
reading a member at the size its directory entry declares (and then fails the CRC check),
so a directory that lies about sizes cannot make us read more than we checked.
JSON is checked for nesting depth on the raw text before ``json.loads`` sees it.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path, PurePosixPath

from geo.dutch import number
from geo.records.columns import RecordFileError

MB = 1024 * 1024
MAX_JSON_DEPTH = 64


@dataclass(frozen=True)
class ZipLimits:
    """What an archive may hold before we refuse to open it."""

    max_members: int
    max_member_bytes: int
    max_total_bytes: int
    max_ratio: float  # uncompressed / compressed, judged for members above ``ratio_from``
    ratio_from: int = 1 * MB


# HSDS datapackages: a handful of CSV tables.
DATAPACKAGE = ZipLimits(
    max_members=200, max_member_bytes=200 * MB, max_total_bytes=400 * MB, max_ratio=100
)
# XLSX: a sheet of 100,000 rows is ~150 MB of XML; shared strings are held in memory whole.
XLSX = ZipLimits(
    max_members=1000, max_member_bytes=300 * MB, max_total_bytes=500 * MB, max_ratio=100
)
SHARED_STRINGS_BYTES = 100 * MB


def size_text(n: int) -> str:
    """A size for a message, Dutch style: 812 kB, 1,4 MB, 1500 MB."""
    if n < MB:
        return f"{-(-n // 1024)} kB"
    return number(n / MB, 1, grouping=False).removesuffix(",0") + " MB"


def _unsafe_name(name: str) -> bool:
    """Absolute paths, drive letters, backslashes or ``..`` parts: never a plain member."""
    if "\\" in name or "\x00" in name or re.match(r"^[A-Za-z]:", name):
        return True
    path = PurePosixPath(name)
    return path.is_absolute() or ".." in path.parts


def check_zip(path: Path, limits: ZipLimits, kind: str) -> list[zipfile.ZipInfo]:
    """Refuse an archive whose directory promises too much; return its members.

    Raises
    ------
    RecordFileError
        Not a zip, too many members, an unsafe member name, or sizes / ratios too large.
    """
    name = Path(path).name
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise RecordFileError(f"{name} is geen leesbaar {kind}.") from exc
    if len(members) > limits.max_members:
        raise RecordFileError(
            f"{name} bevat {len(members)} bestanden; meer dan {limits.max_members} lezen we "
            "niet in."
        )
    for info in members:
        if _unsafe_name(info.filename):
            raise RecordFileError(
                f"{name} bevat een bestand met een onveilige naam ('{info.filename[:80]}'); "
                "namen met '..', een schijfletter of een pad vanaf de root weigeren we."
            )
        if info.file_size > limits.ratio_from and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise RecordFileError(
                f"{name} lijkt een zip-bom: '{info.filename[:80]}' wordt uitgepakt "
                f"{info.file_size // max(info.compress_size, 1)} keer zo groot; "
                f"meer dan {limits.max_ratio:g} keer weigeren we."
            )
        if info.file_size > limits.max_member_bytes:
            raise RecordFileError(
                f"{name} is te groot: '{info.filename[:80]}' wordt uitgepakt "
                f"{size_text(info.file_size)}, de grens is "
                f"{size_text(limits.max_member_bytes)}."
            )
    total = sum(info.file_size for info in members)
    if total > limits.max_total_bytes:
        raise RecordFileError(
            f"{name} is te groot: uitgepakt {size_text(total)}, de grens is "
            f"{size_text(limits.max_total_bytes)}."
        )
    return members


def check_xlsx(path: Path) -> None:
    """Refuse an XLSX whose parts (above all the shared strings) are too large to open."""
    for info in check_zip(path, XLSX, "XLSX-bestand"):
        if (
            info.filename.lower().endswith("sharedstrings.xml")
            and info.file_size > SHARED_STRINGS_BYTES
        ):
            raise RecordFileError(
                f"{Path(path).name} heeft te veel tekst in de gedeelde teksten "
                f"(sharedStrings.xml, {size_text(info.file_size)}, de grens is "
                f"{size_text(SHARED_STRINGS_BYTES)})."
            )


def check_ods(path: Path) -> None:
    """Refuse an ODS workbook (a zip, like XLSX) whose parts are too large to open."""
    check_zip(path, XLSX, "ODS-bestand")


# A JSON string (escapes included), written without nested repetition so it stays linear.
JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
NOT_BRACKET = re.compile(r"[^\[\]{}]+")
STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON text (strings are ignored).

    Runs on the raw text in C-speed passes, before any recursive parser touches it.
    """
    brackets = NOT_BRACKET.sub("", JSON_STRING.sub("", text))
    return max(accumulate(map(STEP.__getitem__, brackets)), default=0)


def check_json_depth(text: str, name: str) -> None:
    """Refuse JSON nested deeper than ``MAX_JSON_DEPTH``."""
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise RecordFileError(
            f"{name} is te diep genest ({depth} niveaus, de grens is {MAX_JSON_DEPTH}); "
            "een HSDS-bestand heeft maar een paar niveaus."
        )
