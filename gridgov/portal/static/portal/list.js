/* The public list's map: one marker per report (at its snapped point). */
(function () {
  "use strict";
  const el = document.getElementById("portal-list-map");
  if (!el) return;
  const items = JSON.parse(document.getElementById("portal-map-items").textContent);
  if (!window.L || !items.length) { el.classList.add("no-map"); return; }
  const map = L.map(el);
  const group = L.featureGroup(items.map((i) => L.marker([i.lat, i.lon], { title: `${i.icon} ${i.category}` })
    .bindPopup(`<a href="/portal/r/${encodeURIComponent(i.number)}/">${i.icon} ${i.number}</a>`))).addTo(map);
  map.fitBounds(group.getBounds(), { maxZoom: 16 });
})();
