// The member's patrol on the phone: start/stop, "tracking on", positions buffered and sent in
// batches every N seconds while the page is open (a browser cannot track in the background).
(function () {
  "use strict";
  var root = document.querySelector("[data-patrol-phone]");
  if (!root) return;
  var interval = (parseInt(root.dataset.interval, 10) || 15) * 1000;
  var csrf = root.dataset.csrf;
  var session = root.dataset.session || "";
  var buffer = [];
  var sent = 0;
  var watch = null;
  var timer = null;
  var lastFix = 0;
  var $ = function (sel) { return root.querySelector(sel); };

  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.status === 204 ? null : r.json();
    });
  }

  function show() {
    var on = !!session;
    $("[data-indicator]").hidden = !on;
    $("[data-start]").hidden = on;
    $("[data-stop]").hidden = !on;
    $("[data-sent]").textContent = String(sent);
    $("[data-waiting]").textContent = String(buffer.length);
    document.body.classList.toggle("tracking-on", on);
  }

  function onFix(pos) {
    // Keep at most one fix per interval; the server drops duplicates and impossible jumps anyway.
    if (pos.timestamp - lastFix < interval - 500) return;
    lastFix = pos.timestamp;
    var c = pos.coords;
    buffer.push({
      lat: c.latitude, lon: c.longitude, time: pos.timestamp, accuracy: c.accuracy,
      speed: c.speed, heading: c.heading, altitude: c.altitude,
    });
    $("[data-gps]").textContent = root.dataset.accuracy + " ±" + Math.round(c.accuracy) + " m";
    show();
  }

  function flush() {
    if (!session || !buffer.length) return Promise.resolve();
    var batch = buffer.slice(0, 200);
    return api("POST", "/api/v1/patrols/" + session + "/positions", { positions: batch })
      .then(function (answer) {
        buffer.splice(0, batch.length);  // replays are harmless: duplicates are dropped
        sent += answer.accepted;
        show();
      })
      .catch(function () { /* kept in the buffer, sent with the next batch */ });
  }

  function track() {
    if (!navigator.geolocation) { $("[data-gps]").textContent = root.dataset.noGps; return; }
    watch = navigator.geolocation.watchPosition(onFix, function () {
      $("[data-gps]").textContent = root.dataset.noGps;
    }, { enableHighAccuracy: true, maximumAge: 5000, timeout: 30000 });
    timer = setInterval(flush, interval);
  }

  function untrack() {
    if (watch !== null) navigator.geolocation.clearWatch(watch);
    if (timer !== null) clearInterval(timer);
    watch = timer = null;
  }

  $("[data-start]").addEventListener("click", function () {
    api("POST", "/api/v1/patrols/start", { kind: "patrol" }).then(function (s) {
      session = String(s.id);
      interval = (s.interval_s || 15) * 1000;
      show();
      track();
    });
  });
  $("[data-stop]").addEventListener("click", function () {
    untrack();
    flush().then(function () {
      return api("POST", "/api/v1/patrols/" + session + "/end");
    }).then(function () {
      session = "";
      show();
    });
  });
  window.addEventListener("pagehide", function () { flush(); });
  if (session) track();
  show();
})();
