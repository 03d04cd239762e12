// Residents' map: service points in their theme's colour and icon, clustered, area outlines
// as an offline basemap, and a search whose results show in the list and on the map. The
// URL holds the search, so a link can be shared and Back works. Without JavaScript the form
// opens /lijst. The points come as a compact list (one entry per place: service ids,
// position, themes) that the page preloads; the services at a place are loaded when its
// marker is opened. Names of gemeenten, woonplaatsen, wijken, buurten and streets are
// symbol layers whose letters MapLibre draws from the device's own font (no glyph files).
(function () {
  "use strict";
  const el = document.getElementById("kaart");
  const form = document.getElementById("zoekformulier");
  const statusEl = document.getElementById("zoekstatus");
  const list = document.getElementById("resultaten");
  // Texts in the page's language (data-teksten, server/kaart_texts.py); {name} marks a value.
  const T = JSON.parse(el.dataset.teksten);
  const fmt = (key, values) => T[key].replace(/\{(\w+)\}/g, (m, name) => values[name]);
  const themes = JSON.parse(el.dataset.themas);
  const FIELDS = ["q", "gebied", "dichtbij", "afstand", "thema", "doelgroep"];
  const switchedOn = new Set(themes.map((t) => t.slug));  // themes ticked in the legend
  const urlSearch = () => new URLSearchParams(location.search);
  const hasSearch = (search) => [...search.keys()].some((k) => FIELDS.includes(k));
  let found = hasSearch(urlSearch()) ? new Set() : null;  // ids of the search results; null: all
  let points = [];  // one per place: [[service id, ...], lon, lat, [theme slug, ...]] (+ places, for a grid cell)
  let map;

  // One clustered source, one marker per place; a marker takes the colour and icon of the
  // place's first theme that is on. Its feature id is the place's first service id.
  function pointData() {
    const features = [];
    window.kaartTellingen = Object.fromEntries(themes.map((t) => [t.slug, 0]));  // read by the tests
    for (const [ids, lon, lat, slugs, cell] of points) {
      const on = slugs.filter((s) => switchedOn.has(s));
      if (!on.length || (found && !ids.some((id) => found.has(id)))) continue;
      on.forEach((s) => { window.kaartTellingen[s] += 1; });
      // A grid cell of a crowded view (cell = its number of places) is drawn as a group.
      const group = cell ? { cluster: true, point_count: cell } : {};
      features.push({ type: "Feature", id: ids[0], geometry: { type: "Point", coordinates: [lon, lat] },
        properties: { thema: on[0], aantal: ids.length, plekken: cell || 1, ...group } });
    }
    return { type: "FeatureCollection", features };
  }
  const showPoints = () => map.getSource("punten").setData(pointData());

  // Points by viewport: first the places around the first view (the URL the page preloads),
  // then, when the view leaves the loaded box or zooms into grid cells, the places around it.
  const puntenBase = el.dataset.puntenUrl.split("?")[0];
  const firstBox = new URL(el.dataset.puntenUrl, location.href).searchParams.get("bbox");
  let loaded = { box: firstBox ? firstBox.split(",").map(Number) : [-180, -90, 180, 90], cells: false, zoom: 0 };
  let asked = 0;
  function receive(data, box) {
    points = data;
    loaded = { box, cells: data.some((p) => p.length > 4), zoom: map ? map.getZoom() : 0 };
  }
  function loadView() {
    const b = map.getBounds(), [w, s, e, n] = loaded.box;
    const inside = b.getWest() >= w && b.getSouth() >= s && b.getEast() <= e && b.getNorth() <= n;
    if (inside && !(loaded.cells && map.getZoom() > loaded.zoom + 0.5)) return;
    const dx = (b.getEast() - b.getWest()) / 2, dy = (b.getNorth() - b.getSouth()) / 2;
    const box = [Math.max(b.getWest() - dx, -180), Math.max(b.getSouth() - dy, -90),
      Math.min(b.getEast() + dx, 180), Math.min(b.getNorth() + dy, 90)].map((v) => +v.toFixed(4));
    const ask = ++asked;
    fetch(puntenBase + "?bbox=" + box.join(","), { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r)))
      .then((data) => { if (ask === asked) { receive(data, box); showPoints(); } },
        () => { statusEl.textContent = T.punten_fout; });
  }

  // The points are in the first style, so the map's worker handles them first. Plain circles
  // need no images, so they are drawn in the first frame; icons and counts follow. Wijken and
  // buurten are not drawn at the first zoom: their outlines load once the first view is done.
  const outlineUrl = (niveau) => el.dataset.gebiedenUrl.replace("NIVEAU", niveau);
  const later = () => ({ type: "geojson", data: { type: "FeatureCollection", features: [] } });
  const sources = () => ({ punten: { type: "geojson", data: pointData(), cluster: true, clusterRadius: 36, clusterMaxZoom: 13,
    clusterProperties: { plekken: ["+", ["get", "plekken"]] } },
    gemeente: { type: "geojson", data: outlineUrl("gemeente") }, wijk: later(), buurt: later() });
  const clustered = ["has", "point_count"], single = ["!", clustered];
  const layers = [
    { id: "gemeente-vlak", type: "fill", source: "gemeente", paint: { "fill-color": "#f7f5ef" } },
    { id: "buurt-vlak", type: "fill", source: "buurt", paint: { "fill-opacity": 0 } },
    { id: "buurt-lijn", type: "line", source: "buurt", minzoom: 12, paint: { "line-color": "#9a9a9a", "line-width": 0.6 } },
    { id: "wijk-lijn", type: "line", source: "wijk", minzoom: 10.5, paint: { "line-color": "#6b6b6b", "line-width": 1.2 } },
    { id: "gemeente-lijn", type: "line", source: "gemeente", paint: { "line-color": "#333333", "line-width": 2 } },
    { id: "groep", type: "circle", source: "punten", filter: clustered, paint: { "circle-color": "#1a1a1a",
      "circle-radius": ["step", ["get", "plekken"], 12, 10, 15, 50, 18], "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 } },
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
      layout: { "icon-image": ["concat", "tel-", ["to-string", ["get", "plekken"]]], "icon-allow-overlap": true } });
  }
  // Names by zoom: gemeenten first, then woonplaatsen, wijken, buurten and streets. Drawn
  // under the markers; MapLibre leaves out a name that would overlap another.
  const NAMES = [["gemeente", 8, 11.5, 16, "#1a1a1a", "Bold"], ["woonplaats", 10.5, 14.5, 14, "#1a1a1a", "Bold"],
    ["wijk", 12, 14.5, 13, "#3d3d3d", "Regular"], ["buurt", 13.5, 16.5, 12.5, "#4a4a4a", "Regular"]];
  function addNames() {
    map.addSource("namen", { type: "geojson", data: el.dataset.namenUrl });
    map.addSource("straten", { type: "geojson", data: el.dataset.stratenUrl });
    const layout = (size, weight) => ({ "text-field": ["get", "naam"], "text-size": size, "text-max-width": 8,
      "text-font": ["Noto Sans " + weight], "text-padding": 2,
      "text-variable-anchor": ["center", "top", "bottom", "left", "right"], "text-radial-offset": 1.2 });
    const paint = (color) => ({ "text-color": color, "text-halo-color": "#ffffff", "text-halo-width": 1.6 });
    // Added from the least to the most important: a higher layer places its names first.
    map.addLayer({ id: "naam-straat", type: "symbol", source: "straten", minzoom: 15.5,
      layout: layout(12, "Regular"), paint: paint("#333333") }, "groep");
    for (const [niveau, minzoom, maxzoom, size, color, weight] of NAMES.slice().reverse()) {
      map.addLayer({ id: "naam-" + niveau, type: "symbol", source: "namen", minzoom, maxzoom,
        filter: ["==", ["get", "niveau"], niveau], layout: layout(size, weight), paint: paint(color) }, "groep");
    }
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
    const out = [text("p", checked ? fmt("gecontroleerd", { datum: window.datumNl(checked) }) : T.niet_gecontroleerd)];
    if (window.verouderd(checked, months)) {
      out.push(text("p", fmt("verouderd", { maanden: months }), "verouderd"));
    }
    return out;
  }
  // "Nu open", "Nu gesloten", "Op afspraak" or nothing when the hours are unknown.
  function openNow(d) {
    if (d.open_nu === true) return text("strong", T.nu_open, "open-nu");
    if (d.open_nu === false) return text("span", d.op_afspraak ? T.gesloten_afspraak : T.nu_gesloten, "gesloten");
    return d.op_afspraak ? text("span", T.op_afspraak) : null;
  }
  // The popup of a place: per organisation its name (a link to its page), its services with
  // open-now, the phone number as a link, the address and when it was checked.
  function popupContent(place) {
    if (!place) return text("p", T.plek_fout);
    const box = document.createElement("div");
    box.className = "popup";
    const orgs = new Map();
    for (const d of place.diensten) {
      if (!orgs.has(d.organisatie_id)) orgs.set(d.organisatie_id, []);
      orgs.get(d.organisatie_id).push(d);
    }
    if (orgs.size > 1) box.append(text("p", fmt("organisaties", { n: orgs.size }), "popup-aantal"));
    for (const diensten of orgs.values()) {
      const d = diensten[0], org = document.createElement("section");
      const link = text("a", d.organisatie, "popup-naam");
      link.href = "/organisatie/" + d.organisatie_id;
      const list = document.createElement("ul");
      for (const service of diensten) {
        const li = text("li", service.aanbod), now = openNow(service);
        if (now) li.append(" · ", now);
        list.append(li);
      }
      org.append(link, list);
      if (d.telefoon) {
        const tel = text("a", d.telefoon, "popup-telefoon");
        tel.href = "tel:" + d.telefoon.replace(/[^0-9+]/g, "");
        const line = text("p", T.bel + " ");
        line.append(tel);
        org.append(line);
      }
      const adres = [d.straat, d.huisnummer, d.plaats].filter(Boolean).join(" ");
      if (adres) org.append(text("p", adres));
      if (d.geocode_precisie && d.geocode_precisie !== "adres" && d.geocode_precisie !== "handmatig") {
        org.append(text("p", fmt("benadering", { precisie: T.precisie[d.geocode_precisie] || d.geocode_precisie })));
      }
      if (d.synthetisch) org.append(text("p", T.verzonnen));
      const checked = diensten.map((x) => x.laatst_geverifieerd_op).sort()[0] || null;  // the oldest check
      org.append(...freshness(checked));
      box.append(org);
    }
    return box;
  }
  // A popup above the map's controls, kept inside the map (never under the attribution);
  // Escape closes it and the keyboard focus goes back to where it was.
  let popup = null;
  function showPlace(where, place, from) {
    if (popup) popup.remove();
    popup = new maplibregl.Popup({ maxWidth: "20rem", focusAfterOpen: true })
      .setLngLat(where).setDOMContent(popupContent(place)).addTo(map);
    const own = popup, node = own.getElement();
    node.addEventListener("keydown", (e) => { if (e.key === "Escape") own.remove(); });
    own.on("close", () => {  // removed from the page: the focus was inside when it fell back to <body>
      const lost = document.activeElement === document.body || node.contains(document.activeElement);
      if (from && document.contains(from) && lost) from.focus();
    });
    keepInView(own);
  }
  function keepInView(own) {
    const box = el.getBoundingClientRect(), r = own.getElement().getBoundingClientRect();
    const bar = el.querySelector(".maplibregl-ctrl-bottom-right").getBoundingClientRect();
    const bottom = (r.right > bar.left ? bar.top : box.bottom) - 8;
    let dx = 0, dy = 0;
    if (r.top < box.top + 8) dy = r.top - box.top - 8; else if (r.bottom > bottom) dy = r.bottom - bottom;
    if (r.left < box.left + 8) dx = r.left - box.left - 8; else if (r.right > box.right - 8) dx = r.right - box.right + 8;
    if (dx || dy) map.panBy([dx, dy], { duration: 0 });
  }
  // Open the place of a service (any of its ids) at ``where``.
  function openPlace(where, id, from) {
    fetch("/kaart/plek/" + id + ".json", { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r)))
      .then((place) => showPlace(where, place, from), () => showPlace(where, null, from));
  }
  const showPopup = (where, item) => openPlace(where, item.id, document.activeElement);
  const openPoint = (feature, from) => openPlace(feature.geometry.coordinates, feature.id, from);
  function openCluster(cluster) {
    if (cluster.properties.cluster_id == null) {  // a grid cell: zoom in, the places follow
      map.easeTo({ center: cluster.geometry.coordinates, zoom: map.getZoom() + 2 });
      return;
    }
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
      box.setAttribute("aria-label", T.probeer);
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
    const melding = result.melding && result.suggesties && result.suggesties.length ? result.melding.split(" " + T.bedoelt_u + " ")[0] : result.melding;
    statusEl.textContent = melding ? melding + " " : "";
    statusEl.textContent += result.total === 0 ? T.niets
      : fmt(result.total === 1 ? "gevonden_1" : "gevonden", { n: result.total }) + (result.total > shown ? " " + fmt("eerste", { n: shown }) : "");
    for (const item of result.items) {
      const li = document.createElement("li"), button = text("button", item.organisatie);
      button.type = "button";
      button.addEventListener("click", () => {
        map.flyTo({ center: [item.lon, item.lat], zoom: 15 });
        map.once("moveend", () => showPopup([item.lon, item.lat], item));
      });
      const meta = [item.aanbod, [item.straat, item.huisnummer, item.plaats].filter(Boolean).join(" ")];
      if (item.afstand_m != null) meta.push((item.afstand_m / 1000).toFixed(1).replace(".", T.decimaal) + " km");
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
    statusEl.textContent = T.bezig;
    search.set("limit", "200");
    fetch("/api/zoeken?" + search.toString(), { headers: { Accept: "application/json" } })
      .then((r) => r.json().then((body) => (r.ok ? body : Promise.reject(body))))
      .then((result) => { search.delete("limit"); renderResults(result, search); })
      .catch((problem) => { statusEl.textContent = (problem && problem.detail) || T.zoeken_fout; });
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
    addNames();
    for (const niveau of ["wijk", "buurt"]) map.getSource(niveau).setData(outlineUrl(niveau));
  }

  // Keyboard: the places and groups drawn in the current view, nearest the middle first, as
  // buttons in the panel; the list follows the map. Enter on the map itself opens the
  // marker nearest its middle.
  const inView = document.getElementById("in-beeld-lijst");
  function drawnNearMiddle() {
    const c = map.project(map.getCenter()), seen = new Set(), out = [];
    for (const f of map.queryRenderedFeatures({ layers: ["punt", "groep"] })) {
      const key = f.properties.cluster_id != null ? "g" + f.properties.cluster_id : "p" + f.id;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push([map.project(f.geometry.coordinates).dist(c), f]);
    }
    return out.sort((a, b) => a[0] - b[0]).map((x) => x[1]);
  }
  function listInView() {
    const drawn = drawnNearMiddle(), shown = drawn.slice(0, 30);
    document.getElementById("in-beeld-aantal").textContent = "(" + drawn.length + ")";
    inView.replaceChildren(...shown.map((f) => {
      const li = document.createElement("li"), button = document.createElement("button");
      button.type = "button";
      const theme = themes.find((t) => t.slug === f.properties.thema);
      button.textContent = f.properties.cluster ? fmt("groep", { n: f.properties.plekken })
        : (theme ? theme.naam : T.plek) + (f.properties.aantal > 1 ? " " + fmt("diensten", { n: f.properties.aantal }) : "");
      button.addEventListener("click", () => (f.properties.cluster ? openCluster(f) : openPoint(f, button)));
      li.append(button);
      return li;
    }));
  }
  let listTimer = 0;
  const inViewBox = document.querySelector(".in-beeld");
  const listSoon = () => {  // only while the list is open: no work for the map otherwise
    clearTimeout(listTimer);
    if (inViewBox.open) listTimer = setTimeout(listInView, 250);
  };

  // Phones: one button shows the map at once (the panel makes room), the other the search
  // and list. Opening a result or a place from the list shows the map.
  const layout = document.querySelector(".kaart-layout");
  const narrow = window.matchMedia("(max-width: 700px)");
  function show(view) {
    layout.dataset.weergave = view;
    document.getElementById("toon-kaart").setAttribute("aria-pressed", String(view === "kaart"));
    document.getElementById("toon-lijst").setAttribute("aria-pressed", String(view === "lijst"));
    map.resize();
    if (narrow.matches) window.scrollTo({ top: layout.offsetTop, behavior: "instant" });
  }
  // The print link follows the search: it takes the list link's parameters.
  function printLink() {
    const lijst = document.getElementById("lijstlink"), regel = document.getElementById("printregel");
    const follow = () => {
      const query = lijst.href.split("?")[1] || "";
      regel.hidden = !new URLSearchParams(query).toString();
      document.getElementById("printlink").href = "/print?" + query;
    };
    new MutationObserver(follow).observe(lijst, { attributes: true, attributeFilter: ["href"] });
  }
  function layoutButtons() {
    printLink();
    document.querySelector(".weergave").hidden = false;
    document.getElementById("toon-kaart").addEventListener("click", () => show("kaart"));
    document.getElementById("toon-lijst").addEventListener("click", () => show("lijst"));
    for (const id of ["resultaten", "in-beeld-lijst"]) {
      document.getElementById(id).addEventListener("click", (e) => {
        if (narrow.matches && e.target.closest("button")) show("kaart");
      });
    }
  }

  function listen() {
    layoutButtons();
    map.on("moveend", listSoon);
    map.on("moveend", loadView);
    map.on("sourcedata", (e) => { if (e.sourceId === "punten" && e.isSourceLoaded) listSoon(); });
    inViewBox.addEventListener("toggle", listSoon);
    map.getCanvas().setAttribute("aria-label", T.kaart_toetsen);
    map.getCanvas().addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      const f = drawnNearMiddle()[0];
      if (f) (f.properties.cluster ? openCluster(f) : openPoint(f, map.getCanvas()));
    });
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
      document.getElementById("gebied-info").textContent = fmt("buurt_klik", { naam: e.features[0].properties.naam });
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
    .then((data) => { receive(data, loaded.box); }, () => { statusEl.textContent = T.punten_fout; })
    .then(() => {
      map = basiskaart(el, sources(), layers, T.bron);
      loaded.zoom = map.getZoom();
      window.socialeKaart = map;
      listen();
      if (found) map.once("style.load", () => runSearch(urlSearch()));
    });
})();
