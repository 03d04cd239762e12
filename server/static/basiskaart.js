// Shared by the residents' map and the coverage map: the offline basemap (background and
// our own gemeente polygons, or the optional PDOK BRT raster), the first view on the loaded
// gemeenten (data-bbox) and the zoom buttons, all labelled in Dutch. Pages add their own
// sources and layers.
const KAART_NL = {
  "AttributionControl.ToggleAttribution": "Bronnen van de kaart tonen of verbergen",
  "AttributionControl.MapFeedback": "Meld een fout in de kaart",
  "FullscreenControl.Enter": "Kaart schermvullend", "FullscreenControl.Exit": "Kaart niet meer schermvullend",
  "GeolocateControl.FindMyLocation": "Toon waar ik ben", "GeolocateControl.LocationNotAvailable": "Uw plek is niet bekend",
  "LogoControl.Title": "MapLibre-logo", "Map.Title": "Kaart. Schuif met de pijltjestoetsen, zoom met + en -.",
  "Marker.Title": "Plek op de kaart",
  "NavigationControl.ResetBearing": "Draai de kaart terug met het noorden boven",
  "NavigationControl.ZoomIn": "Inzoomen", "NavigationControl.ZoomOut": "Uitzoomen",
  "Popup.Close": "Sluiten", "ScaleControl.Meters": "m", "ScaleControl.Kilometers": "km",
  "CooperativeGesturesHandler.WindowsHelpText": "Gebruik Ctrl + scrollen om in of uit te zoomen",
  "CooperativeGesturesHandler.MacHelpText": "Gebruik ⌘ + scrollen om in of uit te zoomen",
  "CooperativeGesturesHandler.MobileHelpText": "Gebruik twee vingers om de kaart te verschuiven",
};
// A map in another language carries MapLibre's labels in its texts (data-teksten on the map
// element, server/kaart_texts.py); other maps keep the Dutch labels above.
function localeTexts(el) {
  return (el.dataset.teksten && JSON.parse(el.dataset.teksten).maplibre) || KAART_NL;
}
window.basiskaart = function (el, sources, layers, attribution) {
  "use strict";
  const bbox = JSON.parse(el.dataset.bbox || "null") || [5.55, 50.75, 6.25, 51.1];
  const base = [{ id: "achtergrond", type: "background", paint: { "background-color": "#dfe9f2" } }];
  if (el.dataset.onlineBasemap === "ja") {
    sources.brt = { type: "raster", tileSize: 256, attribution: "Kaartgegevens © Kadaster (PDOK)",
      tiles: ["https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png"] };
    base.push({ id: "brt", type: "raster", source: "brt" });
    layers = layers.filter((layer) => layer.id !== "gemeente-vlak");  // the raster shows land
  }
  const map = new maplibregl.Map({
    container: el, style: { version: 8, sources, layers: base.concat(layers) },
    bounds: [[bbox[0], bbox[1]], [bbox[2], bbox[3]]], fitBoundsOptions: { padding: 20 },
    attributionControl: { customAttribution: attribution }, locale: localeTexts(el),
  });
  map.addControl(new maplibregl.NavigationControl(), "top-right");
  return map;
};
