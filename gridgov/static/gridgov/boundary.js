/* Draw or edit one area's boundary with Leaflet-Geoman; the polygon goes into the form as GeoJSON. */
(function () {
  "use strict";
  const el = document.getElementById("boundary-map");
  if (!el) return;
  const settings = JSON.parse(document.getElementById("map-settings").textContent);
  const current = JSON.parse(document.getElementById("area-geojson").textContent);
  const context = JSON.parse(document.getElementById("context-geojson").textContent);
  const input = document.querySelector("#boundary-form input[name=geometry]");
  const map = L.map(el);
  if (settings.tileUrl) L.tileLayer(settings.tileUrl, { maxZoom: 18, attribution: settings.tileAttribution || "" }).addTo(map);
  else el.classList.add("no-tiles");
  const neighbours = L.geoJSON(context, { style: { color: "#888", weight: 1, fillColor: "#ccc", fillOpacity: 0.3 }, pmIgnore: true, interactive: false }).addTo(map);
  let shape = null;
  function store() { input.value = shape ? JSON.stringify(shape.toGeoJSON().geometry) : ""; }
  if (current) {
    shape = L.geoJSON(current, { style: { color: "#1f4e8c", weight: 2, fillOpacity: 0.3 } }).getLayers()[0];
    shape.addTo(map);
    shape.on("pm:edit", store);
    store();
    map.fitBounds(shape.getBounds(), { padding: [30, 30] });
  } else if (neighbours.getLayers().length) {
    map.fitBounds(neighbours.getBounds());
  } else {
    map.setView([34.8, 113.7], 12);
  }
  map.pm.addControls({ position: "topleft", drawMarker: false, drawCircleMarker: false, drawPolyline: false, drawCircle: false, drawText: false, cutPolygon: false, rotateMode: false });
  map.on("pm:create", (e) => {
    if (shape) map.removeLayer(shape);
    shape = e.layer;
    shape.on("pm:edit", store);
    store();
  });
  map.on("pm:remove", () => { shape = null; store(); });
})();
