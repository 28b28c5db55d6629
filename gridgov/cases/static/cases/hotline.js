/* Hotline entry: find the caller's address in the gazetteer (the grid follows from it), and show
 * the caller's earlier reports as soon as the phone number is typed. */
(function () {
  "use strict";
  const form = document.getElementById("report-form");
  const words = JSON.parse(document.getElementById("hotline-words").textContent);
  const query = document.getElementById("hl-address-q");
  const hits = document.getElementById("hl-address-hits");
  const where = document.getElementById("hl-grid");
  const address = form.querySelector("[name=address]");
  const phone = form.querySelector("[name=caller_phone]");
  const get = (url) => fetch(url, { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : Promise.reject(r.status)));
  const label = (a) => a.name || [a.road, a.number, a.compound, a.building, a.unit, a.room].filter(Boolean).join("");

  function debounce(fn, ms) {
    let timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function choose(a) {
    const text = label(a);
    address.value = text.slice(0, 200);
    query.value = text;
    hits.hidden = true;
    const ll = L.latLng(a.lat, a.lon);
    window.GridReport.put(ll, text);
    window.GridReport.map.setView(ll, 17);
    where.textContent = words.finding;
    get(`/api/v1/areas/${encodeURIComponent(a.area_code)}`).then((area) => {
      where.textContent = words.grid + area.chain.map((c) => c.name).concat([area.name]).join(" › ");
      where.dataset.code = area.code;
    }, () => { where.textContent = `${words.grid}${a.area_code}`; where.dataset.code = a.area_code; });
  }

  let found = [];
  const search = debounce(() => {
    const q = query.value.trim();
    if (!q) { hits.hidden = true; return; }
    get(`/api/v1/addresses?limit=8&q=${encodeURIComponent(q.slice(0, 60))}`).then((list) => {
      found = list;
      hits.textContent = "";
      if (!list.length) {
        const li = document.createElement("li"); li.className = "muted"; li.textContent = words.none;
        hits.appendChild(li);
      }
      list.forEach((a) => {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button"; b.className = "hl-hit"; b.textContent = label(a);
        b.addEventListener("click", () => choose(a));
        li.appendChild(b); hits.appendChild(li);
      });
      hits.hidden = false;
    }, () => { hits.hidden = true; });
  }, 250);
  query.addEventListener("input", search);
  query.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();  // Enter picks the first address; it never sends the form
    if (found.length) choose(found[0]);
  });

  const box = document.getElementById("hl-history");
  const list = document.getElementById("hl-history-list");
  const count = document.getElementById("hl-history-count");
  let asked = "";
  const history = debounce(() => {
    const number = phone.value.trim();
    if (!/^[0-9+\-]{5,20}$/.test(number) || number === asked) return;
    asked = number;
    get(`/api/v1/cases/by-caller?phone=${encodeURIComponent(number)}`).then((d) => {
      list.textContent = "";
      count.textContent = d.count ? words.earlier.replace("%(n)s", d.count) : words.first;
      d.items.forEach((c) => {
        const li = document.createElement("li");
        const a = document.createElement("a"); a.href = `/cases/${c.id}/`; a.textContent = `${c.number} ${c.title}`;
        const s = document.createElement("span");
        s.className = c.open ? "badge badge-open" : "badge"; s.textContent = c.status_label;
        const when = document.createElement("span"); when.className = "muted";
        when.textContent = new Date(c.created_at).toLocaleDateString("zh-CN", { timeZone: "Asia/Shanghai" });
        li.append(a, " ", s, " ", when); list.appendChild(li);
      });
      box.hidden = false;
    }, () => { box.hidden = true; });
  }, 300);
  phone.addEventListener("input", history);
  phone.addEventListener("change", history);
})();
