// The foreign-affairs cockpit: one JSON call per area (/api/v1/cockpit/foreign), drawn with
// ECharts. Clicking an area below (bar or table row) opens its own view; the figures refresh.
(function () {
  "use strict";
  const body = document.body;
  const T = JSON.parse(document.getElementById("cockpit-i18n").textContent);
  const locale = document.documentElement.lang || "zh-Hans";
  const fmt = new Intl.NumberFormat(locale.startsWith("zh") ? "zh-CN" : "en");
  const escapeHtml = window.gridgov.escapeHtml;
  const charts = {};
  const base = {
    backgroundColor: "transparent",
    textStyle: { fontSize: 14 },
    grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
  };
  const COLOURS = { onTime: "#35d49a", late: "#ffb020", unregistered: "#ff4d5e", awaiting: "#39c0ff" };

  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init(document.getElementById(id), "dark", { renderer: "canvas" });
    return charts[id];
  }

  function open(code) {
    location.search = "?area=" + encodeURIComponent(code);
  }

  function pie(id, data) {
    chart(id).setOption(
      {
        backgroundColor: "transparent",
        tooltip: { trigger: "item" },
        legend: { orient: "vertical", right: 0, top: "middle" },
        series: [
          {
            type: "pie", radius: ["40%", "72%"], center: ["38%", "50%"], stillShowZeroSum: false,
            label: { show: true, position: "inside", color: "#fff", fontSize: 16, formatter: (p) => (p.value ? fmt.format(p.value) : "") },
            labelLine: { show: false },
            data,
          },
        ],
      },
      true
    );
  }

  function render(d) {
    window.gridgov.drawCrumbs(document.getElementById("crumbs"), d);
    document.querySelectorAll(".kpi").forEach((el) => {
      el.querySelector("b").textContent = fmt.format(d[el.dataset.key] || 0);
    });
    const nations = d.by_nationality.slice().reverse();
    chart("chart-nations").setOption(
      Object.assign({}, base, {
        xAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#1d3b63" } } },
        yAxis: { type: "category", data: nations.map((n) => n.name) },
        series: [{ name: T.people, type: "bar", barMaxWidth: 36, data: nations.map((n) => n.count), itemStyle: { color: "#39c0ff" }, label: { show: true, position: "right" } }],
      }),
      true
    );
    pie("chart-registration", [
      { name: T.onTime, value: d.registered_on_time, itemStyle: { color: COLOURS.onTime } },
      { name: T.late, value: d.registered_late, itemStyle: { color: COLOURS.late } },
      { name: T.unregistered, value: d.unregistered, itemStyle: { color: COLOURS.unregistered } },
      { name: T.awaiting, value: d.awaiting, itemStyle: { color: COLOURS.awaiting } },
    ]);
    pie("chart-permits", [
      { name: T.expired, value: d.expired, itemStyle: { color: COLOURS.unregistered } },
      { name: T.expiring, value: d.expiring, itemStyle: { color: COLOURS.late } },
      { name: T.valid, value: Math.max(0, d.total - d.expired - d.expiring), itemStyle: { color: COLOURS.onTime } },
    ]);
    const areas = d.areas;
    const tbody = document.querySelector("#areas-table tbody");
    tbody.innerHTML = areas.length
      ? areas
          .map(
            (a) =>
              `<tr data-code="${escapeHtml(a.code)}"><td><a href="?area=${encodeURIComponent(a.code)}">${escapeHtml(a.name)}</a></td>` +
              [a.total, a.unregistered, a.registered_late, a.expiring, a.expired].map((v) => `<td>${fmt.format(v)}</td>`).join("") +
              "</tr>"
          )
          .join("")
      : `<tr><td colspan="6" class="ck-empty">${escapeHtml(T.noAreas)}</td></tr>`;
    const c = chart("chart-areas");
    c.setOption(
      Object.assign({}, base, {
        legend: { top: 0, right: 0, data: [T.onTime, T.late, T.unregistered, T.awaiting] },
        xAxis: { type: "category", data: areas.map((a) => a.name), axisLabel: { interval: 0, rotate: areas.length > 6 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#1d3b63" } } },
        series: [
          ["onTime", "registered_on_time"], ["late", "registered_late"],
          ["unregistered", "unregistered"], ["awaiting", "awaiting"],
        ].map(([k, field]) => ({
          name: T[k], type: "bar", stack: "reg", cursor: "pointer", barMaxWidth: 48, itemStyle: { color: COLOURS[k] },
          data: areas.map((a) => a[field]),
        })),
      }),
      true
    );
    c.off("click");
    c.on("click", (p) => open(areas[p.dataIndex].code));
    document.getElementById("generated-at").textContent = T.asOf + " " + d.generated_at.slice(5, 16).replace("T", " ");
    document.title = T.title + " · " + d.area.name;
    body.dataset.loaded = d.area.code;
  }

  function load() {
    return fetch(`/api/v1/cockpit/foreign?area=${encodeURIComponent(body.dataset.area)}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "Accept-Language": locale },
    })
      .then((r) => {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(render);
  }

  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  const clock = document.getElementById("clock");
  const tick = () =>
    (clock.textContent = new Date().toLocaleString(locale.startsWith("zh") ? "zh-CN" : "en", {
      hour12: false,
      timeZone: body.dataset.timeZone || undefined,
    }));
  tick();
  setInterval(tick, 1000);
  setInterval(load, (+body.dataset.refresh || 60) * 1000);
  load();
})();
