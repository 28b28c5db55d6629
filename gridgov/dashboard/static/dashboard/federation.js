// The city cockpit's member districts: polls /api/v1/cockpit/federation with ETags (304 while
// nothing changed) and follows the cockpit's area when it is narrowed (body[data-loaded]).
(function () {
  "use strict";
  const box = document.getElementById("federation-panel");
  if (!box) return;
  const T = JSON.parse(document.getElementById("federation-i18n").textContent);
  const locale = document.documentElement.lang || "zh-Hans";
  const fmt = new Intl.NumberFormat(locale.startsWith("zh") ? "zh-CN" : "en");
  const escapeHtml = window.gridgov.escapeHtml;
  const tbody = box.querySelector("tbody");
  const COLOURS = ["#39c0ff", "#35d49a", "#ffb020", "#ff7a45", "#9254de", "#ffd24d", "#597ef7", "#ff4d5e"];
  let chart = null;
  let etag = "";
  let area = "";
  let timer = null;

  const pct = (v) => (v === null || v === undefined ? "—" : `${Math.round(v * 1000) / 10}%`);
  const rating = (v) => (v === null || v === undefined ? "—" : v.toFixed(2));

  function paint(d) {
    const rows = (d && d.members) || [];
    box.dataset.members = rows.length;
    tbody.innerHTML = rows.length
      ? rows.map((r) => `<tr data-code="${escapeHtml(r.area_code)}"><td>${escapeHtml(r.name)}</td><td>${fmt.format(r.reports)}</td><td>${fmt.format(r.open)}</td><td>${fmt.format(r.closed)}</td><td>${pct(r.closing_rate)}</td><td>${pct(r.on_time_rate)}</td><td>${rating(r.satisfaction)}</td><td>${fmt.format(r.escalated)}</td></tr>`).join("")
      : `<tr><td colspan="8" class="ck-empty">${escapeHtml(T.none)}</td></tr>`;
    if (!window.echarts) return;
    chart = chart || echarts.init(document.getElementById("chart-federation"), "dark", { renderer: "canvas" });
    const months = rows.length ? rows[0].trend.map((m) => m.month.slice(2)) : [];
    chart.setOption(
      {
        backgroundColor: "transparent",
        title: { text: T.reports, left: 0, top: 0, textStyle: { fontSize: 12, color: "#7f98b8", fontWeight: "normal" } },
        tooltip: { trigger: "axis" },
        legend: { top: 0, right: 0, textStyle: { fontSize: 11 }, data: rows.map((r) => r.name) },
        grid: { left: 4, right: 12, top: 30, bottom: 4, containLabel: true },
        xAxis: { type: "category", data: months },
        yAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#1d3b63" } } },
        series: rows.map((r, i) => ({
          name: r.name, type: "line", smooth: true, symbolSize: 6, itemStyle: { color: COLOURS[i % COLOURS.length] },
          data: r.trend.map((m) => m.reports),
        })),
      },
      true
    );
  }

  function poll() {
    clearTimeout(timer);
    const code = document.body.dataset.loaded || document.body.dataset.area;
    if (code !== area) {
      area = code;
      etag = "";
    }
    const headers = { Accept: "application/json", "Accept-Language": locale };
    if (etag) headers["If-None-Match"] = etag;
    fetch(`${box.dataset.url}?area=${encodeURIComponent(area)}`, { credentials: "same-origin", headers })
      .then((res) => {
        if (res.status !== 200) return null;
        etag = res.headers.get("ETag") || "";
        return res.json().then(paint);
      })
      .catch(() => null)
      .finally(() => {
        box.dataset.polled = area;
        timer = setTimeout(poll, 30000);
      });
  }

  new MutationObserver(() => {
    if ((document.body.dataset.loaded || "") !== area) poll();
  }).observe(document.body, { attributes: true, attributeFilter: ["data-loaded"] });
  window.addEventListener("resize", () => chart && chart.resize());
  poll();
})();
