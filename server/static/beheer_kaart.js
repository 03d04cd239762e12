// Editors place a location (/beheer/organisaties/.../locatie/...): click on the map or drag
// the pin. The point is written into the lon/lat fields of the form (WGS84), and the shown
// precision becomes "handmatig"; the server stores it in RD New. Without JavaScript the same
// fields (or the address with "Opslaan en plaats op adres") do the work.
(function () {
  "use strict";
  const el = document.getElementById("plaatskaart");
  if (!el || !window.maplibregl) return;
  const lon = document.getElementById("veld-lon");
  const lat = document.getElementById("veld-lat");
  const output = document.getElementById("precisie");
  const outline = el.dataset.gebiedenUrl.replace("NIVEAU", "gemeente");
  const sources = { gemeente: { type: "geojson", data: outline } };
  const layers = [
    { id: "gemeente-vlak", type: "fill", source: "gemeente", paint: { "fill-color": "#f7f5ef" } },
    { id: "gemeente-lijn", type: "line", source: "gemeente", paint: { "line-color": "#333333", "line-width": 2 } },
  ];
  const map = window.basiskaart(el, sources, layers, "Bron: CBS / Kadaster");
  window.beheerKaart = map;
  let marker = null;

  function place(lngLat, manual) {
    if (!marker) {
      marker = new maplibregl.Marker({ draggable: true, color: "#005ea5" }).setLngLat(lngLat).addTo(map);
      marker.on("dragend", () => place(marker.getLngLat(), true));
    } else {
      marker.setLngLat(lngLat);
    }
    if (manual) {
      lon.value = lngLat.lng.toFixed(6);
      lat.value = lngLat.lat.toFixed(6);
      output.textContent = "precisie: handmatig (nog niet opgeslagen)";
    }
  }

  const current = [parseFloat(lon.value), parseFloat(lat.value)];
  map.on("load", () => {
    if (!Number.isNaN(current[0]) && !Number.isNaN(current[1])) {
      place({ lng: current[0], lat: current[1] }, false);
      map.jumpTo({ center: current, zoom: 15 });
    }
  });
  map.on("click", (event) => place(event.lngLat, true));
  // Typed coordinates move the pin too.
  [lon, lat].forEach((input) => input.addEventListener("change", () => {
    const x = parseFloat(lon.value.replace(",", ".")), y = parseFloat(lat.value.replace(",", "."));
    if (!Number.isNaN(x) && !Number.isNaN(y)) place({ lng: x, lat: y }, false);
  }));
})();
