/* A warning's map. On the form: draw, edit and remove polygons over the issuer's areas with
   Leaflet-Geoman; every change writes all drawn shapes into the polygons field as a GeoJSON
   FeatureCollection, and a GeoJSON pasted into that field is drawn. On the warning's page: its
   target areas and polygons, read only. */
(function () {
  "use strict";
  const el = document.getElementById("wn-map");
  if (!el || !window.L) return;
  const read = (id) => { const node = document.getElementById(id); return node ? JSON.parse(node.textContent) : null; };
  const settings = read("map-settings") || {};
  const outlines = read("wn-outlines");
  const map = L.map(el);
  if (settings.tileUrl) L.tileLayer(settings.tileUrl, { maxZoom: 18, subdomains: settings.tileSubdomains || "abc", attribution: settings.tileAttribution || "" }).addTo(map);
  else el.classList.add("no-tiles");
  const context = L.geoJSON(outlines, {
    style: { color: "#1f4e8c", weight: 1.5, fillColor: "#9bb7de", fillOpacity: 0.15 },
    pmIgnore: true,
    interactive: false,
    onEachFeature: (f, layer) => { if (f.properties && f.properties.name) layer.bindTooltip(f.properties.name, { permanent: false, direction: "center" }); },
  }).addTo(map);
  const drawnStyle = { color: "#c62828", weight: 2, fillColor: "#c62828", fillOpacity: 0.25 };
  const input = document.getElementById("id_polygons");
  const drawn = L.featureGroup().addTo(map);

  function geometries(text) {
    if (!text || !text.trim()) return [];
    let value;
    try { value = JSON.parse(text); } catch (e) { return null; }
    if (Array.isArray(value)) return value;
    if (value && value.type === "FeatureCollection") return (value.features || []).map((f) => f && f.geometry).filter(Boolean);
    if (value && value.type === "Feature") return [value.geometry];
    return [value];
  }
  function show(list) {
    drawn.clearLayers();
    (list || []).forEach((g) => {
      L.geoJSON(g, { style: drawnStyle }).eachLayer((layer) => { layer.on("pm:edit", store); drawn.addLayer(layer); });
    });
  }
  function store() {
    if (!input) return;
    const features = drawn.getLayers().map((layer) => ({ type: "Feature", properties: {}, geometry: layer.toGeoJSON().geometry }));
    input.value = features.length ? JSON.stringify({ type: "FeatureCollection", features: features }) : "";
  }
  function fit() {
    const bounds = L.latLngBounds([]);
    if (drawn.getLayers().length) bounds.extend(drawn.getBounds());
    if (context.getLayers().length) bounds.extend(context.getBounds());
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20] });
    else map.setView([34.75, 113.65], 11);
  }

  show(input ? geometries(input.value) : read("wn-polygons"));
  fit();
  if (!input) return; // the warning's page: nothing to edit
  map.pm.setLang((document.documentElement.lang || "zh").toLowerCase().startsWith("zh") ? "zh" : "en");
  map.pm.setGlobalOptions({ pathOptions: drawnStyle });
  map.pm.addControls({ position: "topleft", drawMarker: false, drawCircleMarker: false, drawPolyline: false, drawCircle: false, drawText: false, cutPolygon: false, rotateMode: false, dragMode: false });
  map.on("pm:create", (e) => { e.layer.on("pm:edit", store); drawn.addLayer(e.layer); store(); });
  map.on("pm:remove", (e) => { drawn.removeLayer(e.layer); store(); });
  input.addEventListener("change", () => {
    const list = geometries(input.value);
    if (list !== null) { show(list); fit(); }
  });
})();
