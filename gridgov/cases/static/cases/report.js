/* Report pages: a client-made idempotency key (a retried send makes one case), GPS or a tap on the map. */
(function () {
  "use strict";
  const form = document.getElementById("report-form");
  if (!form) return;
  const key = form.querySelector("input[name=idempotency_key]");
  if (key && !key.value) key.value = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)).replace(/-/g, "");
  const lon = form.querySelector("input[name=lon]"), lat = form.querySelector("input[name=lat]");
  const crs = form.querySelector("input[name=crs]");
  const status = document.getElementById("gps-status");
  const el = document.getElementById("report-map");
  const map = L.map(el).setView([34.80, 113.72], 13);
  el.classList.add("no-tiles");
  const settings = JSON.parse(document.getElementById("map-settings").textContent);
  if (settings.tileUrl) { el.classList.remove("no-tiles"); L.tileLayer(settings.tileUrl, { maxZoom: 18, subdomains: settings.tileSubdomains || "abc" }).addTo(map); }
  fetch("/api/v1/me", { credentials: "same-origin" }).then((r) => r.json()).then((me) => {
    const code = (me.scope_codes || [])[0];
    if (!code) return;
    return fetch(`/api/v1/areas/${code}/geojson?levels=grid`, { credentials: "same-origin" }).then((r) => r.json()).then((g) => {
      const layer = L.geoJSON(g, { style: { color: "#5b87c5", weight: 1, fillOpacity: 0.15 }, interactive: false }).addTo(map);
      if (layer.getLayers().length) map.fitBounds(layer.getBounds());
    });
  }).catch(() => {});
  let marker = null;
  function put(latlng, text) {
    lon.value = latlng.lng.toFixed(7); lat.value = latlng.lat.toFixed(7); crs.value = "wgs84";
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng).addTo(map);
    status.textContent = text || `${lat.value}, ${lon.value}`;
  }
  map.on("click", (e) => put(e.latlng));
  window.GridReport = { map: map, put: put };
  const words = JSON.parse(document.getElementById("geo-words").textContent);
  const gps = document.getElementById("use-gps");
  if (gps) gps.addEventListener("click", () => {
    if (!navigator.geolocation) { status.textContent = words.unsupported; return; }
    status.textContent = words.locating;
    navigator.geolocation.getCurrentPosition((p) => { const ll = L.latLng(p.coords.latitude, p.coords.longitude); put(ll); map.setView(ll, 17); },
      (err) => { status.textContent = words[String(err.code)] || words["2"]; }, { enableHighAccuracy: true, timeout: 15000 });
  });
  form.addEventListener("submit", () => { const b = form.querySelector("button[type=submit]"); if (b) b.disabled = true; });
})();
