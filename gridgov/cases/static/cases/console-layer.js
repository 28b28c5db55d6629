/* Open cases as a layer of the console map (off until chosen in the layer control). */
document.addEventListener("gridgov:map-ready", (event) => {
  const { map, overlays } = event.detail;
  const group = L.layerGroup();
  let loaded = false;
  overlays.addOverlay(group, document.documentElement.lang.startsWith("zh") ? "在办事件" : "Open cases");
  map.on("overlayadd", (e) => {
    if (e.layer !== group || loaded) return;
    loaded = true;
    fetch("/api/v1/cases/map.geojson?status=open&days=365", { credentials: "same-origin" }).then((r) => r.json()).then((data) => {
      data.features.forEach((f) => {
        const p = f.properties;
        L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], { radius: 5, weight: 1, color: "#fff", fillColor: p.card === "red" ? "#d93025" : p.card === "yellow" ? "#f29900" : "#1f4e8c", fillOpacity: 0.9 })
          .bindPopup(`<a href="/cases/${Number(p.id)}/">${window.gridgov.escapeHtml(p.title)}</a>`).addTo(group);
      });
    });
  });
});
