/* The phone app shell: service worker, outbox sending and counts, logout, the offline bundle. */
(function () {
  "use strict";
  var meta = function (name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute("content") : "";
  };
  var user = meta("gridgov-user");
  var csrf = meta("csrf-token");
  var $ = function (id) { return document.getElementById(id); };
  var outboxReady = Promise.resolve().then(function () { return window.GridOutbox; });

  function showCount(n) {
    var pill = $("m-outbox-pill"), badge = $("m-badge-outbox");
    if (pill) { pill.hidden = !n; $("m-outbox-count").textContent = n; }
    if (badge) { badge.hidden = !n; badge.textContent = n; }
  }

  function refresh() {
    if (!user) return Promise.resolve([]);
    return outboxReady.then(function (ob) { return ob.list(user); }).then(function (items) {
      showCount(items.length);
      renderOutbox(items);
      return items;
    });
  }

  function send() {
    if (!user || !navigator.onLine) return refresh();
    return outboxReady.then(function (ob) { return ob.flush(user, csrf); }).then(refresh, refresh);
  }

  function renderOutbox(items) {
    var box = $("m-outbox");
    if (!box) return;
    box.textContent = "";
    if (!items.length) {
      var p = document.createElement("p"); p.className = "m-card m-empty";
      p.textContent = box.dataset.empty; box.appendChild(p); return;
    }
    items.forEach(function (item) {
      var card = document.createElement("div"); card.className = "m-card m-outbox-item";
      card.dataset.id = item.id;
      var t = document.createElement("strong");
      t.textContent = (item.label || item.url);
      var m = document.createElement("span"); m.className = "m-meta";
      m.textContent = new Date(item.created_at).toLocaleString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" }) +
        (item.attachments && item.attachments.length ? " · " + box.dataset.photos + " " + item.attachments.length : "") +
        (item.error || item.last_error ? " · " + (item.error || item.last_error) : "");
      var row = document.createElement("div"); row.className = "m-buttons";
      var retry = document.createElement("button"); retry.type = "button";
      retry.className = "m-button m-secondary"; retry.textContent = box.dataset.retry;
      retry.addEventListener("click", function () {
        outboxReady.then(function (ob) { return ob.retry(item.id); }).then(send);
      });
      var drop = document.createElement("button"); drop.type = "button";
      drop.className = "m-button m-danger"; drop.textContent = box.dataset.discard;
      drop.addEventListener("click", function () {
        if (!window.confirm(box.dataset.confirm)) return;
        outboxReady.then(function (ob) { return ob.remove(item.id); }).then(refresh);
      });
      row.appendChild(retry); row.appendChild(drop);
      card.appendChild(t); card.appendChild(m); card.appendChild(row);
      box.appendChild(card);
    });
  }

  function netState() {
    var el = $("m-net");
    if (el) el.hidden = navigator.onLine;
  }

  // An API that no longer knows this member: the service worker drops the data copies.
  function checkSignedIn(r) {
    if (r.status === 401 && navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "signed-out" });
    }
    return r;
  }

  function todoBadge() {
    var list = $("m-todo"), badge = $("m-badge-todo");
    if (!badge) return;
    var set = function (n) { badge.hidden = !n; badge.textContent = n || ""; };
    if (list) return set(parseInt(list.dataset.count || "0", 10));
    if (!navigator.onLine) return;
    fetch("/api/v1/phone/todo", { credentials: "same-origin" }).then(checkSignedIn)
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) set(d.count); }, function () {});
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator)) return;
    var url = meta("gridgov-sw");
    // The visit pages of the business lines are only answered offline (by the kept visit page).
    ["/m/", "/patrol/phone/", "/lines/m/visits/"].forEach(function (scope) {
      navigator.serviceWorker.register(url, { scope: scope }).then(function (reg) {
        if (scope === "/m/" && reg.sync && user) {
          window.GridSync = function () { return reg.sync.register("outbox").catch(function () {}); };
        }
      }, function () {});
    });
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (e.data && e.data.type === "outbox-sent") refresh();
    });
  }

  function guardLogout() {
    var form = $("m-logout");
    if (!form) return;
    form.addEventListener("submit", function (e) {
      if (form.dataset.confirmed) return;
      e.preventDefault();
      refresh().then(function (items) {
        if (items.length && !window.confirm(form.dataset.warn)) return;
        // The cached pages and bundle go; the outbox stays with its author for the next sign-in.
        var clear = window.caches ? caches.keys().then(function (keys) {
          return Promise.all(keys.filter(function (k) { return k.indexOf("gridgov-") === 0; })
            .map(function (k) { return caches.delete(k); }));
        }) : Promise.resolve();
        clear.then(function () { form.dataset.confirmed = "1"; form.submit(); });
      });
    });
  }

  // The home page refreshes the kept bundle (an unchanged one costs a 304), so the due visits
  // on the phone are those of the to-do list when the network goes.
  function refreshBundle() {
    var list = $("m-todo");
    if (!list || !list.dataset.bundle || !navigator.onLine) return;
    fetch(list.dataset.bundle, { credentials: "same-origin" }).then(checkSignedIn, function () {});
  }

  function loadBundle() {
    var box = $("m-data");
    if (!box) return;
    var state = $("m-bundle-state");
    fetch(box.dataset.bundle, { credentials: "same-origin" }).then(checkSignedIn).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (b) {
      var figs = $("m-bundle-figures"); figs.hidden = false;
      ["buildings", "households", "places", "cases"].forEach(function (k) {
        figs.querySelector('[data-n="' + k + '"]').textContent = (b[k] || []).length;
      });
      var search = $("m-data-search"); search.hidden = false;
      var list = $("m-data-list");
      var rows = (b.buildings || []).map(function (x) { return { t: x.name, m: x.address }; })
        .concat((b.households || []).map(function (h) {
          // Named by where the household lives; the household number below, still searchable.
          return { t: (h.where || h.number) + " " + h.head, m: h.where ? h.number : h.house,
            u: "/m/data/households/" + h.id + "/" };
        }));
      var draw = function () {
        var q = search.value.trim();
        list.textContent = "";
        rows.filter(function (r) { return !q || (r.t + r.m).indexOf(q) >= 0; }).slice(0, 50)
          .forEach(function (r) {
            var c = document.createElement(r.u ? "a" : "div");
            c.className = r.u ? "m-card m-card-link" : "m-card";
            if (r.u) c.href = r.u;
            var s = document.createElement("strong"); s.textContent = r.t;
            var m = document.createElement("span"); m.className = "m-meta"; m.textContent = r.m || "";
            c.appendChild(s); c.appendChild(m); list.appendChild(c);
          });
      };
      search.addEventListener("input", draw); draw();
    }).catch(function () { if (state) state.textContent = "—"; });
  }

  window.GridApp = {
    user: user, csrf: csrf, outbox: outboxReady, refresh: refresh, send: send,
    queue: function (item) {
      item.author = user;
      return outboxReady.then(function (ob) { return ob.add(item); }).then(function (saved) {
        if (window.GridSync) window.GridSync();
        return refresh().then(function () { return saved; });
      });
    }
  };

  // Offline, the service worker answers a page it has not kept (answered no-store, or never
  // seen) with the kept to-do list: say so, rather than show the list as if it were that page.
  function standIn() {
    var list = $("m-todo");
    if (!list || !list.dataset.self || location.pathname === list.dataset.self) return;
    var note = document.createElement("p");
    note.id = "m-todo-missing"; note.className = "m-card m-message"; note.setAttribute("role", "status");
    note.textContent = list.dataset.missing;
    list.parentNode.insertBefore(note, list);
  }

  function heading() {
    var h = document.querySelector(".m-top h1");
    if (h && !h.textContent.trim()) h.textContent = document.title.split(" · ")[0];
  }

  document.addEventListener("DOMContentLoaded", function () {
    heading(); standIn(); netState(); todoBadge(); guardLogout(); registerWorker(); loadBundle(); refreshBundle();
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
    outboxReady.then(function (ob) { if (user) ob.setMeta("csrf", csrf); ob.setMeta("user", user); });
    var now = $("m-send-now");
    if (now) now.addEventListener("click", send);
    send();
  });
  window.addEventListener("online", function () { netState(); send(); });
  window.addEventListener("offline", netState);
})();
