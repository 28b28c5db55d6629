/* Buildings, places and organizations as clustered layers of the console map, loaded for the view. */
document.addEventListener("gridgov:map-ready", (event) => {
  const { map, overlays } = event.detail;
  const zh = document.documentElement.lang.startsWith("zh");
  const layers = [
    ["buildings", zh ? "楼栋" : "Buildings", "#1f4e8c"],
    ["places", zh ? "场所与部件" : "Places and components", "#1e8e3e"],
    ["organizations", zh ? "单位" : "Organizations", "#b06000"],
  ];
  const makeGroup = () => (L.markerClusterGroup ? L.markerClusterGroup({ chunkedLoading: true }) : L.layerGroup());
  layers.forEach(([key, label, color]) => {
    const group = makeGroup();
    let loaded = false;
    overlays.addOverlay(group, label);
    map.on("overlayadd", (e) => {
      if (e.layer !== group || loaded) return;
      loaded = true;
      fetch(`/api/v1/registry/map.geojson?layer=${key}`, { credentials: "same-origin" }).then((r) => r.json()).then((data) => {
        data.features.forEach((f) => {
          const p = f.properties;
          const id = Number(p.id);
          const link = key === "buildings" ? `/registry/buildings/${id}/` : key === "places" ? `/registry/places/${id}/edit/` : `/registry/organizations/${id}/edit/`;
          L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], { radius: 5, weight: 1, color: "#fff", fillColor: color, fillOpacity: 0.9 })
            .bindPopup(`<a href="${link}">${window.gridgov.escapeHtml(p.name)}</a>${p.kind_label ? `<br><small>${window.gridgov.escapeHtml(p.kind_label)}</small>` : ""}`).addTo(group);
        });
      });
    });
  });
});
