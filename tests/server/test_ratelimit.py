"""Rate limits: counters in PostgreSQL shared by every worker, 429 with Retry-After."""

import re
import time
import uuid
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_limiter.errors import RateLimitExceeded
from limits import RateLimitItemPerSecond, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from server import create_app
from server.ratelimit import PostgresStorage, _limit_text
from tests.conftest import url_string

SECRET = "gedeeld-geheim-van-alle-workers"


@pytest.fixture(autouse=True)
def _no_counts(demo_engine):
    with demo_engine.begin() as conn:
        conn.execute(sa.text("SELECT limiet_wissen(NULL)"))


def _app(demo_url, **config):
    return create_app(
        {"DATABASE_URL": url_string(demo_url), "TESTING": True, "SECRET_KEY": SECRET, **config}
    )


def _org_id(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT id FROM organisatie WHERE zichtbaarheid = 'openbaar' "
                "AND status = 'gepubliceerd' ORDER BY id LIMIT 1"
            )
        ).scalar_one()


def _token(client, org_id: int) -> str:
    page = client.get(f"/organisatie/{org_id}").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def _stored(engine, marker: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT count(*) FROM melding WHERE tekst LIKE :m"), {"m": f"%{marker}%"}
        ).scalar_one()


class _Poster:
    """One browser: its own session and form token, posting "meld een fout"."""

    def __init__(self, app, org_id, remote_addr="192.0.2.10", headers=None):
        self.client, self.org_id = app.test_client(), org_id
        self.environ = {"REMOTE_ADDR": remote_addr}
        self.headers = headers or {}
        page = self.client.get(f"/organisatie/{org_id}", environ_overrides=self.environ)
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]

    def post(self, tekst: str, **headers):
        return self.client.post(
            f"/organisatie/{self.org_id}/melding",
            data={"csrf_token": self.token, "tekst": tekst},
            environ_overrides=self.environ,
            headers={**self.headers, **headers},
        )


# ------------------------------------------------------------------------ the messages
@pytest.mark.parametrize(
    ("setting", "text"),
    [
        ("5 per minute", "5 per minuut"),
        ("20 per day", "20 per dag"),
        ("3 per 1 hours", "3 per uur"),
        ("1 per second", "1 per seconde"),
        ("10 per 10 minutes", "10 per 10 minuten"),
    ],
)
def test_the_limit_is_named_in_dutch(setting, text):
    # flask-limiter's own description is English ("3 per 1 hours"); the 429 detail uses this
    hit = RateLimitExceeded(SimpleNamespace(limit=parse(setting), error_message=None))
    assert _limit_text(hit) == text


# ------------------------------------------------------------------------- the storage
def test_storage_counts_expires_and_clears(demo_engine):
    storage = storage_from_string("sociale-kaart://", engine=lambda: demo_engine)
    assert isinstance(storage, PostgresStorage) and storage.check()
    key = f"test/{uuid.uuid4().hex}"
    assert storage.get(key) == 0
    assert storage.get_expiry(key) == pytest.approx(time.time(), abs=2)
    assert [storage.incr(key, 1) for _ in range(3)] == [1, 2, 3]
    assert storage.incr(key, 1, amount=4) == 7
    assert storage.get(key) == 7
    assert time.time() < storage.get_expiry(key) <= time.time() + 1.5
    time.sleep(1.2)  # the window has passed: a new one starts
    assert storage.get(key) == 0
    assert storage.incr(key, 60) == 1
    storage.clear(key)
    assert storage.get(key) == 0
    other = f"test/{uuid.uuid4().hex}"
    storage.incr(key, 60)
    storage.incr(other, 60)
    storage.reset()
    assert storage.get(key) == storage.get(other) == 0


def test_storage_works_with_the_fixed_window_strategy(demo_engine):
    limiter = FixedWindowRateLimiter(
        storage_from_string("sociale-kaart://", engine=lambda: demo_engine)
    )
    item, who = parse("3 per minute"), uuid.uuid4().hex
    assert [limiter.hit(item, who) for _ in range(5)] == [True, True, True, False, False]
    assert not limiter.test(item, who)
    reset, remaining = limiter.get_window_stats(item, who)
    assert remaining == 0 and 50 < reset - time.time() <= 61
    assert limiter.hit(item, uuid.uuid4().hex)  # another client has its own count
    second = RateLimitItemPerSecond(1)
    assert limiter.hit(second, who) and not limiter.hit(second, who)


def test_storage_errors_are_its_base_exceptions():
    storage = storage_from_string(
        "sociale-kaart://",
        engine=lambda: sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"),
    )
    assert storage.check() is False
    with pytest.raises(storage.base_exceptions):
        storage.incr("x", 60)


# ---------------------------------------------------------------------- over HTTP
def test_one_client_posting_200_times_gets_429_after_5(demo_app, demo_engine):
    org_id = _org_id(demo_engine)
    poster = _Poster(demo_app, org_id)
    marker = uuid.uuid4().hex
    statuses = [poster.post(f"Fout nummer {i} {marker}").status_code for i in range(200)]
    assert statuses[:5] == [303] * 5
    assert statuses[5:] == [429] * 195
    assert _stored(demo_engine, marker) == 5  # a refused post stores nothing
    response = poster.post(f"Nog een {marker}")
    assert response.status_code == 429 and response.mimetype == "text/html"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    page = response.get_data(as_text=True)
    assert "Even wachten" in page and "Er is niets opgeslagen" in page
    assert marker not in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    # another address is not affected; nor are GET pages for this one
    assert _Poster(demo_app, org_id, "192.0.2.11").post(f"Ander {marker}").status_code == 303
    assert (
        poster.client.get(f"/organisatie/{org_id}", environ_overrides=poster.environ).status_code
        == 200
    )


def test_two_workers_share_the_counters(demo_url, demo_engine):
    """Two app instances (as two gunicorn workers) on one database count together."""
    first, second = _app(demo_url), _app(demo_url)
    org_id = _org_id(demo_engine)
    a, b = _Poster(first, org_id), _Poster(second, org_id)
    marker = uuid.uuid4().hex
    assert [a.post(f"a{i} {marker}").status_code for i in range(3)] == [303] * 3
    assert [b.post(f"b{i} {marker}").status_code for i in range(2)] == [303] * 2
    assert b.post(f"b3 {marker}").status_code == 429
    assert a.post(f"a4 {marker}").status_code == 429
    assert _stored(demo_engine, marker) == 5


def test_day_limit_and_its_retry_after(demo_url, demo_engine):
    app = _app(demo_url, RATELIMIT_MELDING="100 per minute;3 per day")
    poster = _Poster(app, _org_id(demo_engine))
    marker = uuid.uuid4().hex
    assert [poster.post(f"{i} {marker}").status_code for i in range(4)] == [303] * 3 + [429]
    response = poster.post(f"x {marker}")
    assert 23 * 3600 < int(response.headers["Retry-After"]) <= 24 * 3600
    assert "uur" in response.get_data(as_text=True)


def test_counters_hold_no_ip_addresses(demo_app, demo_engine):
    _Poster(demo_app, _org_id(demo_engine), "198.51.100.77").post("geen ip")
    with demo_engine.connect() as conn:
        keys = list(conn.execute(sa.text("SELECT sleutel FROM limiet_teller")).scalars())
    assert keys and all("198.51.100" not in k for k in keys)


def test_ipv6_clients_count_per_64_network(demo_app, demo_engine):
    org_id = _org_id(demo_engine)
    statuses = [
        _Poster(demo_app, org_id, f"2001:db8:1:2::{i:x}").post(f"v6 {i}").status_code
        for i in range(1, 8)
    ]
    assert statuses == [303] * 5 + [429] * 2
    assert _Poster(demo_app, org_id, "2001:db8:1:3::1").post("ander net").status_code == 303


def test_forwarded_for_counts_only_behind_a_trusted_proxy(demo_url, demo_engine):
    org_id = _org_id(demo_engine)
    # not trusted (default): a client cannot escape the limit by inventing addresses
    app = _app(demo_url)
    statuses = [
        _Poster(app, org_id, headers={"X-Forwarded-For": f"203.0.113.{i}"})
        .post(f"xff {i}")
        .status_code
        for i in range(6)
    ]
    assert statuses == [303] * 5 + [429]
    # one trusted proxy: its X-Forwarded-For is the client
    app = _app(demo_url, TRUSTED_PROXIES=1)
    statuses = [
        _Poster(app, org_id, headers={"X-Forwarded-For": f"203.0.113.{i}"})
        .post(f"proxy {i}")
        .status_code
        for i in range(6)
    ]
    assert statuses == [303] * 6


def test_pdf_limit_answers_problem_json_to_programs(demo_url):
    app = _app(demo_url, RATELIMIT_PDF="1 per minute")
    client = app.test_client()
    assert client.get("/print/BU09350000.pdf").status_code == 200
    response = client.get("/print/BU09350000.pdf", headers={"Accept": "application/json"})
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 429 and int(response.headers["Retry-After"]) >= 1
    response = client.get("/print/BU09350000.pdf", headers={"Accept": "text/html"})
    assert response.status_code == 429 and response.mimetype == "text/html"
    assert client.get("/print/BU09350000").status_code == 200  # the HTML page is not limited


def test_limits_can_be_switched_off(demo_url, demo_engine):
    app = _app(demo_url, RATELIMIT_ENABLED=False)
    poster = _Poster(app, _org_id(demo_engine))
    assert {poster.post(f"uit {i}").status_code for i in range(8)} == {303}


def test_unreachable_counter_database_is_503_not_a_500(demo_engine):
    """The limit cannot be checked when the database is down: 503 with Retry-After, as
    every database outage (server/errors.py), never a 500."""
    from itsdangerous import URLSafeTimedSerializer

    app = create_app(
        {
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "TESTING": True,
            "SECRET_KEY": SECRET,
        }
    )
    client = app.test_client()
    with client.session_transaction() as session:
        session["csrf_token"] = "a" * 40
    token = URLSafeTimedSerializer(SECRET, salt="wtf-csrf-token").dumps("a" * 40)
    response = client.post("/organisatie/1/melding", data={"csrf_token": token, "tekst": "x"})
    assert response.status_code == 503 and response.headers["Retry-After"]
