"""Residents' pages in Dutch and English over real HTTP: choice, caching, direction, no Dutch left.

``test_english_pages_have_no_dutch_left`` renders every residents' page in both languages
and fails when a text shown on the English page is also on the Dutch page — except texts
that come from the data (names, addresses, descriptions of organisations and areas,
which are not translated) and the short list ``SAME_IN_BOTH`` below.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
import requests
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from server import create_app
from tests.conftest import app_config, serve

# Shown the same in both languages on purpose: the brand, sources and licences, codes,
# and Dutch search words that the English hints explain ("huisarts (GP)").
SAME_IN_BOTH = (
    "Sociale Kaart",
    "CBS",
    "Kadaster",
    "CC BY 4.0",
    "OpenStreetMap",
    "ODbL",
    "PDOK",
    "MapLibre",
    "huisarts",
    "Nederlands",
    "English",
    "GM0917",
    "Wmo",
    "km",
    "OK",
    "Open",
    "Contact",
    "Website",
    "Postcode",
    "Print",
    "E-mail",
)
LETTERS = re.compile(r"[A-Za-zÀ-ÿ]{4,}")
DOMAIN = re.compile(r"\S+\.(?:example|nl|com|org|invalid)\S*")  # website labels, e-mail


class Visible(HTMLParser):
    """The texts a reader sees or hears: text nodes and accessible attributes."""

    SKIP = {"script", "style", "noscript", "template"}
    ATTRS = ("aria-label", "placeholder", "title", "alt", "value")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        attrs = dict(attrs)
        for name in self.ATTRS:
            if attrs.get(name) and not (name == "value" and tag != "button"):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def visible(html: str) -> list[str]:
    parser = Visible()
    parser.feed(html)
    return parser.texts


@pytest.fixture(scope="module")
def data_texts(demo_engine) -> list[str]:
    """Texts that come from the data and stay as they are in every language."""
    queries = (
        "SELECT naam FROM organisatie UNION SELECT omschrijving FROM organisatie "
        "UNION SELECT naam FROM aanbod UNION SELECT omschrijving FROM aanbod "
        "UNION SELECT kosten FROM aanbod UNION SELECT aanmelden FROM aanbod "
        "UNION SELECT voorwaarden FROM aanbod UNION SELECT bron FROM organisatie "
        "UNION SELECT naam FROM locatie UNION SELECT straat FROM locatie "
        "UNION SELECT woonplaats FROM locatie UNION SELECT toegankelijkheid FROM locatie "
        "UNION SELECT telefoon FROM organisatie UNION SELECT email FROM organisatie "
        "UNION SELECT website FROM organisatie UNION SELECT naam FROM gebied "
        "UNION SELECT naam FROM gebied_alias UNION SELECT DISTINCT woonplaats FROM adres "
        "UNION SELECT DISTINCT straat FROM adres "
        "UNION SELECT openingstijden->>'tekst' FROM aanbod"
    )
    with demo_engine.connect() as conn:
        rows = conn.execute(sa.text(queries)).scalars().all()
    return sorted({r.strip() for r in rows if r and r.strip()}, key=len, reverse=True)


def leftover(text: str, data: list[str]) -> str:
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    for word in SAME_IN_BOTH:
        text = text.replace(word, " ")
    return DOMAIN.sub(" ", text)


@pytest.fixture(scope="module")
def pages(demo_engine) -> list[str]:
    with demo_engine.connect() as conn:
        org = conn.execute(
            sa.text(
                "SELECT o.id FROM organisatie o JOIN aanbod a ON a.organisatie_id = o.id "
                "WHERE o.zichtbaarheid = 'openbaar' AND a.openingstijden IS NOT NULL "
                "AND a.openingstijden->'dagen' <> '{}'::jsonb ORDER BY o.id LIMIT 1"
            )
        ).scalar_one()
        wijk = conn.execute(
            sa.text("SELECT code FROM gebied WHERE niveau = 'wijk' ORDER BY code LIMIT 1")
        ).scalar_one()
    return [
        "/",
        "/?q=huisarts&gebied=Heerlen",
        "/lijst",
        "/lijst?q=huisarts&gebied=Heerlen",
        "/lijst?q=thuiszorg&dichtbij=6411+AB+12",
        "/lijst?q=xqzwv&gebied=Heerlan",
        "/lijst?thema=bestaat-niet",
        "/hulp",
        f"/organisatie/{org}",
        "/organisatie/999999999",
        f"/print/{wijk}",
        "/print?q=huisarts&gebied=Heerlen",
        "/print/Parkstad",
        "/print/Nergenshuizen",
        "/aanmelden",
        "/aanmelden?q=xqzwv",
        "/aanmelden/nieuw",
        f"/aanmelden/wijziging/{org}",
        "/aanmelden/bedankt",
        "/verificatie/onzin",
    ]


def fetch(base: str, path: str, language: str) -> requests.Response:
    return requests.get(base + path, cookies={"taal": language}, timeout=120, allow_redirects=True)


def test_english_pages_have_no_dutch_left(demo_server, pages, data_texts):
    problems = []
    for path in pages:
        nl, en = fetch(demo_server, path, "nl"), fetch(demo_server, path, "en")
        assert nl.status_code == en.status_code, path
        assert '<html lang="nl" dir="ltr">' in nl.text, path
        assert '<html lang="en" dir="ltr">' in en.text, path
        dutch = set(visible(nl.text))
        for text in visible(en.text):
            if text in dutch and LETTERS.search(leftover(text, data_texts)):
                problems.append(f"{path}: {text!r}")
    assert not problems, "Dutch on English pages:\n" + "\n".join(sorted(set(problems)))


def test_english_form_errors(demo_server):
    """A form sent with mistakes explains them in English."""
    session = requests.Session()
    session.cookies.set("taal", "en")
    form = session.get(demo_server + "/aanmelden/nieuw", timeout=60).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    stamp = re.search(r'name="formulier_tijd" value="([^"]+)"', form)[1]
    answer = session.post(
        demo_server + "/aanmelden/versturen",
        data={
            "csrf_token": token,
            "formulier_tijd": stamp,
            "naam": "",
            "telefoon": "12",
            "locaties-0-postcode": "99",
            "locaties-0-huisnummer": "x",
            "contact_email": "geen-adres",
        },
        headers={"Origin": demo_server, "Referer": demo_server + "/aanmelden/nieuw"},
        timeout=60,
    )
    assert answer.status_code == 400
    texts = " ".join(visible(answer.text))
    assert "That was very quick" in texts or "Fill in the name of the organisation." in texts
    for dutch in ("Vul ", "klopt niet", "Kies ", "U was erg snel"):
        assert dutch not in texts, dutch


def test_taxonomy_labels_in_english(demo_server):
    page = fetch(demo_server, "/", "en").text
    for label in ("Care and support", "Growing up and parenting", "Older people (65 and over)"):
        assert label in page
    assert "Zorg en ondersteuning" not in page


def test_language_choice_order(demo_server):
    """?taal= > cookie > Accept-Language > Dutch."""
    plain = requests.get(demo_server + "/hulp", timeout=60)
    assert plain.text.count('lang="nl"') and "How does the social map work?" not in plain.text
    browser = requests.get(demo_server + "/hulp", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "How does the social map work?" in browser.text
    dutch_first = requests.get(demo_server + "/hulp", headers={"Accept-Language": "nl,en;q=0.5"})
    assert "Hoe werkt de sociale kaart?" in dutch_first.text
    cookie_wins = requests.get(
        demo_server + "/hulp", headers={"Accept-Language": "en"}, cookies={"taal": "nl"}
    )
    assert '<html lang="nl"' in cookie_wins.text


def test_switch_keeps_the_page(demo_server):
    session = requests.Session()
    first = session.get(
        demo_server + "/lijst?q=huisarts&taal=en&gebied=Heerlen", timeout=60, allow_redirects=False
    )
    assert first.status_code == 303
    target = urlparse(first.headers["Location"])
    assert target.path == "/lijst" and "taal" not in target.query
    assert "q=huisarts" in target.query and "gebied=Heerlen" in target.query
    assert "taal=en" in first.headers["Set-Cookie"]
    page = session.get(demo_server + first.headers["Location"], timeout=60)
    assert '<html lang="en"' in page.text and "We found" in page.text
    # the switch back: a link to the same page and query, marked with its language
    back = re.search(
        r'<a href="([^"]+)" hreflang="nl" lang="nl" rel="alternate">Nederlands</a>', page.text
    )
    assert back and back[1].startswith("/lijst?") and "taal=nl" in back[1]
    again = session.get(demo_server + back[1].replace("&amp;", "&"), timeout=60)
    assert '<html lang="nl"' in again.text and again.url.endswith(
        "/lijst?q=huisarts&gebied=Heerlen"
    )


def test_unknown_language_is_ignored(demo_server):
    answer = requests.get(demo_server + "/hulp?taal=xx", timeout=60, allow_redirects=False)
    assert answer.status_code == 303 and "Set-Cookie" not in answer.headers


def test_editor_pages_stay_dutch(demo_server):
    page = requests.get(demo_server + "/dekking", cookies={"taal": "en"}, timeout=120)
    assert '<html lang="nl"' in page.text
    assert "English" not in page.text  # no language switch on Dutch-only pages


@pytest.mark.parametrize(
    "path", ["/", "/lijst?q=huisarts", "/hulp", "/aanmelden", "/api/zoeken?q=xqzwv&gebied=Heerlan"]
)
def test_language_dependent_answers_vary(demo_server, path):
    """Every cache must keep the languages apart: Vary and Content-Language."""
    for language in ("nl", "en"):
        answer = requests.get(demo_server + path, cookies={"taal": language}, timeout=60)
        vary = {v.strip().lower() for v in answer.headers.get("Vary", "").split(",")}
        assert {"cookie", "accept-language"} <= vary, (path, answer.headers.get("Vary"))
        assert answer.headers["Content-Language"] == language


def test_api_messages_in_english(demo_server):
    result = requests.get(
        demo_server + "/api/zoeken?q=huisarts&gebied=Heerlan", cookies={"taal": "en"}, timeout=60
    ).json()
    assert result["melding"].startswith("We do not know the place 'Heerlan'")


def test_cached_pages_follow_the_language(demo_server):
    """A conditional request in the other language gets the other page, never a 304 of the first."""
    nl = requests.get(demo_server + "/hulp", cookies={"taal": "nl"}, timeout=60)
    etag = nl.headers.get("ETag")
    en = requests.get(
        demo_server + "/hulp",
        cookies={"taal": "en"},
        headers={"If-None-Match": etag} if etag else {},
        timeout=60,
    )
    assert en.status_code == 200 and "How does the social map work?" in en.text


def test_right_to_left_language_without_code_changes(demo_url, tmp_path):
    """A new language is a catalog plus the setting: a tiny Arabic one renders right to left."""
    folder = tmp_path / "ar" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "messages.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: ar\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Hoe werkt de sociale kaart?"\nmsgstr "كيف تعمل الخريطة الاجتماعية؟"\n',
        encoding="utf-8",
    )
    with po.open("rb") as f, (folder / "messages.mo").open("wb") as out:
        write_mo(out, read_po(f, locale="ar"))
    app = create_app(app_config(demo_url, LANGUAGES="nl,en,ar", TRANSLATIONS_DIRS=str(tmp_path)))
    with serve(app) as base:
        page = requests.get(base + "/hulp", cookies={"taal": "ar"}, timeout=60).text
        dutch = requests.get(base + "/hulp", timeout=60).text
    assert '<html lang="ar" dir="rtl">' in page
    assert "كيف تعمل الخريطة الاجتماعية؟" in page
    assert 'hreflang="ar" lang="ar"' in dutch  # the switch offers the new language
