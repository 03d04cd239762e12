// The look of the residents' map (kaart.js): its sources and layers, the theme icons, the
// numbers on groups and the names of areas and streets. The points are in the first style,
// so the map's worker handles them first. Plain circles need no images, so they are drawn in
// the first frame; icons and counts follow. Wijken and buurten are not drawn at the first
// zoom: their outlines load once the first view is done (kaart.js calls addIcons, addNames).
window.kaartStijl = function (el, themes) {
  "use strict";
  const outlineUrl = (niveau) => el.dataset.gebiedenUrl.replace("NIVEAU", niveau);
  const later = () => ({ type: "geojson", data: { type: "FeatureCollection", features: [] } });
  const sources = (points) => ({ punten: { type: "geojson", data: points, cluster: true, clusterRadius: 36, clusterMaxZoom: 13,
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
  function addIcons(map) {
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
  function addNames(map) {
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
  function countImage(map, e) {  // "tel-<count>": the number on a cluster
    if (!e.id.startsWith("tel-")) return;
    map.addImage(e.id, image(64, 32, (ctx) => {
      ctx.font = "bold 24px sans-serif"; ctx.textAlign = "center";
      ctx.textBaseline = "middle"; ctx.fillText(e.id.slice(4), 32, 17); }), { pixelRatio: 2 });
  }

  return { sources, layers, outlineUrl, addIcons, addNames, countImage };
};
