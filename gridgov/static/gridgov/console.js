/* The console: area tree beside a Leaflet map of the grids, an area card, and the point locator. */
(function () {
  "use strict";
  const mapEl = document.getElementById("map");
  if (!mapEl) return;
  const settings = JSON.parse(document.getElementById("map-settings").textContent);
  const text = JSON.parse(document.getElementById("console-i18n").textContent);
  const esc = window.gridgov.escapeHtml;
  const RISK = { high: "#d93025", medium: "#f29900", low: "#1a73e8" };
  const map = L.map("map", { zoomControl: true, attributionControl: true, minZoom: 8 });
  const overlays = L.control.layers(null, null, { collapsed: false, position: "topright" });
  window.gridgovMap = map;

  if (settings.tileUrl) {
    const opts = { maxZoom: 18, attribution: settings.tileAttribution || "" };
    if (settings.tileSubdomains) opts.subdomains = settings.tileSubdomains;
    L.tileLayer(settings.tileUrl, opts).addTo(map);
    if (settings.labelTileUrl) L.tileLayer(settings.labelTileUrl, opts).addTo(map);
  } else {
    mapEl.classList.add("no-tiles");
  }

  const gridsByCode = new Map();
  let selected = null;
  let outline = null;
  let marker = null;

  function gridStyle(feature) {
    const p = feature.properties;
    if (p.kind && p.kind !== "regular") {
      return { color: "#6b6b6b", weight: 1, fillColor: RISK[p.risk] || "#8e44ad", fillOpacity: 0.5 };
    }
    return { color: "#5b87c5", weight: 0.8, fillColor: "#e3edf8", fillOpacity: 0.6 };
  }
  const outlineStyle = (level) => (level === "street"
    ? { color: "#1f4e8c", weight: 2.6, fill: false, interactive: false }
    : { color: "#3d6fb0", weight: 1.5, fill: false, interactive: false, dashArray: level === "community" ? null : "4 4" });

  async function getJSON(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(url + " → " + response.status);
    return response.json();
  }

  function addGrids(collection) {
    const layer = L.geoJSON(collection, {
      style: gridStyle,
      onEachFeature: (feature, lyr) => {
        gridsByCode.set(feature.properties.code, lyr);
        lyr.bindTooltip(esc(feature.properties.name), { sticky: true, className: "grid-tip" });
        lyr.on("click", (e) => { L.DomEvent.stopPropagation(e); locate(e.latlng); });
      },
    }).addTo(map);
    return layer;
  }

  function highlight(code) {
    if (selected) { selected.setStyle(gridStyle(selected.feature)); selected = null; }
    const lyr = gridsByCode.get(code);
    if (lyr) { lyr.setStyle({ color: "#0b2e59", weight: 3, fillOpacity: 0.75 }); lyr.bringToFront(); selected = lyr; }
  }

  function fitBox(bbox) {
    if (!bbox) return;
    const v = bbox.split(",").map(Number);
    if (v.length === 4 && v.every((n) => !Number.isNaN(n))) map.fitBounds([[v[1], v[0]], [v[3], v[2]]], { padding: [20, 20], maxZoom: 17 });
  }

  async function showOutline(code, level) {
    if (outline) { map.removeLayer(outline); outline = null; }
    if (level === "grid") return;
    const data = await getJSON(`/api/v1/areas/${code}/geojson?levels=${level}`);
    outline = L.geoJSON(data, { style: { color: "#0b2e59", weight: 3.5, fill: false, interactive: false, dashArray: "8 5" } }).addTo(map);
  }

  function selectArea(code, bbox, level, fit = true) {
    if (!code) return;
    htmx.ajax("GET", `/areas/${code}/card/`, { target: "#card", swap: "innerHTML" });
    highlight(code);
    if (fit && bbox) fitBox(bbox);
    if (level) showOutline(code, level).catch(() => {});
    document.querySelectorAll(".node-label.current").forEach((el) => el.classList.remove("current"));
    document.querySelectorAll(`.node-label[data-select="${code}"]`).forEach((el) => el.classList.add("current"));
    const url = new URL(window.location.href);
    url.searchParams.set("area", code);
    window.history.replaceState(null, "", url);
  }

  async function locate(latlng) {
    const box = document.getElementById("locate-result");
    box.textContent = text.loading;
    if (marker) map.removeLayer(marker);
    marker = L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 2, fillColor: "#d93025", fillOpacity: 1 }).addTo(map);
    const lon = latlng.lng.toFixed(7), lat = latlng.lat.toFixed(7);
    try {
      const answer = await getJSON(`/api/v1/locate?lon=${lon}&lat=${lat}`);
      if (!answer.found) { box.textContent = `${text.outside} (${lon}, ${lat})`; box.dataset.grid = ""; return; }
      const chain = answer.chain.map((a) => a.name).join(" › ");
      box.innerHTML = "";
      const strong = document.createElement("strong");
      strong.textContent = `${answer.grid.name}`;
      box.append(`${text.inGrid} `, strong, ` (${answer.grid.code})`, document.createElement("br"), chain);
      box.dataset.grid = answer.grid.code;
      marker.bindPopup(`${esc(answer.grid.name)}<br><small>${esc(answer.grid.code)}</small>`).openPopup();
      selectArea(answer.grid.code, null, null, false);
    } catch (err) {
      box.textContent = String(err);
    }
  }

  map.on("click", (e) => locate(e.latlng));

  document.addEventListener("click", (e) => {
    const link = e.target.closest("[data-select]");
    if (!link) return;
    e.preventDefault();
    selectArea(link.dataset.select, link.dataset.bbox, link.dataset.level);
  });

  async function start() {
    const first = document.querySelector("#tree > li.node");
    if (!first) { map.setView([34.8, 113.7], 11); return; }
    const rootLabel = first.querySelector(".node-label");
    const root = first.dataset.code;
    fitBox(rootLabel.dataset.bbox);
    const roots = Array.from(document.querySelectorAll("#tree > li.node")).map((li) => li.dataset.code);
    const loads = roots.map(async (code) => {
      const grids = await getJSON(`/api/v1/areas/${code}/geojson?levels=grid`);
      addGrids(grids);
      const lines = await getJSON(`/api/v1/areas/${code}/geojson?levels=street,community`);
      L.geoJSON(lines, { style: (f) => outlineStyle(f.properties.level) }).addTo(map);
    });
    await Promise.all(loads);
    mapEl.dataset.loaded = String(gridsByCode.size);
    document.dispatchEvent(new CustomEvent("gridgov:map-ready", { detail: { map, overlays, roots } }));
    if (overlays._layers.length) overlays.addTo(map);
    const wanted = mapEl.dataset.selected || root;
    const node = document.querySelector(`[data-select="${wanted}"]`);
    selectArea(wanted, node ? node.dataset.bbox : null, node ? node.dataset.level : null, Boolean(node));
  }
  start().catch((err) => { document.getElementById("locate-result").textContent = String(err); });
})();
