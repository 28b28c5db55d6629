/* The kept visit page (/m/visits/): the member's due visits drawn from the offline bundle's
 * `visits` (person masked, building, due day, the form to send), each recorded into the outbox
 * by visit.js with its own UUID as the idempotency key and the position when the visit takes
 * one. The service worker shows this page in place of a visit page it has not kept: the visit
 * whose online page is the address shown opens at once. A visit waiting in the outbox shows as
 * such and is not offered twice. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var box, visits = [], waiting = {};

  function text(tag, cls, value) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = value;
    return el;
  }

  function where(v) {
    return [v.building, v.room || v.house].filter(Boolean).join(" · ") + (v.address ? " · " + v.address : "");
  }

  function dueText(v) {
    var today = new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
    return box.dataset.due + " " + v.due + (v.due < today ? " · " + box.dataset.overdue : "");
  }

  function drawList() {
    var list = $("m-visits-list");
    list.textContent = "";
    $("m-visit-one").hidden = true;
    list.hidden = false;
    if (!visits.length) { list.appendChild(text("p", "m-card m-empty", box.dataset.empty)); return; }
    visits.forEach(function (v) {
      var card = document.createElement("a");
      card.className = "m-card m-card-link m-visit-card";
      card.href = "#" + v.id;
      card.dataset.id = v.id;
      card.appendChild(text("strong", "", v.person));
      card.appendChild(text("span", "m-meta", where(v)));
      card.appendChild(text("span", "m-meta", dueText(v)));
      if (waiting[v.id]) card.appendChild(text("span", "m-kind m-kind-wait", box.dataset.waiting));
      list.appendChild(card);
    });
  }

  function findPosition(form, shown) {
    shown.hidden = false;
    if (!navigator.geolocation) { shown.textContent = shown.dataset.none; return; }
    shown.textContent = shown.dataset.finding;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.lon.value = pos.coords.longitude.toFixed(6);
      form.elements.lat.value = pos.coords.latitude.toFixed(6);
      form.elements.accuracy.value = Math.round(pos.coords.accuracy);
      shown.textContent = shown.dataset.ok + " ±" + Math.round(pos.coords.accuracy) + " m";
    }, function () { shown.textContent = shown.dataset.none; },
    { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }

  function open(v) {
    var form = $("m-visit-form"), head = $("m-visit-head"), shown = $("m-visit-position");
    $("m-visits-list").hidden = true;
    $("m-visit-one").hidden = false;
    $("m-visit-state").hidden = true;
    head.textContent = "";
    head.appendChild(text("strong", "", v.person));
    head.appendChild(text("span", "m-meta", where(v)));
    head.appendChild(text("span", "m-meta", dueText(v)));
    form.reset();
    form.dataset.visit = v.id;
    form.dataset.url = v.form.url;
    form.dataset.voiceUrl = v.form.voice_url;
    form.dataset.body = JSON.stringify(v.form.body || {});
    form.dataset.label = box.dataset.label + " · " + v.person;
    form.elements.met.disabled = !v.form.met;
    $("m-visit-met").hidden = !v.form.met;
    ["lon", "lat", "accuracy"].forEach(function (n) {
      form.elements[n].value = ""; form.elements[n].disabled = !v.form.position;
    });
    form.hidden = !!waiting[v.id];
    if (waiting[v.id]) {
      $("m-visit-state").hidden = false; $("m-visit-state").textContent = box.dataset.waiting;
    }
    if (v.form.position && !waiting[v.id]) findPosition(form, shown); else shown.hidden = true;
  }

  function chosen() {
    var id = location.hash.slice(1);
    return visits.filter(function (v) { return id ? v.id === id : v.page === location.pathname; })[0];
  }

  function show() {
    var v = chosen();
    if (v) { open(v); return; }
    drawList();
    // standing in for a page the phone has not kept, which is none of the due visits
    var state = $("m-visits-state");
    if (location.pathname !== box.dataset.self && !state.textContent) state.textContent = box.dataset.missing;
  }

  function loadWaiting() {
    return window.GridApp.refresh().then(function (items) {
      waiting = {};
      (items || []).forEach(function (i) { if (i.visit) waiting[i.visit] = true; });
    }, function () {});
  }

  function load() {
    var state = $("m-visits-state");
    return fetch(box.dataset.bundle, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (b) {
      visits = b.visits || [];
      state.textContent = "";
    }, function () {
      state.textContent = box.dataset.none;
    }).then(loadWaiting).then(show);
  }

  document.addEventListener("DOMContentLoaded", function () {
    box = $("m-visits");
    if (!box || !window.GridApp || !window.GridVisit) return;
    window.GridVisit.bind($("m-visit-form"), $("m-visit-state"), function (isWaiting) {
      var form = $("m-visit-form");
      if (isWaiting) waiting[form.dataset.visit] = true;
      else visits = visits.filter(function (v) { return v.id !== form.dataset.visit; });
      form.hidden = true;
    });
    $("m-visit-back").addEventListener("click", function () {
      if (location.hash) history.pushState(null, "", location.pathname);
      drawList();
    });
    window.addEventListener("hashchange", show);
    // Back online: app.js sends the outbox; once it is through, the sent visits leave the list.
    window.addEventListener("online", function () { window.GridApp.send().then(load); });
    load();
  });
})();
