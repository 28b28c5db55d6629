// The cockpit: one JSON call per area (/api/v1/cockpit), drawn with ECharts and Leaflet.
// Clicking an area on the map or a bar of the ranking narrows the whole cockpit to it; the
// breadcrumb and the browser's back button go up again. Figures refresh themselves.
(function () {
  "use strict";
  const body = document.body;
  const T = JSON.parse(document.getElementById("cockpit-i18n").textContent);
  const mapSettings = JSON.parse(document.getElementById("map-settings").textContent);
  const locale = document.documentElement.lang || "zh-Hans";
  const fmt = new Intl.NumberFormat(locale.startsWith("zh") ? "zh-CN" : "en");
  const charts = {};
  const escapeHtml = window.gridgov.escapeHtml;
  const state = { area: body.dataset.area, data: null, indicator: "overdue_rate", shapes: null };

  const map = L.map("ck-map", { zoomControl: false, attributionControl: false, zoomSnap: 0.25 });
  if (mapSettings.tileUrl) {
    const opts = { maxZoom: 18 };
    if (mapSettings.tileSubdomains) opts.subdomains = mapSettings.tileSubdomains;
    L.tileLayer(mapSettings.tileUrl, opts).addTo(map);
  }
  map.setView([34.75, 113.65], 12);
  let shapeLayer = null;
  let heatLayer = null;

  function chart(id) {
    if (!charts[id]) {
      charts[id] = echarts.init(document.getElementById(id), "dark", { renderer: "canvas" });
    }
    return charts[id];
  }

  const base = {
    backgroundColor: "transparent",
    textStyle: { fontSize: 14 },
    grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis" },
  };

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json", "Accept-Language": locale } }).then(
      (r) => {
        if (!r.ok) throw new Error(r.status + " " + url);
        return r.json();
      }
    );
  }

  function drawKpis(counts) {
    document.querySelectorAll(".kpi").forEach((el) => {
      el.querySelector("b").textContent = fmt.format(counts[el.dataset.key] || 0);
    });
  }

  function drawDays(rows) {
    chart("chart-days").setOption(
      Object.assign({}, base, {
        legend: { top: 0, right: 0, data: [T.reports, T.closed] },
        xAxis: { type: "category", data: rows.map((r) => r.day.slice(5)) },
        yAxis: { type: "value", splitLine: { lineStyle: { color: "#1d3b63" } } },
        series: [
          { name: T.reports, type: "line", smooth: true, areaStyle: { opacity: 0.25 }, data: rows.map((r) => r.reports) },
          { name: T.closed, type: "line", smooth: true, data: rows.map((r) => r.closed) },
        ],
      }),
      true
    );
  }

  function drawMonths(rows) {
    chart("chart-months").setOption(
      Object.assign({}, base, {
        legend: { top: 0, right: 0, data: [T.reports, T.closed, T.onTime] },
        xAxis: { type: "category", data: rows.map((r) => r.month) },
        yAxis: [
          { type: "value", splitLine: { lineStyle: { color: "#1d3b63" } } },
          { type: "value", max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } },
        ],
        series: [
          { name: T.reports, type: "bar", data: rows.map((r) => r.reports) },
          { name: T.closed, type: "bar", data: rows.map((r) => r.closed) },
          {
            name: T.onTime, type: "line", yAxisIndex: 1,
            data: rows.map((r) => (r.on_time_rate === null ? null : +(r.on_time_rate * 100).toFixed(1))),
          },
        ],
      }),
      true
    );
  }

  function drawClasses(rows) {
    const top = rows.slice().reverse();
    chart("chart-classes").setOption(
      Object.assign({}, base, {
        tooltip: { trigger: "item" },
        xAxis: { type: "value", splitLine: { lineStyle: { color: "#1d3b63" } } },
        yAxis: { type: "category", data: top.map((r) => r.name) },
        series: [{ type: "bar", data: top.map((r) => r.count), itemStyle: { color: "#39c0ff" }, label: { show: true, position: "right" } }],
      }),
      true
    );
  }

  function drawFunnel(rows) {
    chart("chart-funnel").setOption(
      {
        backgroundColor: "transparent",
        tooltip: { trigger: "item" },
        series: [
          {
            type: "funnel", sort: "none", left: "8%", right: "8%", top: 8, bottom: 8, minSize: "20%",
            color: ["#1565c0", "#1976d2", "#1e88e5", "#2196f3", "#42a5f5", "#35d49a"],
            itemStyle: { borderColor: "#0d1d33", borderWidth: 1 },
            label: { show: true, position: "inside", color: "#fff", formatter: (p) => p.name + " " + fmt.format(p.value), fontSize: 14 },
            data: rows.map((r) => ({ name: r.label, value: r.count })),
          },
        ],
      },
      true
    );
  }

  function drawRanking(rows) {
    const ordered = rows.slice().reverse();
    const c = chart("chart-ranking");
    c.setOption(
      Object.assign({}, base, {
        tooltip: { trigger: "item", formatter: (p) => escapeHtml(ordered[p.dataIndex].name) + "<br>" + escapeHtml(T.score) + " " + escapeHtml(p.value ?? "—") },
        xAxis: { type: "value", max: 100, splitLine: { lineStyle: { color: "#1d3b63" } } },
        yAxis: { type: "category", data: ordered.map((r) => r.rank + ". " + r.name) },
        series: [
          {
            type: "bar", cursor: "pointer",
            data: ordered.map((r) => ({
              value: r.score,
              itemStyle: { color: r.score >= 90 ? "#35d49a" : r.score >= 75 ? "#39c0ff" : r.score >= 60 ? "#ffb020" : "#ff4d5e" },
            })),
            label: { show: true, position: "right", formatter: (p) => (p.value ?? "—") + " " + (ordered[p.dataIndex].grade || "") },
          },
        ],
      }),
      true
    );
    c.off("click");
    c.on("click", (p) => drill(ordered[p.dataIndex].key));
  }

  function drawRegistry(r) {
    const el = document.getElementById("registry");
    const items = [
      ["people", r.people], ["elderly", r.elderly], ["houses", r.houses],
      ["rented", r.rented], ["vacant", r.vacant], ["organizations", r.organizations],
    ];
    el.innerHTML = items.map(([k, v]) => `<div>${escapeHtml(T[k])}<b>${fmt.format(v || 0)}</b></div>`).join("");
    chart("chart-registry").setOption(
      {
        backgroundColor: "transparent",
        tooltip: { trigger: "item" },
        legend: { orient: "vertical", right: 0, top: "middle" },
        series: [
          {
            type: "pie", radius: ["45%", "75%"], center: ["35%", "50%"], label: { show: false },
            stillShowZeroSum: false,
            data: [
              { name: T.registered, value: r.registered },
              { name: T.floating, value: r.floating },
              { name: T.overseas, value: r.overseas },
            ],
          },
        ],
      },
      true
    );
  }

  function drawCards(rows) {
    const ul = document.getElementById("red-cards");
    ul.innerHTML = rows.length
      ? rows.map((c) => `<li><span class="t">${escapeHtml(c.raised_at)}</span><a href="/cases/${Number(c.case)}/" target="_blank">${escapeHtml(c.title)}</a><span class="ck-empty">${escapeHtml(c.department)}</span></li>`).join("")
      : `<li class="ck-empty">${T.none}</li>`;
  }

  const PALETTE = ["#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027"];

  function colourFor(value, min, max) {
    if (value === null || value === undefined) return "#33465f";
    if (max <= min) return PALETTE[0];
    const i = Math.min(PALETTE.length - 1, Math.floor(((value - min) / (max - min)) * PALETTE.length));
    return PALETTE[i];
  }

  function valueText(v) {
    if (v === null || v === undefined) return "—";
    return state.indicator === "overdue_rate" ? (v * 100).toFixed(1) + "%" : fmt.format(Math.round(v * 10) / 10);
  }

  function drawMap() {
    const d = state.data;
    if (!d || !state.shapes) return;
    const figures = new Map(d.children.areas.map((a) => [a.code, a]));
    const values = d.children.areas.map((a) => a[state.indicator]).filter((v) => v !== null && v !== undefined);
    const max = values.length ? Math.max(...values) : 1;
    const min = values.length > 1 ? Math.min(...values) : 0;
    if (shapeLayer) shapeLayer.remove();
    shapeLayer = L.geoJSON(state.shapes, {
      style: (f) => {
        const a = figures.get(f.properties.code);
        return { color: "#7fd3ff", weight: 1.2, fillOpacity: 0.5, fillColor: colourFor(a ? a[state.indicator] : null, min, max) };
      },
      onEachFeature: (f, layer) => {
        const a = figures.get(f.properties.code);
        layer.bindTooltip(`${escapeHtml(f.properties.name)}<br>${valueText(a ? a[state.indicator] : null)}`, { className: "ck-tip", sticky: true });
        if (d.children.level) {
          layer.on("click", () => drill(f.properties.code));
          layer.on("mouseover", () => layer.setStyle({ weight: 3, color: "#ffffff" }));
          layer.on("mouseout", () => shapeLayer.resetStyle(layer));
        }
      },
    }).addTo(map);
    if (shapeLayer.getLayers().length) map.fitBounds(shapeLayer.getBounds(), { padding: [12, 12] });
    if (heatLayer) heatLayer.remove();
    if (L.heatLayer && d.heat.length && document.getElementById("show-heat").checked) {
      heatLayer = L.heatLayer(d.heat, { radius: 9, blur: 14, minOpacity: 0.05, max: 3, maxZoom: 14 }).addTo(map);
    }
    const legend = document.getElementById("map-legend");
    const step = (max - min) / PALETTE.length;
    legend.innerHTML = !values.length
      ? ""
      : max <= min
      ? `<div><i style="background:${PALETTE[0]}"></i>${valueText(min)}</div>`
      : PALETTE.map((c, i) => `<div><i style="background:${c}"></i>${valueText(min + step * i)} – ${valueText(min + step * (i + 1))}</div>`).join("");
    document.getElementById("map-title").textContent = d.area.name + (d.children.level ? " · " + T.drill : "");
  }

  function loadShapes(d) {
    const level = d.children.level || d.area.level;
    return fetchJson(`/api/v1/areas/${d.area.code}/geojson?levels=${level}`).then((fc) => {
      state.shapes = fc;
    });
  }

  function drawLines(l) {
    const pct = (r) => (r === null ? "—" : `${Math.round(r * 100)}%`);
    const [lastRect, rect] = l.rectification;
    const items = [
      ["openDisputes", fmt.format(l.open_disputes)], ["flaggedDisputes", fmt.format(l.flagged_disputes)],
      ["mediationSuccess", pct(l.mediation_success_rate)], ["openHazards", fmt.format(l.open_hazards)],
      ["majorHazards", fmt.format(l.major_hazards)], ["overdueRectifications", fmt.format(l.overdue_rectifications)],
      ["rectifiedThisMonth", pct(rect.rate), `${fmt.format(rect.on_time)}/${fmt.format(rect.due)}`],
      ["rectifiedLastMonth", pct(lastRect.rate), `${fmt.format(lastRect.on_time)}/${fmt.format(lastRect.due)}`],
    ];
    document.getElementById("lines").innerHTML = items
      .map(([k, v, of]) => `<div data-key="${k}">${escapeHtml(T[k])}<b>${escapeHtml(v)}</b>${of ? `<small>${escapeHtml(of)}</small>` : ""}</div>`)
      .join("");
    // Disputes by kind and by stage: the ones with disputes, named, on a line each.
    const line = (label, rows) => {
      const found = rows.filter((r) => r.count);
      const text = found.length ? found.map((r) => `${r.name} ${fmt.format(r.count)}`).join(" · ") : "—";
      return `<p title="${escapeHtml(text)}"><span>${escapeHtml(label)}</span>${escapeHtml(text)}</p>`;
    };
    document.getElementById("lines-breakdown").innerHTML =
      line(T.disputesByKind, l.disputes_by_kind) + line(T.disputesByStage, l.disputes_by_stage);
  }

  const RISK_COLOURS = ["#35d49a", "#39c0ff", "#ffd24d", "#ffb020", "#ff7a45", "#ff4d5e", "#c41d7f", "#9254de", "#597ef7", "#8c8c8c"];

  function drawPopulations(p) {
    const panel = document.getElementById("pops");
    if (!panel || !p) return;
    const [last, current] = p.visits;
    const visits = (v) => [v.rate === null ? "—" : `${Math.round(v.rate * 100)}%`, `${fmt.format(v.on_time)}/${fmt.format(v.due)}`];
    const items = [
      ["popsTotal", fmt.format(p.total)], ["lostContact", fmt.format(p.lost_contact)],
      ["visitsOverdue", fmt.format(p.visits_overdue)],
      ["visitsThisMonth", ...visits(current)], ["visitsLastMonth", ...visits(last)],
    ];
    panel.innerHTML = items
      .map(([k, v, of]) => `<div data-key="${k}">${escapeHtml(T[k])}<b>${escapeHtml(v)}</b>${of ? `<small>${escapeHtml(of)}</small>` : ""}</div>`)
      .join("");
    const cats = p.categories.slice().reverse();
    const levels = Math.max(1, ...cats.map((c) => c.by_risk.length));
    const level = (i) => T.riskLevel.replace("{n}", i);
    chart("chart-pops").setOption(
      Object.assign({}, base, {
        grid: { left: 4, right: 12, top: 4, bottom: 26, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { bottom: 0, left: "center", itemWidth: 10, itemHeight: 10, itemGap: 6, textStyle: { fontSize: 11 }, data: Array.from({ length: levels }, (_, i) => level(i)) },
        xAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#1d3b63" } } },
        yAxis: { type: "category", data: cats.map((c) => c.name), axisLabel: { width: 96, overflow: "truncate", interval: 0 } },
        series: Array.from({ length: levels }, (_, i) => ({
          name: level(i), type: "bar", stack: "risk", barMaxWidth: 18, itemStyle: { color: RISK_COLOURS[i % RISK_COLOURS.length] },
          data: cats.map((c) => c.by_risk[i] || 0),
        })),
      }),
      true
    );
  }

  function updateTabs(code) {
    document.querySelectorAll(".ck-tabs a").forEach((a) => {
      a.href = a.pathname + "?area=" + encodeURIComponent(code);
    });
  }

  function render(d, shapesChanged) {
    state.data = d;
    window.gridgov.drawCrumbs(document.getElementById("crumbs"), d, drill);
    drawKpis(d.counts);
    drawDays(d.trend_days);
    drawMonths(d.trend_months);
    drawClasses(d.top_classes);
    drawFunnel(d.funnel);
    drawRanking(d.ranking);
    drawRegistry(d.registry);
    drawCards(d.red_cards);
    drawLines(d.lines);
    drawPopulations(d.populations);
    updateTabs(d.area.code);
    if (shapesChanged || !shapeLayer) drawMap();
    document.getElementById("rolled-at").textContent = d.rolled_at ? T.asOf + " " + d.rolled_at.slice(5, 16).replace("T", " ") : T.noData;
    document.title = T.title + " · " + d.area.name;
    body.dataset.loaded = d.area.code;
  }

  function load(code, opts) {
    const refresh = opts && opts.refresh;
    return fetchJson(`/api/v1/cockpit?area=${encodeURIComponent(code)}`).then((d) => {
      state.area = d.area.code;
      if (refresh) {
        render(d, false);
        return d;
      }
      return loadShapes(d).then(() => {
        render(d, true);
        return d;
      });
    });
  }

  function drill(code) {
    if (code === state.area) return;
    load(code).then((d) => {
      history.pushState({ area: d.area.code }, "", `?area=${d.area.code}`);
    });
  }

  window.addEventListener("popstate", (e) => {
    const code = (e.state && e.state.area) || new URLSearchParams(location.search).get("area") || body.dataset.area;
    load(code);
  });
  document.getElementById("show-heat").addEventListener("change", drawMap);
  document.getElementById("map-indicator").addEventListener("change", (e) => {
    state.indicator = e.target.value;
    drawMap();
  });
  window.addEventListener("resize", () => {
    Object.values(charts).forEach((c) => c.resize());
    map.invalidateSize();
    if (shapeLayer && shapeLayer.getLayers().length) map.fitBounds(shapeLayer.getBounds(), { padding: [12, 12] });
  });
  const clock = document.getElementById("clock");
  const tick = () =>
    (clock.textContent = new Date().toLocaleString(locale.startsWith("zh") ? "zh-CN" : "en", {
      hour12: false,
      timeZone: body.dataset.timeZone || undefined,
    }));
  tick();
  setInterval(tick, 1000);
  setInterval(() => load(state.area, { refresh: true }), (+body.dataset.refresh || 60) * 1000);
  history.replaceState({ area: state.area }, "", `?area=${state.area}`);
  load(state.area);
})();
