// Desk maps of the patrol part: track playback, grid coverage, live on-duty members.
(function () {
  "use strict";
  function settings() {
    var el = document.getElementById("map-settings");
    return el ? JSON.parse(el.textContent) : {};
  }
  function baseMap(el) {
    var map = L.map(el, { preferCanvas: true });
    var s = settings();
    if (s.tileUrl) {
      L.tileLayer(s.tileUrl, { attribution: s.tileAttribution || "", subdomains: s.tileSubdomains || "abc", maxZoom: 19 }).addTo(map);
    }
    map.setView([34.71, 113.62], 14);
    return map;
  }
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  if (typeof L === "undefined") return;

  var trackEl = document.querySelector("[data-track-map]");
  if (trackEl) {
    // The answer's points are arrays of one field each; t is seconds since day_start, shown as
    // the local clock of the answer's time zone (Asia/Shanghai).
    var t = data("track-data");
    var p = t.points;
    var map = baseMap(trackEl);
    var clock = new Intl.DateTimeFormat("en-GB", {
      timeZone: t.time_zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
    });
    var dayStart = Date.parse(t.day_start);
    var latLng = function (i) { return [p.lat[i], p.lon[i]]; };
    t.segments.forEach(function (seg) {
      var line = [];
      for (var i = seg[0]; i < seg[1]; i++) line.push(latLng(i));
      L.polyline(line, { color: "#1565c0", weight: 4 }).addTo(map);
    });
    t.stops.forEach(function (s) {
      L.circleMarker([s.lat, s.lon], { radius: 7, color: "#c62828" }).addTo(map).bindTooltip(s.start.slice(11, 16) + " · " + s.minutes + " min");
    });
    if (t.count) {
      var bounds = L.latLngBounds(p.lat.map(function (lat, i) { return [lat, p.lon[i]]; }));
      map.fitBounds(bounds.pad(0.2));
      var marker = L.circleMarker(latLng(0), { radius: 8, color: "#2e7d32", fillOpacity: 0.9 }).addTo(map);
      var scrub = document.querySelector("[data-scrub]");
      var when = document.querySelector("[data-when]");
      var playing = null;
      var go = function (i) {
        marker.setLatLng(latLng(i));
        when.textContent = clock.format(new Date(dayStart + p.t[i] * 1000));
        scrub.value = String(i);
      };
      scrub.addEventListener("input", function () { go(parseInt(scrub.value, 10)); });
      document.querySelector("[data-play]").addEventListener("click", function () {
        if (playing) { clearInterval(playing); playing = null; return; }
        var i = parseInt(scrub.value, 10) || 0;
        playing = setInterval(function () {
          if (i >= t.count - 1) { clearInterval(playing); playing = null; return; }
          go(++i);
        }, 80);
      });
      go(0);
    }
  }

  var covEl = document.querySelector("[data-coverage-map]");
  if (covEl) {
    var c = data("coverage-data");
    var cmap = baseMap(covEl);
    var grid = L.geoJSON(c.grid, { style: { color: "#455a64", weight: 2, fillOpacity: 0.05 } }).addTo(cmap);
    cmap.fitBounds(grid.getBounds().pad(0.1));
    if (c.covered) L.geoJSON(c.covered, { style: { color: "#2e7d32", weight: 0, fillOpacity: 0.45 } }).addTo(cmap);
  }

  var liveEl = document.querySelector("[data-live-map]");
  if (liveEl) {
    var lmap = baseMap(liveEl);
    var layer = L.layerGroup().addTo(lmap);
    var list = document.querySelector("[data-live-list]");
    var etag = null;
    var fitted = false;
    var poll = function () {
      var headers = etag ? { "If-None-Match": etag } : {};
      fetch(liveEl.dataset.url, { credentials: "same-origin", headers: headers }).then(function (r) {
        if (r.status === 304) return null;
        etag = r.headers.get("ETag");
        return r.ok ? r.json() : null;
      }).then(function (answer) {
        if (!answer) return;
        layer.clearLayers();
        list.textContent = "";
        var pts = [];
        answer.items.forEach(function (m) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = liveEl.dataset.trackUrl + "?member=" + m.user;
          a.textContent = m.name;
          li.appendChild(a);
          li.appendChild(document.createTextNode(m.age_s === null ? "" : " · " + m.age_s + liveEl.dataset.ago + (m.stale ? " · " + liveEl.dataset.stale : "")));
          if (m.stale) li.className = "stale";
          list.appendChild(li);
          if (m.lat === null) return;
          pts.push([m.lat, m.lon]);
          L.circleMarker([m.lat, m.lon], { radius: 8, color: m.stale ? "#9e9e9e" : "#1565c0", fillOpacity: 0.8 })
            .addTo(layer).bindTooltip(m.name);
        });
        if (pts.length && !fitted) { lmap.fitBounds(L.latLngBounds(pts).pad(0.2)); fitted = true; }
      }).catch(function () {});
    };
    poll();
    setInterval(poll, 15000);
  }
})();
