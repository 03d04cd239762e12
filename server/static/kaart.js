// Residents' map: an offline basemap drawn from our own CBS polygons (no tile server).
(function () {
  "use strict";
  const el = document.getElementById("kaart");
  const bbox = JSON.parse(el.dataset.bbox || "null") || [5.55, 50.75, 6.25, 51.1];
  const url = (niveau) => el.dataset.gebiedenUrl.replace("NIVEAU", niveau);

  const sources = {
    gemeente: { type: "geojson", data: url("gemeente") },
    wijk: { type: "geojson", data: url("wijk") },
    buurt: { type: "geojson", data: url("buurt") },
  };
  const layers = [
    { id: "achtergrond", type: "background", paint: { "background-color": "#dfe9f2" } },
    { id: "gemeente-vlak", type: "fill", source: "gemeente", paint: { "fill-color": "#f7f5ef" } },
    // Invisible fill so a click anywhere inside a buurt finds it.
    { id: "buurt-vlak", type: "fill", source: "buurt", paint: { "fill-opacity": 0 } },
    { id: "buurt-lijn", type: "line", source: "buurt", minzoom: 12,
      paint: { "line-color": "#9a9a9a", "line-width": 0.6 } },
    { id: "wijk-lijn", type: "line", source: "wijk", minzoom: 10.5,
      paint: { "line-color": "#6b6b6b", "line-width": 1.2 } },
    { id: "gemeente-lijn", type: "line", source: "gemeente",
      paint: { "line-color": "#333333", "line-width": 2 } },
  ];
  const map = new maplibregl.Map({
    container: el,
    style: { version: 8, sources, layers },
    bounds: [[bbox[0], bbox[1]], [bbox[2], bbox[3]]],
    fitBoundsOptions: { padding: 20 },
    attributionControl: { customAttribution: "Bron: CBS / Kadaster" },
  });
  map.addControl(new maplibregl.NavigationControl(), "top-right");
  window.socialeKaart = map;

  const visibleLayer = { gemeente: "gemeente-lijn", wijk: "wijk-lijn", buurt: "buurt-lijn" };
  document.querySelectorAll('input[name="laag"]').forEach((box) => {
    box.addEventListener("change", () => {
      map.setLayoutProperty(visibleLayer[box.value], "visibility", box.checked ? "visible" : "none");
    });
  });

  const info = document.getElementById("gebied-info");
  map.on("click", (event) => {
    const hits = map.queryRenderedFeatures(event.point, { layers: ["buurt-vlak", "gemeente-vlak"] });
    const buurt = hits.find((f) => f.layer.id === "buurt-vlak");
    const gemeente = hits.find((f) => f.layer.id === "gemeente-vlak");
    const parts = [];
    if (buurt) parts.push("buurt " + buurt.properties.naam);
    if (gemeente) parts.push("gemeente " + gemeente.properties.naam);
    info.textContent = parts.length ? "U klikte in: " + parts.join(", ") + "." : "Hier ligt geen gebied.";
  });
})();
