// The popup of a place on the residents' map (kaart.js): per organisation its services with
// open-now, phone, address and freshness. ``T`` and ``fmt`` are the page's texts (data-teksten,
// server/kaart_texts.py); ``months`` is VERIFY_MONTHS (data-verify-months). Every text is set as
// text, never as HTML.
window.kaartPlek = function (T, fmt, months) {
  "use strict";
  function text(tag, value, className) {
    const node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  }
  // "Gecontroleerd op ..." and, past VERIFY_MONTHS (data-verify-months), "Mogelijk verouderd".
  function freshness(checked) {
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

  return { text, popupContent };
};
