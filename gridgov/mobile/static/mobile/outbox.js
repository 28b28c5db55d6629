/* The phone's outbox: writes made on the phone (reports now; visits, diary entries and task
 * completions later) wait in IndexedDB until the network takes them. One generic item:
 *   {id: uuid, url, method, body, created_at, author, attachments, attempts, error}
 * `id` is made on the phone and sent as the idempotency key, so a replay after a cut makes
 * nothing twice. Attachments over 64 KB are sent in chunks that resume after a cut. Items belong to their author (user id): another user on the same phone neither
 * sees nor sends them, and they survive a re-login. Used by the pages and the service worker. */
(function (root) {
  "use strict";
  var DB = "gridgov-outbox", VERSION = 1, STORE = "items", META = "meta";

  function open() {
    return new Promise(function (resolve, reject) {
      var req = root.indexedDB.open(DB, VERSION);
      req.onupgradeneeded = function () {
        var db = req.result;
        if (!db.objectStoreNames.contains(STORE)) {
          db.createObjectStore(STORE, { keyPath: "id" }).createIndex("author", "author");
        }
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function run(storeName, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(storeName, mode);
        var result = work(tx.objectStore(storeName));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function uuid() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var b = root.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function add(item) {
    var full = Object.assign({ id: uuid(), method: "POST", created_at: new Date().toISOString(),
      attachments: [], attempts: 0, error: "" }, item);
    if (!full.author) return Promise.reject(new Error("an outbox item needs its author"));
    return run(STORE, "readwrite", function (s) { s.put(full); }).then(function () { return full; });
  }

  function list(author) {
    return run(STORE, "readonly", function (s) { return s.index("author").getAll(String(author)); })
      .then(function (items) {
        return (items || []).sort(function (a, b) { return a.created_at < b.created_at ? -1 : 1; });
      });
  }

  function put(item) { return run(STORE, "readwrite", function (s) { s.put(item); }); }
  function remove(id) { return run(STORE, "readwrite", function (s) { s.delete(id); }); }
  function setMeta(key, value) { return run(META, "readwrite", function (s) { s.put(value, key); }); }
  function getMeta(key) { return run(META, "readonly", function (s) { return s.get(key); }); }

  function isFinalRefusal(status) {
    // A refusal that a retry cannot change: kept with its message for the member to see.
    return status >= 400 && status < 500 && [401, 403, 408, 409, 425, 429].indexOf(status) < 0;
  }

  var CHUNK = 64 * 1024;

  /* A big attachment goes in 64 KB chunks to PUT /api/v1/uploads/<id> (the id is kept in the
   * item, so a restarted app asks how much arrived and sends only the rest); small ones go whole. */
  function sendInChunks(a, csrf) {
    var url = "/api/v1/uploads/" + a.upload, size = a.blob.size;
    function from(offset) {
      if (offset >= size) return Promise.resolve();
      return fetch(url, { method: "PUT", body: a.blob.slice(offset, Math.min(size, offset + CHUNK)),
        credentials: "same-origin", headers: { "Content-Type": "application/offset+octet-stream",
          "Upload-Offset": String(offset), "Upload-Length": String(size), "X-CSRFToken": csrf || "" }
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (d) {
          if (r.ok || r.status === 409) return from(d.received);  // 409: go on where the server is
          var e = new Error(d.message || ("HTTP " + r.status)); e.final = isFinalRefusal(r.status);
          throw e;
        });
      });
    }
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (r.status === 404) return 0;
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json().then(function (d) { return d.received; });
    }).then(from);
  }

  function sendAttachments(item, answer, csrf) {
    var rest = item.attachments || [];
    var chain = Promise.resolve();
    rest.slice().forEach(function (a) {
      chain = chain.then(function () {
        var chunked = a.blob.size > CHUNK;
        var ready = Promise.resolve();
        if (chunked && !a.upload) { a.upload = uuid(); ready = put(item); }
        if (chunked) ready = ready.then(function () { return sendInChunks(a, csrf); });
        return ready.then(function () {
          var form = new FormData();
          if (chunked) form.append("upload", a.upload);
          else form.append(a.field || "file", a.blob, a.name || "photo.jpg");
          var url = a.url.replace("{id}", answer && answer.id);
          return fetch(url, { method: "POST", body: form, credentials: "same-origin",
            headers: { "X-CSRFToken": csrf || "" } });
        }).then(function (r) {
          if (!r.ok && !isFinalRefusal(r.status)) throw new Error("HTTP " + r.status);
          rest = rest.filter(function (x) { return x !== a; });
        }, function (err) {
          if (err.final) { rest = rest.filter(function (x) { return x !== a; }); return; }
          throw err;
        });
      });
    });
    return chain.then(function () { return rest; }, function (err) { item.attachments = rest; throw err; });
  }

  var flushing = null;

  /* Send the author's waiting items, oldest first. Resolves with {sent, left}. The page and the
   * service worker (Background Sync) may both try at once: a Web Lock shared by every tab and
   * the worker lets one send at a time, and the next reads what is left after it. */
  function flush(author, csrf) {
    if (flushing) return flushing;
    var locks = root.navigator && root.navigator.locks;
    flushing = locks ? locks.request("gridgov-outbox", function () { return sendAll(author, csrf); })
      : sendAll(author, csrf);
    var done = function () { flushing = null; };
    flushing.then(done, done);
    return flushing;
  }

  function sendAll(author, csrf) {
    return list(author).then(function (items) {
      var sent = 0;
      var chain = Promise.resolve();
      items.forEach(function (item) {
        chain = chain.then(function () {
          if (item.error && !item.retry) return null;
          item.attempts = (item.attempts || 0) + 1;
          var step = item.answer ? Promise.resolve(item.answer) : fetch(item.url, {
            method: item.method, credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf || "",
              "Idempotency-Key": item.id },
            body: JSON.stringify(item.body)
          }).then(function (r) {
            return r.json().catch(function () { return {}; }).then(function (data) {
              if (r.ok) return data;
              if (isFinalRefusal(r.status)) {
                var e = new Error(data.message || ("HTTP " + r.status)); e.final = true; throw e;
              }
              throw new Error(data.message || ("HTTP " + r.status));
            });
          });
          return step.then(function (answer) {
            item.answer = answer;  // the record exists: never post it again, only what follows
            return put(item).then(function () {
              return sendAttachments(item, answer, csrf);
            }).then(function () {
              sent += 1;
              return remove(item.id);
            });
          }).catch(function (err) {
            item.error = err.final ? String(err.message) : "";
            item.retry = false;
            item.last_error = String(err.message || err);
            return put(item);
          });
        });
      });
      return chain.then(function () {
        return list(author).then(function (left) { return { sent: sent, left: left.length }; });
      });
    });
  }

  function retry(id) {
    return run(STORE, "readonly", function (s) { return s.get(id); }).then(function (item) {
      if (!item) return null;
      item.error = ""; item.retry = true;
      return put(item);
    });
  }

  root.GridOutbox = { add: add, list: list, remove: remove, flush: flush, retry: retry,
    uuid: uuid, setMeta: setMeta, getMeta: getMeta };
})(typeof self !== "undefined" ? self : window);
