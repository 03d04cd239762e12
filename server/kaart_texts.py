"""The texts of the residents' map scripts in the page's language (kaart*.js, basiskaart.js).

The map element carries them as JSON (``data-teksten``); the
scripts look them up by key and fill in ``{name}`` values. Dutch is the source text.
"""

from __future__ import annotations

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale
from flask_babel import gettext as _


def map_texts() -> dict:
    """Every text the map's scripts show, translated for the current request."""
    return {
        "gecontroleerd": _("Gecontroleerd op {datum}."),
        "niet_gecontroleerd": _("Nog niet gecontroleerd."),
        "verouderd": _(
            "Mogelijk verouderd: deze gegevens zijn langer dan {maanden} maanden niet "
            "gecontroleerd."
        ),
        "nu_open": _("Nu open"),
        "nu_gesloten": _("Nu gesloten"),
        "gesloten_afspraak": _("Nu gesloten, ook op afspraak"),
        "op_afspraak": _("Op afspraak"),
        "plek_fout": _("Deze plek kunnen we nu niet laden. Probeer het later opnieuw."),
        "organisaties": _("{n} organisaties op deze plek:"),
        "bel": _("Bel"),
        "benadering": _("Plek op de kaart is bij benadering ({precisie})."),
        "precisie": {"pc6": _("op postcode"), "pc4": _("op postcodegebied")},
        "verzonnen": _("Verzonnen voorbeeld voor de demo."),
        "probeer": _("Probeer dit"),
        "bedoelt_u": _("Bedoelt u"),
        "niets": _("We vonden niets. Probeer een ander woord of een grotere plaats."),
        "gevonden_1": _("We vonden {n} plek."),
        "gevonden": _("We vonden {n} plekken."),
        "eerste": _("De eerste {n} staan hieronder."),
        "decimaal": get_decimal_symbol(get_locale() or "nl"),
        "bezig": _("Even zoeken…"),
        "zoeken_fout": _("Zoeken lukt nu niet. Probeer het later opnieuw."),
        "groep": _("{n} plekken bij elkaar: zoom in"),
        "plek": _("Plek"),
        "diensten": _("({n} diensten)"),
        "kaart_toetsen": _(
            "Kaart. Schuif met de pijltjestoetsen, zoom met + en -, open de plek in het "
            "midden met Enter."
        ),
        "buurt_klik": _("U klikte in buurt {naam}."),
        "punten_fout": _("De plekken op de kaart laden lukt nu niet. Probeer het later opnieuw."),
        "bron": _("Bron: CBS / Kadaster; © OpenStreetMap-bijdragers"),
        "maanden": [
            _("januari"),
            _("februari"),
            _("maart"),
            _("april"),
            _("mei"),
            _("juni"),
            _("juli"),
            _("augustus"),
            _("september"),
            _("oktober"),
            _("november"),
            _("december"),
        ],
        "maplibre": maplibre_texts(),
    }


def maplibre_texts() -> dict:
    """MapLibre GL JS's own control labels (its ``locale`` option)."""
    return {
        "AttributionControl.ToggleAttribution": _("Bronnen van de kaart tonen of verbergen"),
        "AttributionControl.MapFeedback": _("Meld een fout in de kaart"),
        "FullscreenControl.Enter": _("Kaart schermvullend"),
        "FullscreenControl.Exit": _("Kaart niet meer schermvullend"),
        "GeolocateControl.FindMyLocation": _("Toon waar ik ben"),
        "GeolocateControl.LocationNotAvailable": _("Uw plek is niet bekend"),
        "LogoControl.Title": _("MapLibre-logo"),
        "Map.Title": _("Kaart. Schuif met de pijltjestoetsen, zoom met + en -."),
        "Marker.Title": _("Plek op de kaart"),
        "NavigationControl.ResetBearing": _("Draai de kaart terug met het noorden boven"),
        "NavigationControl.ZoomIn": _("Inzoomen"),
        "NavigationControl.ZoomOut": _("Uitzoomen"),
        "Popup.Close": _("Sluiten"),
        "ScaleControl.Meters": "m",
        "ScaleControl.Kilometers": "km",
        "CooperativeGesturesHandler.WindowsHelpText": _(
            "Gebruik Ctrl + scrollen om in of uit te zoomen"
        ),
        "CooperativeGesturesHandler.MacHelpText": _("Gebruik ⌘ + scrollen om in of uit te zoomen"),
        "CooperativeGesturesHandler.MobileHelpText": _(
            "Gebruik twee vingers om de kaart te verschuiven"
        ),
    }
