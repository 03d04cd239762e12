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
  const stijl = kaartStijl(el, themes);  // kaart_stijl.js: sources, layers, icons, names
  const { text, popupContent } = kaartPlek(T, fmt, Number(el.dataset.verifyMonths) || 12);  // kaart_plek.js

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
    stijl.addIcons(map);
    stijl.addNames(map);
    for (const niveau of ["wijk", "buurt"]) map.getSource(niveau).setData(stijl.outlineUrl(niveau));
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
    map.on("styleimagemissing", (e) => stijl.countImage(map, e));
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
      map = basiskaart(el, stijl.sources(pointData()), stijl.layers, T.bron);
      loaded.zoom = map.getZoom();
      window.socialeKaart = map;
      listen();
      if (found) map.once("style.load", () => runSearch(urlSearch()));
    });
})();
