// Residents' map: theme layers with colour and icon, clustering, area outlines as an offline
// basemap, and a search whose results show in the list and on the map. The URL holds the
// search, so a link can be shared and Back works. Without JavaScript the form opens /lijst.
(function () {
  "use strict";
  const el = document.getElementById("kaart");
  const form = document.getElementById("zoekformulier");
  const statusEl = document.getElementById("zoekstatus");
  const list = document.getElementById("resultaten");
  const themes = JSON.parse(el.dataset.themas);
  const FIELDS = ["q", "gebied", "dichtbij", "thema", "doelgroep"];
  let allFeatures = [];

  const outline = (niveau) => ({ type: "geojson", data: el.dataset.gebiedenUrl.replace("NIVEAU", niveau) });
  const sources = { gemeente: outline("gemeente"), wijk: outline("wijk"), buurt: outline("buurt") };
  const layers = [
    { id: "gemeente-vlak", type: "fill", source: "gemeente", paint: { "fill-color": "#f7f5ef" } },
    { id: "buurt-vlak", type: "fill", source: "buurt", paint: { "fill-opacity": 0 } },
    { id: "buurt-lijn", type: "line", source: "buurt", minzoom: 12, paint: { "line-color": "#9a9a9a", "line-width": 0.6 } },
    { id: "wijk-lijn", type: "line", source: "wijk", minzoom: 10.5, paint: { "line-color": "#6b6b6b", "line-width": 1.2 } },
    { id: "gemeente-lijn", type: "line", source: "gemeente", paint: { "line-color": "#333333", "line-width": 2 } },
  ];
  const map = basiskaart(el, sources, layers, "Bron: CBS / Kadaster; © OpenStreetMap-bijdragers");
  window.socialeKaart = map;

  // Icons: a white Maki icon on a circle in the theme colour; cluster badges drawn on demand.
  function circleImage(colour, draw) {
    const size = 64, canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = colour; ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 5;
    ctx.beginPath(); ctx.arc(size / 2, size / 2, size / 2 - 4, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    draw(ctx, size);
    return ctx.getImageData(0, 0, size, size);
  }
  function loadIcon(theme) {
    return fetch(el.dataset.maki + theme.icoon + ".svg").then((r) => r.text()).then((svg) => new Promise((resolve) => {
      const img = new Image();
      img.onload = () => { map.addImage("thema-" + theme.slug, circleImage(theme.kleur, (ctx, s) => {
        ctx.filter = "invert(1)"; ctx.drawImage(img, s * 0.25, s * 0.25, s * 0.5, s * 0.5); }), { pixelRatio: 2 }); resolve(); };
      img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
    }));
  }
  map.on("styleimagemissing", (e) => {  // "tel-<slug>-<count>": a cluster badge with its number
    const m = /^tel-(.+)-(\d+k?)$/.exec(e.id);
    const theme = m && themes.find((t) => t.slug === m[1]);
    if (!theme) return;
    map.addImage(e.id, circleImage(theme.kleur, (ctx, s) => {
      ctx.fillStyle = "#ffffff"; ctx.font = "bold 26px sans-serif"; ctx.textAlign = "center";
      ctx.textBaseline = "middle"; ctx.fillText(m[2], s / 2, s / 2 + 1); }), { pixelRatio: 2 });
  });

  function addThemeLayers() {
    for (const t of themes) {
      map.addSource("bron-" + t.slug, { type: "geojson", data: { type: "FeatureCollection", features: [] },
        cluster: true, clusterRadius: 36, clusterMaxZoom: 14 });
      map.addLayer({ id: "groep-" + t.slug, type: "symbol", source: "bron-" + t.slug, filter: ["has", "point_count"],
        layout: { "icon-image": ["concat", "tel-" + t.slug + "-", ["get", "point_count_abbreviated"]],
          "icon-size": ["step", ["get", "point_count"], 0.9, 10, 1.1, 50, 1.3], "icon-allow-overlap": true } });
      map.addLayer({ id: "punt-" + t.slug, type: "symbol", source: "bron-" + t.slug, filter: ["!", ["has", "point_count"]],
        layout: { "icon-image": "thema-" + t.slug, "icon-size": 0.7, "icon-allow-overlap": true } });
      map.on("click", "punt-" + t.slug, (e) => showPopup(e.features[0]));
      map.on("click", "groep-" + t.slug, (e) => {
        map.getSource("bron-" + t.slug).getClusterExpansionZoom(e.features[0].properties.cluster_id)
          .then((zoom) => map.easeTo({ center: e.features[0].geometry.coordinates, zoom }));
      });
      for (const id of ["punt-", "groep-"]) {
        map.on("mouseenter", id + t.slug, () => { map.getCanvas().style.cursor = "pointer"; });
        map.on("mouseleave", id + t.slug, () => { map.getCanvas().style.cursor = ""; });
      }
    }
  }

  function showFeatures(ids) {
    const keep = ids ? new Set(ids) : null;
    window.kaartTellingen = {};  // features per theme on the map (read by the browser tests)
    for (const t of themes) {
      const features = allFeatures.filter((f) => (!keep || keep.has(f.id)) && (f.properties.thema || "").split("; ").includes(t.slug));
      map.getSource("bron-" + t.slug).setData({ type: "FeatureCollection", features });
      window.kaartTellingen[t.slug] = features.length;
    }
  }

  function text(tag, value, className) {
    const node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  }
  function showPopup(feature) {
    const p = feature.properties, box = document.createElement("div");
    const link = text("a", p.organisatie, "popup-naam");
    link.href = "/organisatie/" + p.organisatie_id;
    box.append(link, text("p", p.aanbod));
    const adres = [p.straat, p.huisnummer, p.plaats].filter((v) => v && v !== "null").join(" ");
    if (adres) box.append(text("p", adres));
    if (p.geocode_precisie && p.geocode_precisie !== "adres" && p.geocode_precisie !== "handmatig") {
      box.append(text("p", "Plek op de kaart is bij benadering (" + p.geocode_precisie + ")."));
    }
    if (p.synthetisch === true || p.synthetisch === "true") box.append(text("p", "Verzonnen voorbeeld voor de demo."));
    new maplibregl.Popup().setLngLat(feature.geometry.coordinates).setDOMContent(box).addTo(map);
  }

  // Search: the same parameters as /lijst and /api/zoeken.
  function params() {
    const data = new FormData(form), out = new URLSearchParams();
    for (const name of FIELDS) { const v = (data.get(name) || "").trim(); if (v) out.set(name, v); }
    return out;
  }
  function fill(search) {
    for (const name of FIELDS) form.elements[name].value = search.get(name) || "";
  }
  function renderResults(result, search) {
    list.replaceChildren();
    const shown = result.items.length;
    statusEl.textContent = result.melding ? result.melding + " " : "";
    statusEl.textContent += result.total === 0 ? "We vonden niets. Probeer een ander woord of een grotere plaats."
      : "We vonden " + result.total + (result.total === 1 ? " plek." : " plekken.") + (result.total > shown ? " De eerste " + shown + " staan hieronder." : "");
    for (const item of result.items) {
      const li = document.createElement("li"), button = text("button", item.organisatie);
      button.type = "button";
      button.addEventListener("click", () => {
        const feature = allFeatures.find((f) => f.id === item.id);
        map.flyTo({ center: [item.lon, item.lat], zoom: 15 });
        if (feature) map.once("moveend", () => showPopup(feature));
      });
      const meta = [item.aanbod, [item.straat, item.huisnummer, item.plaats].filter(Boolean).join(" ")];
      if (item.afstand_m != null) meta.push((item.afstand_m / 1000).toFixed(1).replace(".", ",") + " km");
      li.append(button, text("span", meta.filter(Boolean).join(" · "), "resultaat-meta"));
      list.append(li);
    }
    document.getElementById("lijstlink").href = "/lijst?" + search.toString();
    showFeatures(result.items.map((i) => i.id));
    if (result.items.length) {
      const b = new maplibregl.LngLatBounds();
      result.items.forEach((i) => b.extend([i.lon, i.lat]));
      map.fitBounds(b, { padding: 60, maxZoom: 15 });
    }
  }
  function runSearch(search) {
    if (![...search.keys()].length) { list.replaceChildren(); statusEl.textContent = ""; showFeatures(null); return; }
    statusEl.textContent = "Even zoeken…";
    search.set("limit", "200");
    fetch("/api/zoeken?" + search.toString(), { headers: { Accept: "application/json" } })
      .then((r) => r.json().then((body) => (r.ok ? body : Promise.reject(body))))
      .then((result) => { search.delete("limit"); renderResults(result, search); })
      .catch((problem) => { statusEl.textContent = (problem && problem.detail) || "Zoeken lukt nu niet. Probeer het later opnieuw."; });
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const search = params();
    history.pushState(null, "", search.toString() ? "/?" + search.toString() : "/");
    runSearch(search);
  });
  window.addEventListener("popstate", () => {
    const search = new URLSearchParams(location.search);
    fill(search); runSearch(search);
  });

  document.querySelectorAll('input[name="laag"]').forEach((box) => box.addEventListener("change", () => {
    for (const prefix of ["punt-", "groep-"]) map.setLayoutProperty(prefix + box.value, "visibility", box.checked ? "visible" : "none");
  }));
  const outlineLayer = { gemeente: "gemeente-lijn", wijk: "wijk-lijn", buurt: "buurt-lijn" };
  document.querySelectorAll('input[name="grens"]').forEach((box) => box.addEventListener("change", () => {
    map.setLayoutProperty(outlineLayer[box.value], "visibility", box.checked ? "visible" : "none");
  }));

  // Same URL and headers as the <link rel="preload"> in kaart.html, so the download that
  // started while the page was parsed is reused.
  const features = fetch("/ogc/collections/voorzieningen/items?limit=10000").then((r) => r.json());
  // Start on "style.load", not "load": "load" waits until the outline polygons are drawn,
  // which delayed the first service points by about two seconds.
  const start = () => {
    Promise.all([features, ...themes.map(loadIcon)]).then(([collection]) => {
      allFeatures = collection.features;
      addThemeLayers();
      const search = new URLSearchParams(location.search);
      if ([...search.keys()].some((k) => FIELDS.includes(k))) runSearch(search); else showFeatures(null);
      // Mark the moment the first service points are drawn (read by the benchmark and tests).
      const layerIds = themes.flatMap((t) => ["punt-" + t.slug, "groep-" + t.slug]);
      const mark = () => {
        if (!map.queryRenderedFeatures({ layers: layerIds }).length) return;
        map.off("render", mark);
        window.kaartKlaar = performance.now();
        el.dataset.klaar = "ja";
      };
      map.on("render", mark);
    });
  };
  if (map.isStyleLoaded()) start(); else map.once("style.load", start);
  map.on("click", "buurt-vlak", (e) => {
    document.getElementById("gebied-info").textContent = "U klikte in buurt " + e.features[0].properties.naam + ".";
  });
})();
