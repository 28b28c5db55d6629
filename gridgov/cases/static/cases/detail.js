/* The case page: a small map of where the case is, over its grid's outline. */
(function () {
  "use strict";
  const el = document.getElementById("case-map");
  if (!el) return;
  const lon = Number(el.dataset.lon), lat = Number(el.dataset.lat);
  const map = L.map(el, { zoomControl: true }).setView([lat, lon], 16);
  el.classList.add("no-tiles");
  fetch(`/api/v1/areas/${encodeURIComponent(el.dataset.grid)}/geojson?levels=grid`, { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : null)).then((g) => {
    if (g) {
      const layer = L.geoJSON(g, { style: { color: "#1f4e8c", weight: 2, fillOpacity: 0.1 } }).addTo(map);
      map.fitBounds(layer.getBounds(), { maxZoom: 17 });
    }
  });
  L.circleMarker([lat, lon], { radius: 8, color: "#fff", weight: 2, fillColor: "#d93025", fillOpacity: 1 }).addTo(map);
})();
