"""Front-end budget: our own JS+CSS gzipped (MapLibre excluded) and time to first features.

Starts the app on the demo database (bench cluster), loads / in Debian's Chromium several
times and reads the page's own mark (``window.kaartKlaar``: performance.now() at the first
rendered frame in which the map's point layers hold service points). Each load also checks
that the mark is honest: MapLibre reports points drawn on the map at that moment.

    .venv/bin/python bench/frontend_bench.py [--runs 7]

With ``--db NAME`` the app serves an existing database of the bench cluster instead of a
new demo, e.g. the synthetic nation kept by ``bench/tiles_bench.py --keep`` (its national
areas make the first view the whole country). The layer cache is off then, so every load
is cold, and each load is made twice in alternating order: with the map's cells kept at
write time (``kaart_cel``) and with every point grouped live (``punten_cellen``).

    .venv/bin/python bench/frontend_bench.py --db sk_tiles_xxxxxxxx [--runs 7]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import threading

from common import BENCH_CLUSTER, ROOT, BenchDatabase
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from geo import pgcluster
from layers.pages import kaartpunten
from server import create_app

STATIC = ROOT / "server" / "static"
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def own_asset_sizes() -> dict[str, int]:
    """Gzipped bytes of every JS and CSS file we wrote (vendor packages excluded)."""
    files = sorted(p for p in STATIC.iterdir() if p.suffix in {".js", ".css"})
    return {p.name: len(gzip.compress(p.read_bytes(), 9)) for p in files}


def first_features_ms(base: str, runs: int, before_each=None) -> list[float]:
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for run in range(runs):
            if before_each is not None:
                before_each(run)
            context = browser.new_context(viewport={"width": 1280, "height": 860})
            page = context.new_page()
            page.goto(base + "/")
            page.wait_for_function(
                "() => document.getElementById('kaart').dataset.klaar === 'ja'", timeout=30_000
            )
            times.append(page.evaluate("() => window.kaartKlaar"))
            drawn = page.evaluate(
                "() => window.socialeKaart.queryRenderedFeatures("
                "{layers: ['punt', 'groep']}).length"
            )
            assert drawn > 0, "the page marked the map ready without service points on it"
            context.close()
        browser.close()
    return times


def national(name: str, runs: int) -> None:
    """Cold first loads on an existing database, kept cells on and off in turn."""
    pgcluster.start(BENCH_CLUSTER)
    url = BENCH_CLUSTER.url(name)
    app = create_app({"DATABASE_URL": url, "ENV": "development", "LAYER_CACHE_MB": 0})
    real = kaartpunten.stored_key
    kinds = ["kept cells" if (r // 2 + r) % 2 == 0 else "every point" for r in range(2 * runs)]

    def switch(run: int) -> None:
        kaartpunten.stored_key = real if kinds[run] == "kept cells" else (lambda *a: None)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        times = first_features_ms(f"http://127.0.0.1:{server.server_port}", 2 * runs, switch)
    finally:
        server.shutdown()
        kaartpunten.stored_key = real
    for kind in ("kept cells", "every point"):
        mine = [t for t, k in zip(times, kinds, strict=True) if k == kind]
        print(
            f"{name} first features visible, {kind}: median {statistics.median(mine):.0f} ms,"
            f" max {max(mine):.0f} ms over {len(mine)} cold loads:",
            " ".join(f"{t:.0f}" for t in mine),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", help="an existing database of the bench cluster (see above)")
    args = parser.parse_args()
    if args.db:
        national(args.db, args.runs)
        return
    sizes = own_asset_sizes()
    with BenchDatabase() as engine:
        app = create_app(
            {"DATABASE_URL": engine.url.render_as_string(hide_password=False), "ENV": "development"}
        )
        result = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
        assert result.exit_code == 0, result.output
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            times = first_features_ms(f"http://127.0.0.1:{server.server_port}", args.runs)
        finally:
            server.shutdown()
    total = sum(sizes.values())
    for name, size in sizes.items():
        print(f"{name:24s} {size / 1024:6.1f} KB gzipped")
    print(f"own JS+CSS total: {total / 1024:.1f} KB gzipped (budget 150 KB)")
    print(
        f"first features visible: median {statistics.median(times):.0f} ms, "
        f"max {max(times):.0f} ms over {len(times)} loads (budget 1500 ms)"
    )
    print(
        "each load (ms, the first in a just-started Chromium):", " ".join(f"{t:.0f}" for t in times)
    )


if __name__ == "__main__":
    main()
