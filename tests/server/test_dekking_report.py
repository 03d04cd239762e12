"""The short list of one gemeente: /dekking?gemeente=…, its CSV, GeoPackage and PDF downloads
and ``sociale-kaart analyse --gemeente … --uitvoer …`` (one report function for all)."""

import csv
import io
import re
import time
from html import unescape

import pytest
import sqlalchemy as sa

from layers.pages.coverage_downloads import write_csv
from layers.pages.coverage_report import GemeenteReport, ReportMap
from layers.pages.coverage_results import AreaResult, ThemeReport

GM = "GM0928"  # Kerkrade


@pytest.fixture(scope="module")
def client(demo_app):
    return demo_app.test_client()


@pytest.fixture(scope="module")
def busy(demo_engine) -> str:
    """The gemeente with the most flagged buurten (iedereen): the lists are not empty."""
    with demo_engine.connect() as conn:
        code = conn.execute(
            sa.text(
                "SELECT gemeentecode FROM laag_dekking WHERE actueel AND flagged AND niveau = "
                "'buurt' AND doelgroep = 'iedereen' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
            )
        ).scalar()
    assert code, "the demo has flagged buurten"
    return code


def expected(engine, gemeente=GM, doelgroep="iedereen", niveau="buurt") -> dict[str, list]:
    """Per theme the flagged areas, worst first, straight from the published view."""
    with engine.connect() as conn:
        rule = conn.execute(
            sa.text(
                "SELECT parameters -> 'rule' FROM analyse_run WHERE status = 'klaar' "
                "ORDER BY id DESC LIMIT 1"
            )
        ).scalar()
        # The measures of the flag rule: SPAR first for the SPAR-led rule, else the share
        # beyond the threshold, then the distance (no provider at all first), then SPAR.
        measures = (
            "d.spar ASC NULLS LAST, d.pct_verder DESC NULLS LAST"
            if "spar_matig" in rule
            else "d.pct_verder DESC NULLS LAST, d.afstand_m IS NOT NULL, "
            "d.afstand_m DESC, d.spar ASC NULLS LAST"
        )
        rows = (
            conn.execute(
                sa.text(f"""
            SELECT d.thema, d.gebiedcode, d.naam, d.zin FROM laag_dekking d
            JOIN thema t ON t.slug = d.thema
            WHERE d.actueel AND d.flagged AND d.gemeentecode = :g AND d.doelgroep = :d
              AND d.niveau = :n
            ORDER BY t.volgorde, d.flag_level = 'ernstig' DESC, {measures},
                     lower(d.naam) COLLATE "C", d.gebiedcode COLLATE "C" """),
                {"g": gemeente, "d": doelgroep, "n": niveau},
            )
            .mappings()
            .all()
        )
    out: dict[str, list] = {}
    for r in rows:
        out.setdefault(r["thema"], []).append(dict(r))
    return out


def shown(html: str) -> dict[str, list[str]]:
    """Per theme the area codes of the short list, in page order."""
    lists = re.findall(r'<ol class="rangorde" data-thema="([^"]+)">(.*?)</ol>', html, re.S)
    return {
        t: re.findall(r'<li id="reden-[^"]+" class="vlag-\w+" data-code="([^"]+)"', body)
        for t, body in lists
    }


def test_page_ranks_worst_first_per_theme(client, demo_engine, busy):
    started = time.perf_counter()
    response = client.get(f"/dekking?gemeente={GM}")
    print(f"\n/dekking?gemeente={GM}: {time.perf_counter() - started:.2f} s")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<select id="gemeente" name="gemeente">' in html
    assert f'<option value="{GM}" selected>Kerkrade</option>' in html
    want = expected(demo_engine)
    assert shown(html) == {t: [r["gebiedcode"] for r in rows] for t, rows in want.items()}
    html = client.get(f"/dekking?gemeente={busy}").get_data(as_text=True)
    want = expected(demo_engine, busy)
    assert shown(html) == {t: [r["gebiedcode"] for r in rows] for t, rows in want.items()}
    text = unescape(html)
    for rows in want.values():  # the reasons: the stored Dutch sentences
        for r in rows:
            assert r["zin"] in text
    # ernstig before tekort within every list
    for body in re.findall(r'<ol class="rangorde"[^>]*>(.*?)</ol>', html, re.S):
        levels = re.findall(r'class="vlag-(\w+)" data-code', body)
        assert levels == sorted(levels, key=lambda x: x != "ernstig")
    assert "<tr data-code=" in html and 'id="gebiedentabel"' not in html  # no regional table


def test_table_marks_flagged_cells_with_text_and_links_to_reason(client, demo_engine, busy):
    html = client.get(f"/dekking?gemeente={busy}").get_data(as_text=True)
    flagged = {
        (t, r["gebiedcode"]) for t, rows in expected(demo_engine, busy).items() for r in rows
    }
    assert flagged
    table = html.split('id="matrix"')[1].split("</table>")[0]
    cells = set()
    for code, row in re.findall(r'<tr data-code="([^"]+)">(.*?)</tr>', table, re.S):
        for level, thema, anchor, label in re.findall(
            r'<td class="vlag-(\w+)" data-thema="([^"]+)"><a href="#([^"]+)">([^<]+)</a>', row
        ):
            cells.add((thema, code))
            assert anchor == f"reden-{thema}-{code}" and f'id="{anchor}"' in html
            assert label.endswith("ernstig" if level == "ernstig" else "tekort")  # not colour alone
    assert cells == flagged


def test_ouderen_and_wijk_level(client, demo_engine):
    html = client.get(f"/dekking?gemeente={GM}&doelgroep=ouderen&niveau=wijk").get_data(
        as_text=True
    )
    want = expected(demo_engine, doelgroep="ouderen", niveau="wijk")
    assert shown(html) == {t: [r["gebiedcode"] for r in rows] for t, rows in want.items()}
    assert '<option value="ouderen" selected>' in html


@pytest.mark.parametrize("code", ["GM9999", "XX", "<script>alert(1)</script>"])
def test_unknown_gemeente_is_a_dutch_404_page(client, code):
    response = client.get("/dekking", query_string={"gemeente": code})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Deze gemeente kennen we niet" in html and "<script>alert" not in html
    assert '<select id="gemeente"' in html  # the chooser stays usable


def test_bad_doelgroep_with_gemeente_is_400(client):
    response = client.get(f"/dekking?gemeente={GM}&doelgroep=katten")
    assert response.status_code == 400
    assert "Deze keuze kennen we niet" in response.get_data(as_text=True)


def _csv_rows(body: bytes) -> list[dict]:
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_csv_equals_the_shown_rows(client, demo_engine, busy):
    html = client.get(f"/dekking?gemeente={busy}").get_data(as_text=True)
    response = client.get(f"/dekking/{busy}.csv?doelgroep=iedereen&niveau=buurt")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv_rows(response.data)
    page = [(t, c) for t, codes in shown(html).items() for c in codes]
    slugs = {t: r[0]["thema"] for t, r in expected(demo_engine, busy).items()}
    assert rows and [r["gebiedcode"] for r in rows] == [c for _, c in page]
    names = re.findall(r'<h2 id="thema-([^"]+)-titel">([^<]+)</h2>', html)
    naam = {slug: unescape(n) for slug, n in names}
    assert [r["thema"] for r in rows] == [naam[t] for t, _ in page]
    assert set(slugs) <= set(naam)
    assert all(r["tekort"] in ("Ernstig tekort", "Tekort") for r in rows)
    assert all("." not in r["aanbod_per_inwoner_spar"] for r in rows)  # decimal comma
    assert any("," in r["aanbod_per_inwoner_spar"] for r in rows)
    text = unescape(html)
    assert all(r["uitleg"] in text for r in rows)


def test_csv_cells_are_formula_safe():
    hostile = AreaResult(
        "t",
        "BU1",
        '=HYPERLINK("http://x")',
        120.0,
        0.4,
        10.0,
        900.0,
        1000.0,
        True,
        "ernstig",
        "@SUM(A1)",
        [],
        [],
        [],
        0,
        rank=1,
    )
    report = GemeenteReport(
        "GM0001",
        "X",
        "iedereen",
        "buurt",
        [ThemeReport("t", "-Thema", 1000.0, [hostile])],
        ReportMap(1, 1, "", {}),
        [1],
    )
    buffer = io.StringIO()
    assert write_csv(report, buffer) == 1
    row = next(csv.DictReader(io.StringIO(buffer.getvalue()), delimiter=";"))
    assert row["gebied"].startswith("'=") and row["uitleg"].startswith("'@")
    assert row["thema"] == "'-Thema" and row["aanbod_per_inwoner_spar"] == "0,40"


def test_geopackage_has_the_shown_rows(client, tmp_path, busy):
    import pyogrio

    csv_rows = _csv_rows(client.get(f"/dekking/{busy}.csv").data)
    assert csv_rows
    response = client.get(f"/dekking/{busy}.gpkg")
    assert response.status_code == 200
    assert response.mimetype == "application/geopackage+sqlite3"
    path = tmp_path / "k.gpkg"
    path.write_bytes(response.data)
    frame = pyogrio.read_dataframe(path, layer="tekorten")
    assert list(frame["gebiedcode"]) == [r["gebiedcode"] for r in csv_rows]
    assert list(frame["rang"]) == [int(r["rang"]) for r in csv_rows]
    assert frame.crs.to_epsg() == 28992 and frame.geometry.notna().all()
    assert frame["aanbod_per_inwoner_spar"].dtype.kind == "f"


def test_geopackage_leaves_no_temporary_files(client, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert client.get(f"/dekking/{GM}.gpkg").status_code == 200
    assert list(tmp_path.iterdir()) == []


def _pdf_text(body: bytes) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


@pytest.mark.parametrize("gemeente", ["GM0935", GM, "busy"])
def test_pdf_holds_the_ranked_areas(client, demo_engine, busy, gemeente):
    gemeente = busy if gemeente == "busy" else gemeente
    started = time.perf_counter()
    response = client.get(f"/dekking/{gemeente}.pdf")
    seconds = time.perf_counter() - started
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    pages, text = _pdf_text(response.data)
    print(f"\n{gemeente}.pdf: {pages} pages, {len(response.data) // 1024} kB, {seconds:.1f} s")
    flat = " ".join(text.split())
    want = expected(demo_engine, gemeente)
    for rows in want.values():
        for r in rows[:3]:
            assert " ".join(r["naam"].split()) in flat
    # A few pages: overview, maps, then the short lists (long sentences: ~8 per page).
    assert pages <= 4 + sum(map(len, want.values())) // 8


@pytest.mark.parametrize(
    "url,status",
    [
        (f"/dekking/{GM}.csv?doelgroep=katten", 400),
        (f"/dekking/{GM}.pdf?niveau=provincie", 400),
        (f"/dekking/{GM}.gpkg?niveau=gemeente", 400),
        ("/dekking/GM9999.csv", 404),
        ("/dekking/%3Cscript%3E.pdf", 404),
        (f"/dekking/{GM}.xlsx", 404),
    ],
)
def test_bad_download_parameters_are_problems(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and "<script>" not in body["title"] + body["detail"]


def test_cli_writes_the_same_report(demo_app, client, tmp_path):
    result = demo_app.test_cli_runner().invoke(
        args=[
            "analyse",
            "--gemeente",
            GM,
            "--thema",
            "meedoen-ontmoeten",
            "--zonder-locatievoorstellen",
            "--uitvoer",
            str(tmp_path),
        ]
    )
    assert result.exit_code == 0, result.output
    pdf = tmp_path / f"dekking-{GM}-iedereen-buurt.pdf"
    written = tmp_path / f"dekking-{GM}-iedereen-buurt.csv"
    assert pdf.read_bytes().startswith(b"%PDF")
    # The same function as the download: after the run both read the same current results.
    assert written.read_bytes() == client.get(f"/dekking/{GM}.csv").data
