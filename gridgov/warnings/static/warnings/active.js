// The active warnings list refreshes itself by polling with ETags (the cockpit and the phone).
(function () {
  const box = document.getElementById("active-warnings");
  if (!box) return;
  const list = box.querySelector("ul");
  const i18n = JSON.parse(document.getElementById("active-warnings-i18n").textContent);
  let etag = "";
  function paint(items) {
    list.replaceChildren();
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = i18n.none;
      list.appendChild(li);
    }
    items.forEach((w) => {
      const li = document.createElement("li");
      li.className = `wn-${w.colour}`;
      const a = document.createElement("a");
      a.className = "wn-touch";
      a.href = `${box.dataset.detail}${w.id}/`;
      const b = document.createElement("b");
      b.textContent = w.colour_label;
      const small = document.createElement("small");
      small.textContent = w.issuer;
      a.append(b, ` ${w.headline} `, small);
      li.appendChild(a);
      list.appendChild(li);
    });
  }
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: etag ? { "If-None-Match": etag } : {} })
      .then((res) => {
        if (res.status === 200) { etag = res.headers.get("ETag") || ""; return res.json().then((d) => paint(d.items)); }
        return null;
      })
      .catch(() => null)
      .finally(() => setTimeout(poll, 30000));
  }
  poll();
})();
