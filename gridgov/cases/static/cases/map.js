/* The case map: open cases clustered (or as a heat layer), over the grid outlines of the user's scope. */
(function () {
  "use strict";
  const el = document.getElementById("case-map-full");
  if (!el) return;
  const settings = JSON.parse(document.getElementById("map-settings").textContent);
  const words = JSON.parse(document.getElementById("map-i18n").textContent);
  // Clustering needs a highest zoom even when no tile layer gives one (no tile server set).
  const map = L.map(el, { maxZoom: 18, minZoom: 4 }).setView([34.80, 113.72], 12);
  window.gridgovCaseMap = map;
  if (settings.tileUrl) L.tileLayer(settings.tileUrl, { maxZoom: 18, subdomains: settings.tileSubdomains || "abc", attribution: settings.tileAttribution || "" }).addTo(map);
  else el.classList.add("no-tiles");
  const COLORS = { yellow: "#f29900", red: "#d93025", "": "#1f4e8c" };
  let layer = null;
  fetch("/api/v1/me", { credentials: "same-origin" }).then((r) => r.json()).then((me) => Promise.all((me.scope_codes.length ? me.scope_codes : ["4"]).slice(0, 3).map((code) =>
    fetch(`/api/v1/areas/${code}/geojson?levels=community`, { credentials: "same-origin" }).then((r) => r.ok ? r.json() : null)
  ))).then((sets) => {
    const outlines = L.featureGroup();
    sets.filter(Boolean).forEach((g) => L.geoJSON(g, { style: { color: "#5b87c5", weight: 1, fill: false }, interactive: false }).addTo(outlines));
    outlines.addTo(map);
    if (outlines.getLayers().length) map.fitBounds(outlines.getBounds());
  }).catch(() => {});
  const form = document.getElementById("map-filters");
  function load() {
    const params = new URLSearchParams(new FormData(form));
    const heat = params.get("heat");
    params.delete("heat");
    fetch(`/api/v1/cases/map.geojson?${params}`, { credentials: "same-origin" }).then((r) => r.json()).then((data) => {
      if (layer) map.removeLayer(layer);
      if (heat) {
        layer = L.heatLayer(data.features.map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0], 0.6]), { radius: 18, blur: 14 });
      } else {
        layer = L.markerClusterGroup({ chunkedLoading: true });
        data.features.forEach((f) => {
          const p = f.properties;
          L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], { radius: 6, color: "#fff", weight: 1, fillColor: COLORS[p.card] || COLORS[""], fillOpacity: 0.9 })
            .bindPopup(`<a href="/cases/${p.id}/">${p.title.replace(/</g, "&lt;")}</a>`).addTo(layer);
        });
      }
      layer.addTo(map);
      document.getElementById("map-count").textContent = `${data.features.length} ${words.cases}`;
      el.dataset.loaded = String(data.features.length);
    });
  }
  const legend = L.control({ position: "bottomleft" });
  legend.onAdd = () => {
    const box = L.DomUtil.create("div", "legend");
    box.id = "map-legend";
    [["", words.noCard], ["yellow", words.yellow], ["red", words.red]].forEach(([key, label]) => {
      const row = L.DomUtil.create("div", "", box);
      const dot = L.DomUtil.create("span", "legend-dot", row);
      dot.style.background = COLORS[key];
      row.appendChild(document.createTextNode(" " + label));
    });
    const outline = L.DomUtil.create("div", "", box);
    L.DomUtil.create("span", "legend-line", outline);
    outline.appendChild(document.createTextNode(" " + words.outline));
    return box;
  };
  legend.addTo(map);
  form.addEventListener("change", load);
  load();
})();
