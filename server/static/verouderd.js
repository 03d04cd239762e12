// Freshness for the map: the JavaScript twin of geo/records/freshness.py (is_stale). A record
// never verified, or verified before the same day `months` months ago, is "mogelijk
// verouderd". Dates are ISO text (YYYY-MM-DD) as the OGC features and /api/zoeken give them.
(function () {
  "use strict";
  // The page's language: month names from the map's texts (server/kaart_texts.py), else Dutch.
  const texts = document.querySelector("[data-teksten]");
  const MONTHS = (texts && JSON.parse(texts.dataset.teksten).maanden) || ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
    "september", "oktober", "november", "december"];
  const pad = (n) => String(n).padStart(2, "0");

  // The oldest date that is still fresh, as YYYY-MM-DD (the day clipped to the month's length).
  window.verouderdGrens = function (months, today) {
    const d = today || new Date();
    const index = d.getFullYear() * 12 + d.getMonth() - months;
    const year = Math.floor(index / 12), month = index - year * 12;
    const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    return year + "-" + pad(month + 1) + "-" + pad(Math.min(d.getDate(), last));
  };
  window.verouderd = function (checked, months, today) {
    if (!checked) return true;
    return String(checked).slice(0, 10) < window.verouderdGrens(months, today);
  };
  // "2026-03-12" -> "12 maart 2026" (as geo/dutch.py datum_nl).
  window.datumNl = function (iso) {
    const [y, m, d] = String(iso).slice(0, 10).split("-").map(Number);
    return d + " " + MONTHS[m - 1] + " " + y;
  };
})();
