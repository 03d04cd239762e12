// Editors' freshness map: wijken or buurten from the OGC collection `actualiteit`, coloured by
// the share of public services verified within VERIFY_MONTHS (grey: no public services).
// Clicking an area shows its figures beside the map. Built like the coverage map (dekking.js).
(function () {
  "use strict";
  const el = document.getElementById("kaart");
  const details = document.getElementById("gebied-details");
  const bounds = JSON.parse(el.dataset.klassen);  // lower bounds in percent
  const colours = JSON.parse(el.dataset.kleuren);
  const noData = el.dataset.geenGegevens;

  const colour = ["step", ["to-number", ["get", "aandeel_gecontroleerd"]], colours[0]];
  bounds.slice(1).forEach((lo, i) => colour.push(lo, colours[i + 1]));
  const hasShare = ["!=", ["get", "aandeel_gecontroleerd"], null];
  const sources = {
    gemeente: { type: "geojson", data: el.dataset.gebiedenUrl },
    actualiteit: { type: "geojson", data: { type: "FeatureCollection", features: [] } },
  };
  const layers = [
    { id: "gemeente-vlak", type: "fill", source: "gemeente", paint: { "fill-color": "#f7f5ef" } },
    { id: "actualiteit-vlak", type: "fill", source: "actualiteit",
      paint: { "fill-color": ["case", hasShare, colour, noData], "fill-opacity": 0.85 } },
    { id: "actualiteit-lijn", type: "line", source: "actualiteit", paint: { "line-color": "#606060", "line-width": 0.5 } },
    { id: "gemeente-lijn", type: "line", source: "gemeente", paint: { "line-color": "#333333", "line-width": 1.5 } },
    { id: "gekozen", type: "line", source: "actualiteit", filter: ["==", ["get", "code"], ""],
      paint: { "line-color": "#000000", "line-width": 3 } },
  ];
  const map = basiskaart(el, sources, layers, "Bron: CBS / Kadaster; gegevens: Sociale Kaart");
  window.actualiteitKaart = map;

  function row(dl, label, value) {
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = label;
    dd.textContent = value;
    dl.append(dt, dd);
  }
  function choose(p) {
    const title = document.createElement("h3");
    title.textContent = p.naam + " (" + p.code + ")";
    const dl = document.createElement("dl");
    row(dl, "Openbaar aanbod", String(p.aantal_aanbod));
    row(dl, "Gecontroleerd in de laatste " + p.drempel_maanden + " maanden", String(p.aantal_gecontroleerd));
    row(dl, "Deel gecontroleerd", p.aandeel_gecontroleerd == null ? "geen aanbod"
      : String(p.aandeel_gecontroleerd).replace(".", ",") + "%");
    if (p.oudste_controle) row(dl, "Oudste controle", window.datumNl ? window.datumNl(p.oudste_controle) : p.oudste_controle);
    details.replaceChildren(title, dl);
    map.setFilter("gekozen", ["==", ["get", "code"], p.code]);
  }
  map.on("click", "actualiteit-vlak", (e) => choose(e.features[0].properties));
  map.on("mouseenter", "actualiteit-vlak", () => { map.getCanvas().style.cursor = "pointer"; });
  map.on("mouseleave", "actualiteit-vlak", () => { map.getCanvas().style.cursor = ""; });

  const data = fetch(el.dataset.itemsUrl, { headers: { Accept: "application/geo+json" } }).then((r) => r.json());
  map.on("load", () => {
    data.then((collection) => {
      const features = collection.features || [];
      map.getSource("actualiteit").setData({ type: "FeatureCollection", features });
      window.actualiteitAantal = features.length;  // read by the browser tests
      map.once("idle", () => { el.dataset.klaar = "ja"; });
    });
  });
})();
