// The board polls its JSON with the last ETag: 304 when nothing changed, new counts otherwise.
(function () {
  const table = document.getElementById("board");
  if (!table) return;
  let etag = table.dataset.etag;
  function paint(data) {
    const rows = data.levels.concat([Object.assign({ level: "total" }, data.totals)]);
    rows.forEach((r) => {
      const tr = table.querySelector(`tr[data-level="${r.level}"]`);
      if (!tr) return;
      tr.querySelectorAll("[data-key]").forEach((cell) => { cell.textContent = r[cell.dataset.key]; });
    });
  }
  function poll() {
    fetch(table.dataset.url, { credentials: "same-origin", headers: { "If-None-Match": etag, Accept: "application/json" } })
      .then((res) => {
        if (res.status === 200) { etag = res.headers.get("ETag") || etag; return res.json().then(paint); }
        return null;
      })
      .catch(() => null)
      .finally(() => setTimeout(poll, 10000));
  }
  setTimeout(poll, 10000);
})();
