/* The phone app's service worker (CONFIG is prepended by the server: shell, pages, version).
 * - the static shell is precached and served cache-first;
 * - phone pages and the offline bundle go to the network first and fall back to the copy kept
 *   when they were last seen (never an answer marked no-store, never a redirect to sign-in);
 *   the bundle is fetched at install too;
 * - a visit page (a visit task, a special-population visit: answered no-store, so never kept)
 *   opens, when offline, as the kept visit page (CONFIG.visits), which draws the visit from the
 *   bundle;
 * - after 14 days without reaching the server the copies are dropped, and at once when the server
 *   says the session is gone (revoked by a password change or a disabled account, or ended);
 * - Background Sync "outbox" sends the waiting items where the browser has it. */
"use strict";
importScripts(CONFIG.outbox);
var CACHE = "gridgov-" + CONFIG.version;
var MAX_OFFLINE_MS = 14 * 24 * 3600 * 1000;
// Django's answers vary on Cookie and Accept-Language: a copy is found by its URL alone.
var MATCH = { ignoreVary: true, ignoreSearch: false };

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(CONFIG.shell).then(function () {
      return Promise.all(CONFIG.pages.concat([CONFIG.bundle]).map(function (url) {
        return fetch(url, { credentials: "same-origin" }).then(function (r) {
          if (keepable(r)) return cache.put(url, r);
          return null;
        }).catch(function () { return null; });
      }));
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("gridgov-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepable(response) {
  if (!response || !response.ok || response.redirected || response.type !== "basic") return false;
  var cc = response.headers.get("Cache-Control") || "";
  return cc.indexOf("no-store") < 0;
}

// The server no longer knows this member: an API answers 401, or a phone page sends the browser
// elsewhere (to sign in or to change the password). Navigations see a redirect only as an opaque
// one, and the phone pages redirect for nothing else.
function signedOut(response) {
  if (!response) return false;
  if (response.status === 401 || response.type === "opaqueredirect") return true;
  return response.redirected && new URL(response.url).pathname.indexOf(CONFIG.login) === 0;
}

// Drop the member's copies (pages, bundle) and keep the static shell; the outbox lives in
// IndexedDB and stays with its author for the next sign-in.
function dropCopies() {
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (r) {
        return new URL(r.url).pathname.indexOf(CONFIG.static) !== 0;
      }).map(function (r) { return cache.delete(r); }));
    });
  });
}

function inScope(path) {
  return CONFIG.scopes.some(function (s) { return path.indexOf(s) === 0; });
}

// One visit's page (the prefix and more), not the list the prefix names.
function isVisitPage(path) {
  return CONFIG.visit_pages.some(function (p) { return path.indexOf(p) === 0 && path.length > p.length; });
}

function offlineFallback(request) {
  if (request.mode !== "navigate") return Promise.resolve(null);
  var path = new URL(request.url).pathname;
  return caches.match(isVisitPage(path) ? CONFIG.visits : CONFIG.offline, MATCH);
}

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (keepable(response)) {
      var copy = response.clone();
      caches.open(CACHE).then(function (c) { return c.put(request.url, copy); });
      GridOutbox.setMeta("online_at", Date.now()).catch(function () {});
    } else if (signedOut(response)) {
      return dropCopies().catch(function () {}).then(function () { return response; });
    }
    return response;
  }, function () {
    return GridOutbox.getMeta("online_at").catch(function () { return null; }).then(function (at) {
      if (at && Date.now() - at > MAX_OFFLINE_MS) {
        return caches.delete(CACHE).then(function () { return Response.error(); });
      }
      return caches.match(request.url, MATCH).then(function (hit) {
        return hit || offlineFallback(request);
      }).then(function (r) { return r || Response.error(); });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf(CONFIG.static) === 0) {
    event.respondWith(caches.match(request, MATCH).then(function (hit) { return hit || fetch(request); }));
    return;
  }
  var navigate = request.mode === "navigate";
  if (url.pathname === CONFIG.bundle || (navigate && (inScope(url.pathname) || isVisitPage(url.pathname)))) {
    event.respondWith(networkFirst(request));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag !== "outbox") return;
  event.waitUntil(Promise.all([GridOutbox.getMeta("user"), GridOutbox.getMeta("csrf")])
    .then(function (v) { return v[0] ? GridOutbox.flush(v[0], v[1]) : null; })
    .then(function () { return self.clients.matchAll(); })
    .then(function (all) { all.forEach(function (c) { c.postMessage({ type: "outbox-sent" }); }); }));
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "clear") {
    event.waitUntil(caches.delete(CACHE));
  } else if (event.data && event.data.type === "signed-out") {
    event.waitUntil(dropCopies());
  }
});
