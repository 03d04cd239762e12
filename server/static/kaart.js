// Residents' map: service points in their theme's colour and icon, clustered, area outlines
// as an offline basemap, and a search whose results show in the list and on the map. The
// URL holds the search, so a link can be shared and Back works. Without JavaScript the form
// opens /lijst. The points come as a compact list (id, position, themes) that the page
// preloads; details are loaded when a point is clicked.
(function () {
  "use strict";
  const el = document.getElementById("kaart");
  const form = document.getElementById("zoekformulier");
  const statusEl = document.getElementById("zoekstatus");
  const list = document.getElementById("resultaten");
  const themes = JSON.parse(el.dataset.themas);
  const FIELDS = ["q", "gebied", "dichtbij", "thema", "doelgroep"];
  const switchedOn = new Set(themes.map((t) => t.slug));  // themes ticked in the legend
  const urlSearch = () => new URLSearchParams(location.search);
  const hasSearch = (search) => [...search.keys()].some((k) => FIELDS.includes(k));
  let found = hasSearch(urlSearch()) ? new Set() : null;  // ids of the search results; null: all
  let points = [];  // [id, lon, lat, [theme slug, ...]]
  let map;

  // One clustered source; a point takes the colour and icon of its first theme that is on.
  function pointData() {
    const features = [];
    window.kaartTellingen = Object.fromEntries(themes.map((t) => [t.slug, 0]));  // read by the tests
    for (const [id, lon, lat, slugs] of points) {
      const on = slugs.filter((s) => switchedOn.has(s));
      if (!on.length || (found && !found.has(id))) continue;
      on.forEach((s) => { window.kaartTellingen[s] += 1; });
      features.push({ type: "Feature", id, geometry: { type: "Point", coordinates: [lon, lat] }, properties: { thema: on[0] } });
    }
    return { type: "FeatureCollection", features };
  }
  const showPoints = () => map.getSource("punten").setData(pointData());

  // The points are in the first style, so the map's worker handles them first. Plain circles
  // need no images, so they are drawn in the first frame; icons and counts follow. Wijken and
  // buurten are not drawn at the first zoom: their outlines load once the first view is done.
  const outlineUrl = (niveau) => el.dataset.gebiedenUrl.replace("NIVEAU", niveau);
  const later = () => ({ type: "geojson", data: { type: "FeatureCollection", features: [] } });
  const sources = () => ({ punten: { type: "geojson", data: pointData(), cluster: true, clusterRadius: 36, clusterMaxZoom: 13 },
    gemeente: { type: "geojson", data: outlineUrl("gemeente") }, wijk: later(), buurt: later() });
  const clustered = ["has", "point_count"], single = ["!", clustered];
  const layers = [
    { id: "gemeente-vlak", type: "fill", source: "gemeente", paint: { "fill-color": "#f7f5ef" } },
    { id: "buurt-vlak", type: "fill", source: "buurt", paint: { "fill-opacity": 0 } },
    { id: "buurt-lijn", type: "line", source: "buurt", minzoom: 12, paint: { "line-color": "#9a9a9a", "line-width": 0.6 } },
    { id: "wijk-lijn", type: "line", source: "wijk", minzoom: 10.5, paint: { "line-color": "#6b6b6b", "line-width": 1.2 } },
    { id: "gemeente-lijn", type: "line", source: "gemeente", paint: { "line-color": "#333333", "line-width": 2 } },
    { id: "groep", type: "circle", source: "punten", filter: clustered, paint: { "circle-color": "#1a1a1a",
      "circle-radius": ["step", ["get", "point_count"], 12, 10, 15, 50, 18], "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 } },
    { id: "punt", type: "circle", source: "punten", filter: single, paint: { "circle-radius": 10,
      "circle-color": ["match", ["get", "thema"], ...themes.flatMap((t) => [t.slug, t.kleur]), "#4d4d4d"],
      "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5 } },
  ];

  // Icons: each theme's Maki path drawn white; cluster counts drawn when first needed.
  function image(width, height, draw) {
    const canvas = document.createElement("canvas");
    canvas.width = width; canvas.height = height;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#ffffff";
    draw(ctx);
    return ctx.getImageData(0, 0, width, height);
  }
  function addIcons() {
    for (const t of themes) {
      const glyph = new Path2D(t.pad);
      map.addImage("thema-" + t.slug, image(22, 22, (ctx) => { ctx.scale(22 / 15, 22 / 15); ctx.fill(glyph); }), { pixelRatio: 2 });
    }
    map.addLayer({ id: "punt-icoon", type: "symbol", source: "punten", filter: single,
      layout: { "icon-image": ["concat", "thema-", ["get", "thema"]], "icon-allow-overlap": true } });
    map.addLayer({ id: "groep-getal", type: "symbol", source: "punten", filter: clustered,
      layout: { "icon-image": ["concat", "tel-", ["get", "point_count_abbreviated"]], "icon-allow-overlap": true } });
  }
  function countImage(e) {  // "tel-<count>": the number on a cluster
    if (!e.id.startsWith("tel-")) return;
    map.addImage(e.id, image(64, 32, (ctx) => {
      ctx.font = "bold 24px sans-serif"; ctx.textAlign = "center";
      ctx.textBaseline = "middle"; ctx.fillText(e.id.slice(4), 32, 17); }), { pixelRatio: 2 });
  }

  function text(tag, value, className) {
    const node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  }
  // "Gecontroleerd op ..." and, past VERIFY_MONTHS (data-verify-months), "Mogelijk verouderd".
  function freshness(checked) {
    const months = Number(el.dataset.verifyMonths) || 12;
    const out = [text("p", checked ? "Gecontroleerd op " + window.datumNl(checked) + "." : "Nog niet gecontroleerd.")];
    if (window.verouderd(checked, months)) {
      out.push(text("p", "Mogelijk verouderd: deze gegevens zijn langer dan " + months + " maanden niet gecontroleerd.", "verouderd"));
    }
    return out;
  }
  function popupContent(p) {
    if (!p) return text("p", "Deze plek kunnen we nu niet laden. Probeer het later opnieuw.");
    const box = document.createElement("div");
    const link = text("a", p.organisatie, "popup-naam");
    link.href = "/organisatie/" + p.organisatie_id;
    box.append(link, text("p", p.aanbod));
    const adres = [p.straat, p.huisnummer, p.plaats].filter(Boolean).join(" ");
    if (adres) box.append(text("p", adres));
    if (p.geocode_precisie && p.geocode_precisie !== "adres" && p.geocode_precisie !== "handmatig") {
      box.append(text("p", "Plek op de kaart is bij benadering (" + p.geocode_precisie + ")."));
    }
    if (p.synthetisch) box.append(text("p", "Verzonnen voorbeeld voor de demo."));
    box.append(...freshness(p.laatst_geverifieerd_op));
    return box;
  }
  const showPopup = (where, p) => new maplibregl.Popup().setLngLat(where).setDOMContent(popupContent(p)).addTo(map);
  function openPoint(feature) {
    const where = feature.geometry.coordinates;
    fetch("/ogc/collections/voorzieningen/items/" + feature.id, { headers: { Accept: "application/geo+json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r)))
      .then((item) => showPopup(where, item.properties), () => showPopup(where, null));
  }
  function openCluster(cluster) {
    map.getSource("punten").getClusterExpansionZoom(cluster.properties.cluster_id)
      .then((zoom) => map.easeTo({ center: cluster.geometry.coordinates, zoom }));
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
  // When nothing was found: links to try instead ("Bedoelt u thuiszorg?", "Zoek in Heerlen",
  // a theme). Each opens the same search on the map (and works as a plain link too).
  function showSuggestions(suggestions) {
    let box = document.getElementById("zoeksuggesties");
    if (!box) {
      box = document.createElement("ul");
      box.id = "zoeksuggesties";
      box.className = "zoeksuggesties";
      box.setAttribute("aria-label", "Probeer dit");
      statusEl.after(box);
    }
    box.replaceChildren();
    for (const s of suggestions || []) {
      const li = document.createElement("li"), link = text("a", s.tekst), next = new URLSearchParams(s.params);
      link.href = "/?" + next.toString();
      link.dataset.soort = s.soort;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        fill(next);
        history.pushState(null, "", link.href);
        runSearch(next);
      });
      li.append(s.voor, link, s.na);
      box.append(li);
    }
  }
  // The Waar field suggests area names while typing (gemeenten, wijken, places and everyday
  // names such as Maastricht-West), loaded when it first gets focus.
  form.elements.gebied.addEventListener("focus", () => {
    const names = document.createElement("datalist");
    names.id = "gebied-namen";
    form.append(names);
    form.elements.gebied.setAttribute("list", names.id);
    fetch("/api/zoeken/gebieden", { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r)))
      .then((data) => names.replaceChildren(...data.namen.map((n) => Object.assign(document.createElement("option"), { value: n }))), () => {});
  }, { once: true });
  function renderResults(result, search) {
    list.replaceChildren();
    showSuggestions(result.suggesties);
    const shown = result.items.length;
    // "Bedoelt u ...?" is shown as a link among the suggestions.
    const melding = result.melding && result.suggesties && result.suggesties.length ? result.melding.split(" Bedoelt u ")[0] : result.melding;
    statusEl.textContent = melding ? melding + " " : "";
    statusEl.textContent += result.total === 0 ? "We vonden niets. Probeer een ander woord of een grotere plaats."
      : "We vonden " + result.total + (result.total === 1 ? " plek." : " plekken.") + (result.total > shown ? " De eerste " + shown + " staan hieronder." : "");
    for (const item of result.items) {
      const li = document.createElement("li"), button = text("button", item.organisatie);
      button.type = "button";
      button.addEventListener("click", () => {
        map.flyTo({ center: [item.lon, item.lat], zoom: 15 });
        map.once("moveend", () => showPopup([item.lon, item.lat], item));
      });
      const meta = [item.aanbod, [item.straat, item.huisnummer, item.plaats].filter(Boolean).join(" ")];
      if (item.afstand_m != null) meta.push((item.afstand_m / 1000).toFixed(1).replace(".", ",") + " km");
      li.append(button, text("span", meta.filter(Boolean).join(" · "), "resultaat-meta"));
      list.append(li);
    }
    document.getElementById("lijstlink").href = "/lijst?" + search.toString();
    found = new Set(result.items.map((i) => i.id));
    showPoints();
    if (result.items.length) {
      const b = new maplibregl.LngLatBounds();
      result.items.forEach((i) => b.extend([i.lon, i.lat]));
      map.fitBounds(b, { padding: 60, maxZoom: 15 });
    }
  }
  function runSearch(search) {
    if (!hasSearch(search)) { list.replaceChildren(); showSuggestions([]); statusEl.textContent = ""; found = null; showPoints(); return; }
    statusEl.textContent = "Even zoeken…";
    search.set("limit", "200");
    fetch("/api/zoeken?" + search.toString(), { headers: { Accept: "application/json" } })
      .then((r) => r.json().then((body) => (r.ok ? body : Promise.reject(body))))
      .then((result) => { search.delete("limit"); renderResults(result, search); })
      .catch((problem) => { statusEl.textContent = (problem && problem.detail) || "Zoeken lukt nu niet. Probeer het later opnieuw."; });
  }

  // Mark the first frame in which service points are drawn (read by the benchmark and the tests).
  function firstPoints() {
    if (!map.queryRenderedFeatures({ layers: ["punt", "groep"] }).length) return;
    map.off("render", firstPoints);
    window.kaartKlaar = performance.now();
    el.dataset.klaar = "ja";
  }
  // Once the first view is complete: icons, cluster counts and the wijk and buurt outlines.
  function addDetail() {
    addIcons();
    for (const niveau of ["wijk", "buurt"]) map.getSource(niveau).setData(outlineUrl(niveau));
  }

  function listen() {
    map.on("render", firstPoints);
    map.once("idle", addDetail);
    map.on("styleimagemissing", countImage);
    map.on("click", "punt", (e) => openPoint(e.features[0]));
    map.on("click", "groep", (e) => openCluster(e.features[0]));
    for (const id of ["punt", "groep"]) {
      map.on("mouseenter", id, () => { map.getCanvas().style.cursor = "pointer"; });
      map.on("mouseleave", id, () => { map.getCanvas().style.cursor = ""; });
    }
    map.on("click", "buurt-vlak", (e) => {
      document.getElementById("gebied-info").textContent = "U klikte in buurt " + e.features[0].properties.naam + ".";
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const search = params();
      history.pushState(null, "", search.toString() ? "/?" + search.toString() : "/");
      runSearch(search);
    });
    window.addEventListener("popstate", () => {
      const search = urlSearch();
      fill(search); runSearch(search);
    });
    document.querySelectorAll('input[name="laag"]').forEach((box) => box.addEventListener("change", () => {
      if (box.checked) switchedOn.add(box.value); else switchedOn.delete(box.value);
      showPoints();
    }));
    const outlineLayer = { gemeente: "gemeente-lijn", wijk: "wijk-lijn", buurt: "buurt-lijn" };
    document.querySelectorAll('input[name="grens"]').forEach((box) => box.addEventListener("change", () => {
      map.setLayoutProperty(outlineLayer[box.value], "visibility", box.checked ? "visible" : "none");
    }));
  }

  // The map waits for the points (preloaded by the page, so usually already here), so they
  // are in its first style and its worker handles them first. Until then the form opens /lijst.
  fetch(el.dataset.puntenUrl)  // same URL and credentials as the <link rel="preload">, so that download is reused
    .then((r) => (r.ok ? r.json() : Promise.reject(r)))
    .then((data) => { points = data; }, () => { statusEl.textContent = "De plekken op de kaart laden lukt nu niet. Probeer het later opnieuw."; })
    .then(() => {
      map = basiskaart(el, sources(), layers, "Bron: CBS / Kadaster; © OpenStreetMap-bijdragers");
      window.socialeKaart = map;
      listen();
      if (found) map.once("style.load", () => runSearch(urlSearch()));
    });
})();
