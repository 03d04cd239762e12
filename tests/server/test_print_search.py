"""Print where the resident is (issue 16, point 4): /print?q=&gebied=&thema=, print links,
and a paper map of a whole gemeente that stays readable (markers never overlap, one index,
few pages)."""

from __future__ import annotations

import html
import io
import itertools
import math
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

# /print/GM0917.pdf on the demo data before this change (commit febe85e: one entry per
# organisation and theme, one marker per organisation and point): 29 pages.
PAGES_BEFORE = 29
MARKER = re.compile(
    r'<g class="marker"><circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"[^>]*/>'
    r'<text [^>]*font-size="([\d.]+)"[^>]*>(\d+)</text></g>'
)


def _markers(page: str) -> list[tuple[float, float, float, float, int]]:
    return [
        (float(x), float(y), float(r), float(size), int(n))
        for x, y, r, size, n in MARKER.findall(page)
    ]


def _label_box(x: float, y: float, size: float, number: int) -> tuple[float, ...]:
    """Generous box of a marker's number: digits ~0.62 em wide, one em high."""
    width = 0.62 * size * len(str(number))
    return x - width / 2, y - size / 2, x + width / 2, y + size / 2


def _assert_no_overlap(markers) -> None:
    assert markers
    for (x1, y1, r1, s1, n1), (x2, y2, r2, s2, n2) in itertools.combinations(markers, 2):
        assert math.dist((x1, y1), (x2, y2)) >= r1 + r2, f"markers {n1} and {n2} overlap"
        a, b = _label_box(x1, y1, s1, n1), _label_box(x2, y2, s2, n2)
        apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
        assert apart, f"labels {n1} and {n2} overlap"
    for x, y, r, size, n in markers:  # the number fits inside its disc
        box = _label_box(x, y, size, n)
        assert box[2] - box[0] <= 2 * r and box[3] - box[1] <= 2 * r


def _index(page: str) -> list[tuple[tuple[int, ...], str]]:
    return [
        (tuple(int(n) for n in re.findall(r"\d+", numbers)), html.unescape(name))
        for numbers, name in re.findall(
            r'<h3>((?:<span class="nummer">\d+</span> )+)<span class="naam">(.*?)</span>', page
        )
    ]


def test_print_a_search_huisarts_in_heerlen(demo_client, demo_engine):
    response = demo_client.get("/print?q=huisarts&gebied=Heerlen")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<h1>Sociale kaart: huisarts in Heerlen</h1>" in page
    index = _index(page)
    names = [name for _, name in index]
    assert names and len(names) == len(set(names))  # each organisation once
    api = demo_client.get("/api/zoeken?q=huisarts&gebied=Heerlen&limit=200").json
    assert set(names) == {i["organisatie"] for i in api["items"]}
    markers = _markers(page)
    _assert_no_overlap(markers)
    used = {n for numbers, _ in index for n in numbers}
    assert {m[4] for m in markers} == used == set(range(1, len(markers) + 1))
    assert 'href="/print.pdf?q=huisarts&amp;gebied=Heerlen"' in page
    pdf = demo_client.get("/print.pdf?q=huisarts&gebied=Heerlen")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) >= 1


def test_print_a_theme_without_an_area_frames_the_gemeenten(demo_client):
    page = demo_client.get("/print?thema=vervoer").get_data(as_text=True)
    assert "<h1>Sociale kaart: Vervoer</h1>" in page
    assert "grenzen van de gemeenten" in page
    _assert_no_overlap(_markers(page))
    wijk = demo_client.get("/print?gebied=WK091733&thema=vervoer")
    assert wijk.status_code in (200, 404)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/print", 400),
        ("/print?onbekend=1", 400),
        ("/print?q=", 400),
        ("/print?thema=bestaat-niet", 400),
        ("/print?q=zzqxwv", 404),
        ("/print.pdf?onbekend=1", 400),
        ("/print?gebied=Nergenshuizen", 404),
        ("/print?q=" + "a" * 5000, 404),
    ],
)
def test_print_search_bad_input_is_a_clear_page(demo_client, path, status):
    response = demo_client.get(path)
    assert response.status_code == status and response.mimetype == "text/html"
    assert "<script" not in response.get_data(as_text=True)


def test_print_links_on_list_map_organisation_and_help(demo_client, demo_engine):
    lijst = demo_client.get("/lijst?q=huisarts&gebied=Heerlen").get_data(as_text=True)
    assert len(re.findall(r'href="/print\?', lijst)) == 1
    kaart = demo_client.get("/?q=huisarts&gebied=Heerlen").get_data(as_text=True)
    link = re.search(r'<p id="printregel"><a id="printlink" href="([^"]+)"', kaart)
    assert link and html.unescape(link[1]) == "/print?q=huisarts&gebied=Heerlen"
    assert '<p id="printregel" hidden>' in demo_client.get("/").get_data(as_text=True)
    with demo_engine.connect() as conn:
        org_id, plaats = conn.execute(
            sa.text(
                "SELECT organisatie_id, plaats FROM laag_voorzieningen "
                "WHERE zichtbaarheid = 'openbaar' AND plaats IS NOT NULL ORDER BY id LIMIT 1"
            )
        ).one()
    org = html.unescape(demo_client.get(f"/organisatie/{org_id}").get_data(as_text=True))
    target = re.search(r'<p class="print-link"><a href="([^"]+)">Print een kaart', org)[1]
    assert demo_client.get(target).status_code == 200
    hulp = demo_client.get("/hulp").get_data(as_text=True)
    assert 'action="/print"' in hulp and 'name="gebied"' in hulp
    assert demo_client.get("/print?gebied=Heerlen").status_code == 200


def test_gemeente_pdf_is_readable_and_short(demo_client, demo_engine):
    page = demo_client.get("/print/GM0917").get_data(as_text=True)
    _assert_no_overlap(_markers(page))
    pdf = demo_client.get("/print/GM0917.pdf")
    pages = len(PdfReader(io.BytesIO(pdf.data)).pages)
    with demo_engine.connect() as conn:
        wijken, organisations = conn.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM gebied WHERE niveau = 'wijk' "
                "AND gemeentecode = 'GM0917'), (SELECT count(DISTINCT organisatie_id) "
                "FROM laag_voorzieningen WHERE gemeentecode = 'GM0917' "
                "AND zichtbaarheid = 'openbaar')"
            )
        ).one()
    assert len(_index(page)) == organisations  # one index: every organisation once
    print(f"/print/GM0917.pdf: {PAGES_BEFORE} pages before, {pages} after ({wijken} wijken)")
    assert pages <= PAGES_BEFORE // 2 and pages <= wijken
    wijk = demo_client.get("/print/WK091733.pdf")
    assert len(PdfReader(io.BytesIO(wijk.data)).pages) <= 4  # a few pages per wijk
