"""Opening hours of a service: open now (Europe/Amsterdam wall-clock time) and the week as rows.

``aanbod.openingstijden`` is ``{"dagen": {"ma": [["09:00", "17:00"]], ...}, "op_afspraak":
bool, "tekst": str}``; these functions never touch the database.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
DAY_NAMES = dict(
    zip(
        DAYS,
        ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        strict=True,
    )
)


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _open_in(ranges, minute: int, overnight_only: bool = False) -> bool:
    """Whether ``minute`` falls in one of ``ranges``.

    A range ending before it starts runs past midnight; with ``overnight_only`` only that
    after-midnight part counts.
    """
    for start, end in ranges or ():
        opens, closes = _minutes(start), _minutes(end)
        if overnight_only:
            if closes <= opens and minute < closes:
                return True
        elif opens <= minute < closes or (closes <= opens and minute >= opens):
            return True
    return False


def open_now(openingstijden: dict | None, moment: datetime) -> bool | None:
    """Whether a service is open at ``moment`` (Europe/Amsterdam wall-clock time).

    Parameters
    ----------
    openingstijden : dict or None
        ``{"dagen": {"ma": [["09:00", "17:00"]], ...}, "op_afspraak": bool, "tekst": str}``.
        A range is open from its start up to (not including) its end; ``"24:00"`` is
        midnight; an end before the start runs past midnight.
    moment : datetime
        Aware datetimes are converted to Amsterdam time; naive ones are taken as such.

    Returns
    -------
    bool or None
        None when there are no day hours to go by (unknown, or by appointment only).
    """
    days = (openingstijden or {}).get("dagen") or {}
    if not any(days.values()):
        return None
    local = moment.astimezone(AMSTERDAM) if moment.tzinfo else moment
    minute, weekday = local.hour * 60 + local.minute, local.weekday()
    try:
        return _open_in(days.get(DAYS[weekday]), minute) or _open_in(
            days.get(DAYS[weekday - 1]), minute, overnight_only=True
        )
    except (ValueError, TypeError, AttributeError):
        return None


def opening_rows(openingstijden: dict | None, moment: datetime | None = None) -> list[dict]:
    """One row per weekday; an empty list when there are no day hours.

    Each row is ``{"dag": "maandag", "tijden": "09:00 tot 17:00" or "gesloten",
    "vandaag": bool}``.
    """
    days = (openingstijden or {}).get("dagen") or {}
    if not any(days.values()):
        return []
    today = DAYS[moment.astimezone(AMSTERDAM).weekday()] if moment else None
    return [
        {
            "dag": DAY_NAMES[day],
            "tijden": " en ".join(f"{s} tot {e}" for s, e in days.get(day) or ()) or "gesloten",
            "vandaag": day == today,
        }
        for day in DAYS
    ]
