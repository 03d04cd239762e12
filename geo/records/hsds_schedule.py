"""HSDS schedules (RRULE-style ``byday``, ``opens_at``/``closes_at``) <-> our opening hours.

Our opening hours (``aanbod.openingstijden``) are ``{"dagen": {"ma": [["09:00", "17:00"]]},
"op_afspraak": false, "tekst": "..."}``. Weekly schedules become days and times; a schedule
that cannot be read as weekly times (monthly rules, no times) keeps its free text. The HSDS
schedules themselves are kept whole with the record (validity, notes, attending type).
"""

from __future__ import annotations

import re

from geo.records import fields as f

DAY_CODES = dict(zip(f.DAYS, ("MO", "TU", "WE", "TH", "FR", "SA", "SU"), strict=True))
CODE_DAYS = {v: k for k, v in DAY_CODES.items()}
TIME = re.compile(r"^([01]?\d|2[0-4]):?([0-5]\d)(?::?[0-5]\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?$")


def clock(value) -> str | None:
    """``10:00:00``, ``10:00``, ``1000`` -> ``10:00``; None when it is no time of day."""
    match = TIME.match(str(value or "").strip())
    if not match:
        return None
    return f"{int(match[1]):02d}:{match[2]}"


def weekdays(byday) -> list[str] | None:
    """``TH,FR`` -> ``["do", "vr"]``; None when a part is no plain weekday (``1MO``)."""
    codes = [c.strip().upper() for c in str(byday or "").split(",") if c.strip()]
    if not codes or any(c not in CODE_DAYS for c in codes):
        return None
    return [CODE_DAYS[c] for c in codes]


def _day_text(days: list[str]) -> str:
    ordered = [d for d in f.DAYS if d in days]
    indexes = [f.DAYS.index(d) for d in ordered]
    if len(ordered) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{ordered[0]}-{ordered[-1]}"
    return ", ".join(ordered)


def _weekly(schedule: dict, days: dict[str, list[list[str]]]) -> str | None:
    """Add a weekly schedule's days and times to ``days``; its Dutch notation, or None."""
    opens, closes = clock(schedule.get("opens_at")), clock(schedule.get("closes_at"))
    names = weekdays(schedule.get("byday"))
    weekly = str(schedule.get("freq") or "WEEKLY").upper() == "WEEKLY"
    if not (weekly and names and opens and closes and opens < closes):
        return None
    for name in names:
        if [opens, closes] not in days.setdefault(name, []):
            days[name].append([opens, closes])
    return f"{_day_text(names)} {opens}-{closes}"


def opening_hours(schedules: list[dict]) -> dict | None:
    """Our opening hours from HSDS schedules; None when there are none.

    ``tekst`` holds the weekly times in Dutch notation (``do, vr 10:00-18:00``) followed by
    the schedules' free-text descriptions, so nothing said in the file is lost.
    """
    if not schedules:
        return None
    days: dict[str, list[list[str]]] = {}
    parts: list[str] = []
    texts: list[str] = []
    for schedule in schedules:
        part = _weekly(schedule, days)
        if part:
            parts.append(part)
        description = " ".join(str(schedule.get("description") or "").split())
        if description and description not in texts:
            texts.append(description)
    ordered = {d: sorted(days[d]) for d in f.DAYS if d in days}
    if len(texts) == 1:
        try:
            parsed = f.opening_hours(texts[0])  # the times written out (our own export)
        except f.FieldError:
            parsed = None
        if parsed is not None and (parsed["dagen"] == ordered or not ordered):
            return parsed
    text = "; ".join(dict.fromkeys(parts))
    if texts:
        text = f"{text}. {' '.join(texts)}" if text else " ".join(texts)
    return {"dagen": ordered, "op_afspraak": False, "tekst": text}


def schedules_from_hours(service_id: str, hours: dict, make_id) -> list[dict]:
    """HSDS schedules (one per day and time range) for our opening hours.

    ``make_id(suffix)`` gives the schedule ids. Hours without days and times give one
    schedule holding the text.
    """
    text = str(hours.get("tekst") or "")
    out = [
        {
            "id": make_id(f"{day}{i}"),
            "service_id": service_id,
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": DAY_CODES[day],
            "opens_at": opens,
            "closes_at": closes,
            "description": text,
        }
        for day, ranges in (hours.get("dagen") or {}).items()
        if day in DAY_CODES
        for i, (opens, closes) in enumerate(ranges)
    ]
    if not out and text:
        out = [{"id": make_id("tekst"), "service_id": service_id, "description": text}]
    return out
