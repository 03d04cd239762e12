r"""One guard in front of every route: control characters and broken text are a 400.

PostgreSQL refuses a NUL byte in text, so a ``%00`` anywhere used to reach the database
and come back as a 500. The rules, checked before any view runs:

* **Path and query string** (names and values): no C0 control character (``\x00``–``\x1f``)
  and no DEL (``\x7f``), whether sent raw or percent-encoded. No parameter of ours needs a
  tab or a newline.
* **Form fields** (``application/x-www-form-urlencoded`` / ``multipart/form-data``): the
  same, except tab, newline and carriage return, which a multi-line text box legitimately
  sends ("meld een fout").
* **Text must be UTF-8** (path and query string): a percent-encoded byte sequence that
  is not valid UTF-8 (``%ff``) is a 400, instead of being silently replaced by U+FFFD.
  A ``%`` that is not followed by two hex digits is not an encoding at all and is kept as a
  literal ``%`` (browsers and curl send such addresses; Werkzeug keeps them as they are).

The answer is ``application/problem+json`` with a Dutch (B1) ``detail``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, request

from server.responses import problem

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
FORM_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, LF and CR allowed
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

CONTROL_DETAIL = (
    "{where} bevat een verboden teken (een stuurteken, zoals %00 of een "
    "regelovergang). Haal dat teken weg en probeer het opnieuw."
)
UTF8_DETAIL = (
    "{where} bevat tekens die wij niet kunnen lezen (geen geldige UTF-8). "
    "Controleer het adres en probeer het opnieuw."
)


def _bad_request(detail: str) -> Response:
    return problem(400, "Bad Request", detail)


def _raw_path() -> bytes | None:
    """The path as the client sent it, percent-decoded to bytes; None if unknown.

    Servers put the undecoded request target in ``RAW_URI`` (gunicorn) or ``REQUEST_URI``
    (Werkzeug, uWSGI, mod_wsgi); ``PATH_INFO`` may already have replaced broken UTF-8.
    """
    environ = request.environ
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    try:
        if target:
            return unquote_to_bytes(target.partition("?")[0].encode("latin-1"))
        return environ.get("PATH_INFO", "").encode("latin-1")
    except UnicodeEncodeError:  # not a WSGI string: Werkzeug's own decoding is all we have
        return None


def _query_problem() -> str | None:
    raw = request.query_string
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        name_bytes = unquote_to_bytes(name.replace(b"+", b" "))
        label = "De parameter '" + name_bytes.decode("utf-8", "replace") + "'"
        label = CONTROL.sub("?", label)
        try:
            name_text = name_bytes.decode("utf-8")
            value_text = unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return UTF8_DETAIL.format(where=label)
        if CONTROL.search(name_text):
            return CONTROL_DETAIL.format(where="De naam van een parameter")
        if CONTROL.search(value_text):
            return CONTROL_DETAIL.format(where=label)
    return None


def _path_problem() -> str | None:
    raw = _raw_path()
    if raw is not None:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return UTF8_DETAIL.format(where="Het adres")
    if CONTROL.search(request.path) or (raw is not None and CONTROL.search(raw.decode("latin-1"))):
        return CONTROL_DETAIL.format(where="Het adres")
    return None


def _form_problem() -> str | None:
    if request.mimetype not in FORM_TYPES:
        return None
    for name, value in request.form.items(multi=True):
        if CONTROL.search(name):
            return CONTROL_DETAIL.format(where="De naam van een formulierveld")
        if FORM_CONTROL.search(value):
            return CONTROL_DETAIL.format(where=f"Het formulierveld '{name}'")
    return None


def check_input() -> Response | None:
    """``before_request``: a 400 problem for control characters or broken UTF-8, else None."""
    detail = _path_problem() or _query_problem() or _form_problem()
    return _bad_request(detail) if detail else None


def register_input_guard(app: Flask) -> None:
    """Run :func:`check_input` before every request of ``app``."""
    app.before_request(check_input)
