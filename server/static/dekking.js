// Advisers' coverage map: areas from the OGC collection `dekking`, coloured by SPAR class,
// hatched without data, outlined when flagged. Clicking an area (or its name in the table)
// shows its figures and reasons, taken from the server-rendered table row.
(function () {
  "use strict";
  const el = document.getElementById("kaart");
  const details = document.getElementById("gebied-details");
  const table = document.getElementById("gebiedentabel");
  const classes = JSON.parse(el.dataset.klassen);  // [[lower bound, colour], ...]
  const noData = el.dataset.geenGegevens;
  let features = [];

  const colour = ["step", ["to-number", ["get", "spar"]], classes[0][1]];
  classes.slice(1).forEach(([lo, c]) => colour.push(lo, c));
  const hasSpar = ["!=", ["get", "spar"], null];
  const sources = {
    gemeente: { type: "geojson", data: el.dataset.gebiedenUrl },
    dekking: { type: "geojson", data: { type: "FeatureCollection", features: [] } },
  };
  const layers = [
    { id: "gemeente-vlak", type: "fill", source: "gemeente", paint: { "fill-color": "#f7f5ef" } },
    { id: "dekking-vlak", type: "fill", source: "dekking",
      paint: { "fill-color": ["case", hasSpar, colour, noData], "fill-opacity": 0.85 } },
    { id: "dekking-arcering", type: "fill", source: "dekking", filter: ["!", hasSpar],
      paint: { "fill-pattern": "arcering" } },
    { id: "dekking-lijn", type: "line", source: "dekking", paint: { "line-color": "#606060", "line-width": 0.5 } },
    { id: "gemeente-lijn", type: "line", source: "gemeente", paint: { "line-color": "#333333", "line-width": 1.5 } },
    { id: "vlag-matig", type: "line", source: "dekking", filter: ["==", ["get", "flag_level"], "matig"],
      paint: { "line-color": "#000000", "line-width": 2, "line-dasharray": [2, 1.5] } },
    { id: "vlag-ernstig", type: "line", source: "dekking", filter: ["==", ["get", "flag_level"], "ernstig"],
      paint: { "line-color": "#000000", "line-width": 3 } },
    { id: "gekozen", type: "line", source: "dekking", filter: ["==", ["get", "gebiedcode"], ""],
      paint: { "line-color": "#005ea5", "line-width": 4 } },
  ];
  const map = basiskaart(el, sources, layers, "Bron: CBS / Kadaster; analyse: Sociale Kaart");
  window.dekkingKaart = map;

  function hatch() {  // diagonal grey stripes for areas without data (as in the legend)
    const size = 16, canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const ctx = canvas.getContext("2d");
    ctx.strokeStyle = "#595959"; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(0, size); ctx.lineTo(size, 0);
    ctx.moveTo(-4, 4); ctx.lineTo(4, -4); ctx.moveTo(size - 4, size + 4); ctx.lineTo(size + 4, size - 4);
    ctx.stroke();
    return ctx.getImageData(0, 0, size, size);
  }

  function bounds(feature) {
    const b = new maplibregl.LngLatBounds();
    const walk = (c) => (typeof c[0] === "number" ? b.extend(c) : c.forEach(walk));
    walk(feature.geometry.coordinates);
    return b;
  }

  function choose(code, move) {
    const row = table.querySelector('tr[data-code="' + CSS.escape(code) + '"]');
    if (!row) return;
    const heads = [...table.tHead.rows[0].cells].map((c) => c.textContent.trim());
    const cells = [...row.cells];
    const title = document.createElement("h2");
    title.id = "details-titel";
    title.textContent = cells[0].textContent.trim();
    const dl = document.createElement("dl");
    cells.slice(1, -1).forEach((cell, i) => {
      const pair = document.createElement("div"), dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = heads[i + 1];
      dd.textContent = cell.textContent.trim();
      pair.append(dt, dd);
      dl.append(pair);
    });
    details.replaceChildren(title, dl, ...[...cells[cells.length - 1].childNodes].map((n) => n.cloneNode(true)));
    map.setFilter("gekozen", ["==", ["get", "gebiedcode"], code]);
    const url = new URL(location.href);
    url.searchParams.set("gebied", code);
    history.replaceState(null, "", url.pathname + url.search);
    const feature = features.find((f) => f.properties.gebiedcode === code);
    if (move && feature) map.fitBounds(bounds(feature), { padding: 60, maxZoom: 14 });
  }

  table.addEventListener("click", (event) => {
    const link = event.target.closest("th a");
    if (!link) return;
    event.preventDefault();
    choose(link.closest("tr").dataset.code, true);
    details.focus();
  });
  map.on("click", "dekking-vlak", (e) => choose(e.features[0].properties.gebiedcode, false));
  map.on("mouseenter", "dekking-vlak", () => { map.getCanvas().style.cursor = "pointer"; });
  map.on("mouseleave", "dekking-vlak", () => { map.getCanvas().style.cursor = ""; });

  const data = fetch(el.dataset.itemsUrl, { headers: { Accept: "application/geo+json" } }).then((r) => r.json());
  map.on("load", () => {
    map.addImage("arcering", hatch());
    data.then((collection) => {
      features = collection.features || [];
      map.getSource("dekking").setData({ type: "FeatureCollection", features });
      window.dekkingAantal = features.length;  // read by the browser tests
      const chosen = new URLSearchParams(location.search).get("gebied");
      if (chosen) map.setFilter("gekozen", ["==", ["get", "gebiedcode"], chosen]);
      if (features.length) {
        const b = new maplibregl.LngLatBounds();
        features.forEach((f) => b.extend(bounds(f)));
        map.fitBounds(b, { padding: 20, animate: false });
      }
      map.once("idle", () => { el.dataset.klaar = "ja"; });
    });
  });
})();
