"""Search in one box: ``/api/zoeken`` (JSON for the map) and ``/lijst`` (an HTML list).

``/lijst`` is the same search as a server-rendered list that works without JavaScript.
Both take the map's parameters:
``q``, ``thema``, ``doelgroep``, ``gebied``, ``dichtbij``, ``afstand`` (km around the
``dichtbij`` point, default 3), ``limit`` and ``offset``.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, jsonify, render_template, request, url_for

from geo.taxonomy import groups, themes
from layers.errors import InvalidParameter
from layers.pages.area_names import area_choices
from layers.pages.search import DEFAULT_DISTANCE_KM, SearchQuery, SearchResult, search
from server.catalog import current_visibility
from server.database import get_engine
from server.form_messages import form_message, suggestion
from server.i18n import distance, long_date, number, translated
from server.i18n import gettext as _
from server.responses import HTML, JSON, absolute, link

bp = Blueprint("zoeken", __name__)

PARAMS = ("q", "thema", "doelgroep", "gebied", "dichtbij", "afstand")
ALLOWED = {*PARAMS, "limit", "offset", "_"}
API_LIMIT, LIST_LIMIT, MAX_LIMIT = 50, 20, 200


def _number(name: str, minimum: int, default: int) -> int:
    raw = request.args.get(name, "").strip()
    if raw == "":
        return default
    if not re.fullmatch(r"\d{1,9}", raw) or int(raw) < minimum:
        raise InvalidParameter(f"{name} moet een heel getal zijn, vanaf {minimum}.")
    return int(raw)


def distance_km(raw: str | None) -> float:
    """The ``afstand`` parameter: km around the "dichtbij" point (0.1 to 50, default 3)."""
    if raw is None:
        return DEFAULT_DISTANCE_KM
    valid = re.fullmatch(r"\d{1,2}([.,]\d{1,2})?", raw)
    if not valid or not 0.1 <= float(raw.replace(",", ".")) <= 50:
        raise InvalidParameter("afstand moet een aantal kilometers zijn, van 0,1 tot 50.")
    return float(raw.replace(",", "."))


def _search_query(default_limit: int) -> SearchQuery:
    """The request's parameters, checked: unknown ones and bad numbers are a 400."""
    unknown = sorted(set(request.args) - ALLOWED)
    if unknown:
        raise InvalidParameter(
            f"Onbekende parameter: {', '.join(unknown)}. "
            f"Gebruik {', '.join(PARAMS)}, limit of offset."
        )
    value = {k: (request.args.get(k) or "").strip() or None for k in PARAMS}
    return SearchQuery(
        tekst=value["q"],
        thema=value["thema"],
        doelgroep=value["doelgroep"],
        gebied=value["gebied"],
        dichtbij=value["dichtbij"],
        afstand_km=distance_km(value["afstand"]),
        limit=min(_number("limit", 1, default_limit), MAX_LIMIT),
        offset=_number("offset", 0, 0),
        visibility=current_visibility(),
        client=_client(),
    )


def _client() -> str:
    """What tells searchers apart for the demand signal.

    Hashed with a daily salt in the database and never stored (a rule of the signal, see
    README).
    """
    return f"{request.remote_addr or ''}|{request.headers.get('User-Agent', '')[:200]}"


def _params(**replace) -> dict:
    """The search parameters of this request (non-empty ones) with replacements."""
    kept = {k: v for k in (*PARAMS, "limit") if (v := request.args.get(k, "").strip())}
    kept.update(replace)
    return {k: v for k, v in kept.items() if v not in (None, "", 0)}


def _page(query: SearchQuery, offset: int | None) -> dict:
    """Parameters of another page of this search (the limit as used, after clamping)."""
    limit = query.limit if "limit" in request.args else None
    return _params(limit=limit, offset=offset)


def _paging(query: SearchQuery, total: int) -> dict:
    """Offsets of the previous and next page (None when there is none)."""
    return {
        "prev": max(query.offset - query.limit, 0) if query.offset > 0 else None,
        "next": query.offset + query.limit if query.offset + query.limit < total else None,
    }


def _links(query: SearchQuery, result: SearchResult) -> list[dict]:
    path = "/api/zoeken"
    out = [
        link("self", absolute(path, _page(query, query.offset)), JSON, "Deze pagina"),
        link(
            "alternate",
            absolute("/lijst", _page(query, query.offset)),
            HTML,
            "Als lijst (webpagina)",
        ),
    ]
    pages = _paging(query, result.total)
    if pages["next"] is not None:
        out.append(
            link("next", absolute(path, _page(query, pages["next"])), JSON, "Volgende pagina")
        )
    if pages["prev"] is not None:
        out.append(link("prev", absolute(path, _page(query, pages["prev"])), JSON, "Vorige pagina"))
    return out


@bp.get("/api/zoeken")
def api():
    """The search as JSON for the map: results, area, nearby point, message and links."""
    query = _search_query(API_LIMIT)
    with get_engine().begin() as conn:  # begin: a search without results is counted
        result = search(conn, query)
    return jsonify(
        {
            "total": result.total,
            "items": result.items,
            "gebied": result.gebied,
            "dichtbij": result.dichtbij,
            "melding": form_message(result.melding) or None,
            "suggesties": [suggestion(s) for s in result.suggesties],
            "links": _links(query, result),
        }
    )


@bp.get("/api/zoeken/gebieden")
def gebieden():
    """Names for the Waar field while typing (the map fills a datalist with them)."""
    with get_engine().connect() as conn:
        response = jsonify({"namen": area_choices(conn)})
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


# ---------------------------------------------------------------------- the list page
def _dutch_date(value: str | None) -> str | None:
    return long_date(date.fromisoformat(value)) if value else None


def _distance(metres: int | None) -> str | None:
    return None if metres is None else distance(metres)


def _address(item: dict) -> str:
    postcode = item.get("postcode") or ""
    if len(postcode) == 6:
        postcode = f"{postcode[:4]} {postcode[4:]}"
    street = " ".join(p for p in (item.get("straat"), item.get("huisnummer")) if p)
    town = " ".join(p for p in (postcode, item.get("plaats")) if p)
    return ", ".join(p for p in (street, town) if p)


def _display(item: dict, theme_names: dict) -> dict:
    """What the template shows of one result, already in words."""
    phone = item.get("telefoon") or ""
    return {
        **item,
        "thema_namen": [theme_names.get(s, s) for s in item["thema"]],
        "adres": _address(item),
        "tel": "tel:" + re.sub(r"[^\d+]", "", phone) if re.search(r"\d", phone) else None,
        "afstand": _distance(item.get("afstand_m")),
        "gecontroleerd": _dutch_date(item.get("laatst_geverifieerd_op")),
    }


def _where(gebied: dict | None) -> str | None:
    if gebied is None:
        return None
    if gebied["niveau"] in ("wijk", "buurt"):
        return f"{gebied['naam']} ({gebied['gemeente']})"
    return gebied["naam"]


def _summary(result: SearchResult) -> str:
    """'We vonden 12 plekken in Heerlen.' (B1)."""
    waar = _where(result.gebied)
    if result.total == 0:
        return (
            _("We vonden geen plekken in %(waar)s.", waar=waar)
            if waar
            else _("We vonden geen plekken.")
        )
    n = number(result.total)
    if result.total == 1:
        text = _("We vonden 1 plek in %(waar)s.", waar=waar) if waar else _("We vonden 1 plek.")
    else:
        text = (
            _("We vonden %(n)s plekken in %(waar)s.", n=n, waar=waar)
            if waar
            else _("We vonden %(n)s plekken.", n=n)
        )
    if result.dichtbij and result.total:
        km = result.dichtbij.get("afstand_km")
        label = result.dichtbij["label"]
        if km:
            km_text = number(km, 0 if km == int(km) else 1)
            text += " " + _(
                "Dit zijn de plekken tot %(km)s km van %(adres)s, de dichtste bovenaan.",
                km=km_text,
                adres=label,
            )
        else:
            text += " " + _("Dit zijn de plekken van %(adres)s, de dichtste bovenaan.", adres=label)
    return text


def _suggestion_links(result: SearchResult | None) -> list[dict]:
    """The suggestions of a search that found nothing, each with its /lijst URL."""
    if result is None:
        return []
    return [
        suggestion(s) | {"url": url_for("zoeken.lijst", **s["params"])} for s in result.suggesties
    ]


def _render_list(
    query: SearchQuery | None,
    result: SearchResult | None,
    taxonomy: tuple,
    fout: str | None = None,
):
    theme_names = {t["slug"]: t["naam"] for t in taxonomy[0]}
    vorige = volgende = None
    if query and result:
        pages = _paging(query, result.total)
        if pages["prev"] is not None:
            vorige = url_for("zoeken.lijst", **_page(query, pages["prev"]))
        if pages["next"] is not None:
            volgende = url_for("zoeken.lijst", **_page(query, pages["next"]))
    map_params = {k: v for k, v in _params().items() if k in PARAMS}
    return render_template(
        "lijst.html",
        args={k: request.args.get(k, "") for k in PARAMS},
        themes=taxonomy[0],
        groups=taxonomy[1],
        gebied_namen=taxonomy[2],
        result=result,
        fout=fout,
        items=[_display(i, theme_names) for i in result.items] if result else [],
        samenvatting=_summary(result) if result else None,
        suggesties=_suggestion_links(result),
        melding=form_message(result.melding) if result else None,
        geteld=bool(
            result
            and result.total == 0
            and request.args.get("q", "").strip()
            and (result.gebied or not request.args.get("gebied", "").strip())
        ),
        offset=query.offset if query else 0,
        limit=query.limit if query else LIST_LIMIT,
        vorige=vorige,
        volgende=volgende,
        kaart_url="/" + ("?" + urlencode(map_params) if map_params else ""),
    )


@bp.get("/lijst")
def lijst():
    """The search as an HTML list that works without JavaScript (400 on bad input)."""
    with get_engine().begin() as conn:
        taxonomy = (translated(themes(conn)), translated(groups(conn)), area_choices(conn))
        try:
            query = _search_query(LIST_LIMIT)
            result = search(conn, query)
        except InvalidParameter as exc:
            return _render_list(None, None, taxonomy, fout=str(exc)), 400
    return _render_list(query, result, taxonomy)
