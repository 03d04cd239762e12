"""gzip by ISA-L (server/gzip_fast.py) over real HTTP: the same body, ETag and 304 rules as
Flask-Compress, and the other encodings still Flask-Compress's."""

import gzip
import http.client
import json
from urllib.parse import urlsplit

import pytest

ITEMS = "/ogc/collections/voorzieningen/items?f=json&limit=1000"


def _get(base: str, path: str, headers: dict) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(urlsplit(base).netloc, timeout=60)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


def test_gzip_body_is_the_plain_body(demo_server):
    plain = _get(demo_server, ITEMS, {"Accept-Encoding": "identity"})
    packed = _get(demo_server, ITEMS, {"Accept-Encoding": "gzip"})
    assert plain.getheader("Content-Encoding") is None
    assert packed.getheader("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in packed.getheader("Vary")
    assert int(packed.getheader("Content-Length")) == len(packed.body) < len(plain.body) / 3
    unpacked = json.loads(gzip.decompress(packed.body))
    expected = json.loads(plain.body)
    assert unpacked["numberMatched"] == expected["numberMatched"] > 1000
    assert unpacked["features"] == expected["features"]


def test_gzip_etag_and_not_modified(demo_server):
    first = _get(demo_server, ITEMS, {"Accept-Encoding": "gzip"})
    etag = first.getheader("ETag")
    assert etag.endswith(':gzip"')
    again = _get(demo_server, ITEMS, {"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    plain = _get(demo_server, ITEMS, {"Accept-Encoding": "identity", "If-None-Match": etag})
    assert plain.status == 200  # another body, another ETag


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [("gzip, deflate, br, zstd", "zstd"), ("br, gzip;q=0.5", "br"), ("deflate", "deflate")],
)
def test_other_encodings_stay_with_flask_compress(demo_server, accept, encoding):
    response = _get(demo_server, ITEMS, {"Accept-Encoding": accept})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == encoding


def test_small_and_error_responses_are_not_packed(demo_server):
    missing = _get(demo_server, "/ogc/collections/bestaat-niet/items", {"Accept-Encoding": "gzip"})
    assert missing.status == 404
    assert missing.getheader("Content-Encoding") is None
