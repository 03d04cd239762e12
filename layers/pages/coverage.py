"""What the advisers' coverage page (/dekking) reads: the latest run and its results per area.

Everything comes from the published view ``laag_dekking`` (only finished runs) and
``analyse_run``. SPAR classes match the maps of ``sociale-kaart analyse``.
"""

from __future__ import annotations

import json
import math

import sqlalchemy as sa

from geo.dutch import number
from geo.spar_classes import SPAR_CLASSES

GROUPS = {"iedereen": "Iedereen", "ouderen": "Ouderen (65 jaar en ouder)"}
LEVELS = {"buurt": "Buurten", "wijk": "Wijken", "gemeente": "Gemeenten"}

LATEST_RUN_SQL = sa.text("""
SELECT id, gestart_op, klaar_op, vraagniveau, parameters, themas, gemeenten, meldingen
FROM analyse_run WHERE status = 'klaar' AND (CAST(:id AS bigint) IS NULL OR id = :id)
ORDER BY id DESC LIMIT 1
""")
THEMES_SQL = sa.text("""
SELECT t.slug, t.naam, t.afstand_m FROM thema t
WHERE EXISTS (SELECT 1 FROM analyse_resultaat r JOIN analyse_run ar ON ar.id = r.run_id
              WHERE ar.status = 'klaar' AND r.thema_slug = t.slug)
ORDER BY t.volgorde
""")
AREAS_SQL = sa.text("""
SELECT run_id, gebiedcode, naam, gemeentecode, inwoners, vraagniveau, capaciteit_basis,
       drempel_m, afstand_m, aantal_1km, aantal_3km, aantal_5km, pct_verder, spar,
       spar_klein, spar_groot, koude_plek, flagged, flag_level, redenen, zin, null_reden
FROM laag_dekking
WHERE actueel AND thema = :thema AND doelgroep = :doelgroep AND niveau = :niveau
ORDER BY spar ASC NULLS LAST, pct_verder DESC NULLS LAST, naam, gebiedcode
""")


def latest_run(conn: sa.Connection, run_id: int | None = None) -> dict | None:
    """The newest finished run (or run ``run_id``): id, dates, demand level, parameters."""
    row = conn.execute(LATEST_RUN_SQL, {"id": run_id}).mappings().first()
    return dict(row) if row else None


def coverage_themes(conn: sa.Connection) -> list[dict]:
    """Themes with at least one finished result: slug, naam, afstand_m (threshold)."""
    return [dict(r) for r in conn.execute(THEMES_SQL).mappings()]


def area_rows(conn: sa.Connection, thema: str, doelgroep: str, niveau: str) -> list[dict]:
    """Current results for one theme, target group and level, lowest SPAR first.

    Each row has the view's figures plus ``redenen`` as a list, ``redenen_tekst`` (plain
    Dutch, one line per reason) and ``klasse`` (index into :data:`SPAR_CLASSES` or None).
    """
    rows = []
    for r in conn.execute(
        AREAS_SQL, {"thema": thema, "doelgroep": doelgroep, "niveau": niveau}
    ).mappings():
        row = dict(r)
        row["redenen"] = json.loads(row["redenen"] or "[]")
        row["redenen_tekst"] = [reason_text(x) for x in row["redenen"]]
        row["klasse"] = spar_class(row["spar"])
        rows.append(row)
    return rows


def spar_class(spar: float | None) -> int | None:
    """Index of the SPAR class, None without a value."""
    if spar is None or not math.isfinite(spar):
        return None
    return next(i for i, (lo, hi, _, _) in enumerate(SPAR_CLASSES) if lo <= spar < hi)


def decimal(value: float | None, digits: int = 0) -> str:
    """Dutch number: comma as decimal sign, dot between thousands; '–' for no value."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return number(float(value), digits)


def reason_text(reason: dict) -> str:
    """One flag reason (``analyse_resultaat.redenen`` item) as a short Dutch line."""
    rule = str(reason.get("rule", ""))
    if rule.startswith("spar<"):
        return (
            f"Weinig aanbod per inwoner: SPAR {decimal(reason.get('value'), 2)}, onder de "
            f"grens {decimal(reason.get('threshold'), 2)}, in {reason.get('hits', '?')} "
            "van de 3 vanggebieden."
        )
    if rule.startswith("pct_verder>"):
        return (
            f"{decimal(reason.get('value'), 1)}% van de inwoners woont verder dan "
            f"{decimal((reason.get('drempel_m') or 0) / 1000, 1)} km (grens "
            f"{decimal(reason.get('threshold'), 0)}%)."
        )
    if rule == "koude_plek":
        return "Koude plek: de gebieden eromheen hebben ook weinig aanbod (statistisch getoetst)."
    if rule.startswith("inwoners<"):
        return (
            f"Te weinig inwoners ({decimal(reason.get('value'))}) voor een eigen oordeel "
            f"(minimaal {decimal(reason.get('threshold'))})."
        )
    return str(reason.get("zin") or rule)


# How distance weighs in, in words for advisers (never the internal function names).
DECAY_WORDS = {
    "gaussian_dai": "het gewicht neemt geleidelijk af, als een klokvorm",
    "binary": "binnen het vanggebied telt alles even zwaar, daarbuiten niets",
    "step": "het gewicht neemt in drie stappen af",
}


def method_lines(parameters: dict, thema: str | None = None) -> list[str]:
    """The run's method in plain Dutch, from ``analyse_run.parameters``."""
    lines = []
    if parameters.get("detour") is not None:
        lines.append(
            f"Afstand: afstand in rechte lijn × {decimal(parameters['detour'], 1)} (geen wegennet)."
        )
    drempel = (parameters.get("drempel_m") or {}).get(thema)
    vang = (parameters.get("vanggebieden_m") or {}).get(thema)
    if drempel:
        lines.append(f"Drempelafstand voor dit thema: {decimal(drempel / 1000, 1)} km.")
    if parameters.get("decay"):
        sizes = (
            f" Vanggebieden: {', '.join(decimal(v / 1000, 1) + ' km' for v in vang)}."
            if vang
            else ""
        )
        verval = DECAY_WORDS.get(parameters["decay"], "geleidelijk")
        lines.append(
            "Bereikbaarheid: aanbod per inwoner binnen bereik, met minder gewicht op "
            f"grotere afstand ({verval}). SPAR 1 is het gemiddelde van de regio."
            f"{sizes}"
        )
    rule = parameters.get("rule")
    uitleg = parameters.get("uitleg") or (rule.get("uitleg") if isinstance(rule, dict) else None)
    if isinstance(uitleg, str) and uitleg:
        lines.append(f"Regel voor een tekort: {uitleg}")
    elif isinstance(rule, dict) and "spar_matig" in rule:
        lines.append(
            f"Regel voor een tekort: SPAR onder {decimal(rule['spar_matig'], 2)} of meer dan "
            f"{decimal(rule['pct_verder'])}% van de inwoners verder dan de drempelafstand, in "
            f"minstens {rule['min_vanggebieden']} van de 3 vanggebieden, en minstens "
            f"{decimal(rule['min_inwoners'])} inwoners. Ernstig: SPAR onder "
            f"{decimal(rule['spar_ernstig'], 2)} of meer dan {decimal(rule['pct_ernstig'])}% "
            "verder."
        )
    if parameters.get("supply_buffer_m"):
        lines.append(
            f"Aanbod tot {decimal(parameters['supply_buffer_m'] / 1000)} km buiten "
            "het gebied telt mee."
        )
    return lines
