"""PDOK Locatieserver adapter against a local HTTP server replaying documented responses."""

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa

from geo.db import make_engine
from geo.geocode import geocode_address
from geo.pdok import Locatieserver, parse_point

MARKT = {
    "bron": "BAG",
    "type": "adres",
    "weergavenaam": "Markt 78, 6211CL Maastricht",
    "id": "adr-51d1f5ae8e5d9c2a7d0bde2b2c1a9a11",
    "postcode": "6211CL",
    "huisnummer": 78,
    "straatnaam": "Markt",
    "woonplaatsnaam": "Maastricht",
    "gemeentenaam": "Maastricht",
    "centroide_ll": "POINT(5.69061 50.85137)",
    "centroide_rd": "POINT(176420.5 317950.25)",
    "score": 23.890985,
}
POSTCODE = {
    "bron": "BAG",
    "type": "postcode",
    "weergavenaam": "Markt, 6211CL Maastricht",
    "id": "pcd-0f6f3a1c1b2e4d5f8a9b0c1d2e3f4a5b",
    "postcode": "6211CL",
    "centroide_rd": "POINT(176427.3 317936.9)",
    "score": 15.742893,
}
KEPT = ("id", "type", "weergavenaam", "centroide_rd")


def _solr(*docs) -> dict:
    """The Locatieserver v3.1 response envelope around ``docs``."""
    return {
        "response": {
            "numFound": len(docs),
            "start": 0,
            "maxScore": 23.890985,
            "numFoundExact": True,
            "docs": list(docs),
        }
    }


# q -> what the server does: a JSON body, or one of "500", "slow", "garbage".
REPLAY = {
    "6211CL 78": _solr(MARKT),
    "6211CL": _solr(POSTCODE),
    "Markt Maastricht 78A-2": _solr(MARKT),
    "6211CL 79": _solr(MARKT),  # the service returns a neighbour: not our address
    "6299ZZ 1": _solr(dict(MARKT, postcode="6211CM")),
    "1234AB 1": _solr(),
    "6211CL 500": "500",
    "6211CL 501": "slow",
    "6211CL 502": "garbage",
}


class Replay(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server API
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.server.requests.append((url.path, params))
        action = REPLAY.get(params.get("q"), _solr())
        if action == "slow":
            time.sleep(1.0)
        status, body = (
            (500, b"Internal Server Error")
            if action == "500"
            else (200, b"{not json" if action == "garbage" else json.dumps(action).encode())
        )
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up (timeout test)
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def pdok():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    server.daemon_threads = True
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def adapter(pdok):
    pdok.requests.clear()
    return Locatieserver(f"http://127.0.0.1:{pdok.server_port}/", timeout=0.3)


def _query(
    postcode=None, huisnummer=None, huisletter="", toevoeging="", straat=None, woonplaats=None
):
    return dict(
        postcode=postcode,
        huisnummer=huisnummer,
        huisletter=huisletter,
        toevoeging=toevoeging,
        straat=straat,
        woonplaats=woonplaats,
    )


def test_address_is_found_in_rd(adapter, pdok):
    answer = adapter(_query("6211CL", 78))
    assert answer == {
        "precisie": "adres",
        "x": 176420.5,
        "y": 317950.25,
        "antwoord": {k: MARKT[k] for k in KEPT},
    }
    assert pdok.requests == [("/free", {"q": "6211CL 78", "fq": "type:adres", "rows": "1"})]


def test_postcode_without_number_asks_for_type_postcode(adapter, pdok):
    answer = adapter(_query("6211 cl"))
    assert (answer["precisie"], answer["x"], answer["y"]) == ("pc6", 176427.3, 317936.9)
    assert pdok.requests == [("/free", {"q": "6211CL", "fq": "type:postcode", "rows": "1"})]


def test_street_and_place_with_letter_and_addition(adapter, pdok):
    answer = adapter(_query(None, 78, "A", "2", "Markt", "Maastricht"))
    assert answer["precisie"] == "adres"
    assert pdok.requests[0][1]["q"] == "Markt Maastricht 78A-2"


@pytest.mark.parametrize(
    "query,kept",
    [
        (_query("1234AB", 1), None),
        (_query("6211CL", 79), MARKT),
        (_query("6299ZZ", 1), dict(MARKT, postcode="6211CM")),
    ],
    ids=["no-docs", "other-number", "other-postcode"],
)
def test_no_match_is_a_miss(adapter, query, kept):
    expected = None if kept is None else {k: kept[k] for k in KEPT}
    assert adapter(query) == {"precisie": None, "x": None, "y": None, "antwoord": expected}


@pytest.mark.parametrize("number", [500, 501, 502], ids=["http-500", "timeout", "bad-json"])
def test_server_trouble_returns_none_and_warns(adapter, caplog, number):
    with caplog.at_level(logging.WARNING, logger="geo.pdok"):
        assert adapter(_query("6211CL", number)) is None
    assert "PDOK Locatieserver niet bereikbaar" in caplog.text


def test_unreachable_server_returns_none(caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with caplog.at_level(logging.WARNING, logger="geo.pdok"):
        assert Locatieserver(f"http://127.0.0.1:{port}", timeout=0.3)(_query("6211CL", 78)) is None
    assert "niet bereikbaar" in caplog.text


def test_nothing_to_search_sends_no_request(adapter, pdok):
    assert adapter(_query()) is None
    assert adapter(_query(None, 5, woonplaats="Maastricht")) is None
    assert pdok.requests == []


def test_parse_point():
    assert parse_point("POINT(176420.5 317950.25)") == (176420.5, 317950.25)
    assert parse_point(" POINT (1e5 3.5E5) ") == (100000.0, 350000.0)
    assert parse_point("POINT(1 2 3)") is None
    assert parse_point(None) is None


def test_geocode_address_uses_the_adapter_once_then_the_cache(fresh_url, adapter, pdok):
    engine = make_engine(fresh_url)  # empty gazetteers, no gemeenten: only online can answer
    try:
        first = geocode_address(engine, "6211CL", 78, online=adapter)
        second = geocode_address(engine, "6211CL", 78, online=adapter)
        assert first == second
        assert (first["x"], first["y"], first["precisie"], first["bron"]) == (
            176420.5,
            317950.25,
            "adres",
            "PDOK Locatieserver",
        )
        assert len(pdok.requests) == 1
        assert geocode_address(engine, "6211CL", 500, online=adapter) is None
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM geocode_cache")).scalar() == 1
    finally:
        engine.dispose()
