/* The report page: category picker by icons and search, position by GPS (accuracy shown) or a
 * tap on the member's grid map (Leaflet loaded only when the map is opened), a photo made
 * smaller on the phone (long edge <= 2048 px, <= 500 KB JPEG) and a voice note (voice.js), sent
 * through the outbox. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var MAX_EDGE = 2048, MAX_BYTES = 500 * 1024;
  var photo = null;

  function data(id) { var el = $(id); return el ? JSON.parse(el.textContent) : []; }

  function choose(code, name) {
    $("m-category").value = code;
    var chosen = $("m-cat-chosen"); chosen.hidden = false; chosen.textContent = "✓ " + name + " (" + code + ")";
    $("m-cat-items").hidden = true;
  }

  function showItems(items) {
    var box = $("m-cat-items");
    box.textContent = "";
    items.forEach(function (c) {
      var b = document.createElement("button"); b.type = "button"; b.className = "m-cat-item";
      b.textContent = c.name; b.dataset.code = c.code;
      b.addEventListener("click", function () { choose(c.code, c.name); });
      box.appendChild(b);
    });
    box.hidden = !items.length;
  }

  function setupCategories() {
    var groups = data("m-categories");
    var all = [];
    groups.forEach(function (g) { g.items.forEach(function (c) { all.push(c); }); });
    document.querySelectorAll(".m-cat-group").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var g = groups.filter(function (x) { return x.code === btn.dataset.group; })[0];
        document.querySelectorAll(".m-cat-group").forEach(function (o) { o.classList.toggle("m-on", o === btn); });
        showItems(g ? g.items : []);
      });
    });
    $("m-cat-search").addEventListener("input", function (e) {
      var q = e.target.value.trim();
      showItems(q ? all.filter(function (c) { return c.name.indexOf(q) >= 0 || c.code.indexOf(q.toUpperCase()) === 0; }).slice(0, 20) : []);
    });
  }

  function setPosition(lon, lat, text) {
    $("m-lon").value = lon; $("m-lat").value = lat;
    $("m-where").textContent = text;
  }

  function setupGps() {
    $("m-gps").addEventListener("click", function () {
      if (!navigator.geolocation) return;
      $("m-where").textContent = "…";
      navigator.geolocation.getCurrentPosition(function (p) {
        var c = p.coords;
        setPosition(c.longitude.toFixed(6), c.latitude.toFixed(6),
          c.longitude.toFixed(5) + ", " + c.latitude.toFixed(5) + " ±" + Math.round(c.accuracy) + " m");
      }, function (err) { $("m-where").textContent = err.message; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 10000 });
    });
  }

  function loadLeaflet(form) {
    if (window.L) return Promise.resolve(window.L);
    return new Promise(function (resolve, reject) {
      var css = document.createElement("link"); css.rel = "stylesheet"; css.href = form.dataset.mapCss;
      document.head.appendChild(css);
      var s = document.createElement("script"); s.src = form.dataset.mapJs;
      s.onload = function () { resolve(window.L); }; s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  function setupMap(form) {
    var map = null, marker = null;
    $("m-map-open").addEventListener("click", function () {
      var box = $("m-map"); box.hidden = false;
      if (map) return;
      loadLeaflet(form).then(function (L) {
        map = L.map(box, { zoomControl: true, attributionControl: false });
        var grids = data("m-grids").filter(function (g) { return g.geometry; });
        var layer = L.geoJSON({ type: "FeatureCollection", features: grids.map(function (g) {
          return { type: "Feature", geometry: g.geometry, properties: { name: g.name } };
        }) }, { style: { color: "#0b5cad", weight: 2, fillOpacity: 0.08 } }).addTo(map);
        if (grids.length) map.fitBounds(layer.getBounds()); else map.setView([34.75, 113.62], 13);
        map.on("click", function (e) {
          if (marker) marker.setLatLng(e.latlng); else marker = L.circleMarker(e.latlng, { radius: 9 }).addTo(map);
          setPosition(e.latlng.lng.toFixed(6), e.latlng.lat.toFixed(6),
            e.latlng.lng.toFixed(5) + ", " + e.latlng.lat.toFixed(5));
        });
      });
    });
  }

  /* A photo as a JPEG blob, long edge <= 2048 px, quality lowered until <= 500 KB. */
  function shrink(file) {
    return createImageBitmap(file).then(function (img) {
      var scale = Math.min(1, MAX_EDGE / Math.max(img.width, img.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(img.width * scale); canvas.height = Math.round(img.height * scale);
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      var attempt = function (q) {
        return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", q); })
          .then(function (blob) {
            if (blob.size <= MAX_BYTES || q <= 0.35) return { blob: blob, w: canvas.width, h: canvas.height };
            return attempt(q - 0.1);
          });
      };
      return attempt(0.85);
    });
  }

  function setupPhoto() {
    $("m-photo").addEventListener("change", function (e) {
      var file = e.target.files && e.target.files[0];
      photo = null;
      if (!file) { $("m-photo-info").textContent = ""; return; }
      shrink(file).then(function (r) {
        photo = r.blob;
        $("m-photo-info").textContent = r.w + "×" + r.h + " · " + Math.round(r.blob.size / 1024) + " KB";
      }, function (err) { $("m-photo-info").textContent = String(err); });
    });
  }

  function setupSubmit(form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var err = $("m-report-error"); err.hidden = true;
      var description = $("m-description").value.trim();
      var lon = $("m-lon").value, lat = $("m-lat").value, address = $("m-address").value.trim();
      if (!description) { err.hidden = false; err.textContent = form.dataset.needDescription; return; }
      if (!(lon && lat) && !address) { err.hidden = false; err.textContent = form.dataset.needPlace; return; }
      var id = window.GridOutbox.uuid();
      var body = { description: description, channel: "grid_member", idempotency_key: id };
      var category = $("m-category").value;
      if (category) body.category = category;
      if (lon && lat) { body.lon = parseFloat(lon); body.lat = parseFloat(lat); } else { body.address = address; }
      var attachments = photo ? [{ url: "/api/v1/cases/{id}/photos", field: "file", blob: photo, name: "photo.jpg" }] : [];
      var voiceBox = form.querySelector(".m-voice"), voice = window.GridVoice && window.GridVoice.take(voiceBox);
      if (voice) attachments.push({ url: "/api/v1/cases/{id}/voice", field: "file", blob: voice.blob, name: voice.name });
      var item = { id: id, url: "/api/v1/cases", method: "POST", body: body,
        label: ($("m-cat-chosen").hidden ? "" : $("m-cat-chosen").textContent.replace("✓ ", "") + " · ") + description.slice(0, 40),
        attachments: attachments };
      $("m-send").disabled = true;
      window.GridApp.queue(item).then(function () { return window.GridApp.send(); }).then(function (items) {
        var ok = $("m-report-ok"); ok.hidden = false;
        ok.textContent = ok.dataset[items && items.length ? "queued" : "sent"];
        form.reset(); photo = null; if (voiceBox && window.GridVoice) window.GridVoice.clear(voiceBox); $("m-cat-chosen").hidden = true; $("m-where").textContent = "";
        $("m-lon").value = ""; $("m-lat").value = ""; $("m-category").value = "";
      }).finally(function () { $("m-send").disabled = false; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = $("m-report");
    if (!form) return;
    setupCategories(); setupGps(); setupMap(form); setupPhoto(); setupSubmit(form);
  });
})();
