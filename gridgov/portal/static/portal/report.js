/* The report form: category search, GPS or a pin on the map, photos made smaller on the phone
   (which also drops their metadata), "is it one of these?" before sending, the SMS code. */
(function () {
  "use strict";
  const form = document.getElementById("portal-report");
  if (!form) return;
  const words = JSON.parse(document.getElementById("portal-words").textContent);
  const lon = form.querySelector("input[name=lon]"), lat = form.querySelector("input[name=lat]");
  const where = document.getElementById("where-status");
  const mapEl = document.getElementById("portal-map");

  // Categories: a search box filters the icons.
  const search = document.getElementById("cat-search");
  search.addEventListener("input", () => {
    const q = search.value.trim().toLowerCase();
    form.querySelectorAll(".portal-choose label").forEach((l) => { l.hidden = q && !l.dataset.words.toLowerCase().includes(q); });
  });

  // Where: a Leaflet map when it is there, GPS always.
  let map = null, marker = null;
  if (window.L) {
    map = L.map(mapEl).setView([parseFloat(mapEl.dataset.lat), parseFloat(mapEl.dataset.lon)], 14);
    map.on("click", (e) => put(e.latlng.lng, e.latlng.lat));
  } else {
    mapEl.classList.add("no-map");
  }
  function put(x, y) {
    lon.value = x.toFixed(7); lat.value = y.toFixed(7);
    where.textContent = words.located + ` ${lat.value}, ${lon.value}`;
    if (map) { if (marker) marker.setLatLng([y, x]); else marker = L.marker([y, x]).addTo(map); map.setView([y, x], 17); }
    nearby();
  }
  document.getElementById("use-gps").addEventListener("click", () => {
    if (!navigator.geolocation) { where.textContent = words.nogps; return; }
    where.textContent = words.locating;
    navigator.geolocation.getCurrentPosition((p) => put(p.coords.longitude, p.coords.latitude),
      () => { where.textContent = words.nogps; }, { enableHighAccuracy: true, timeout: 15000 });
  });

  // "Is it one of these?": open public reports of the same kind near the point.
  const box = document.getElementById("nearby-box"), list = document.getElementById("nearby-list");
  function nearby() {
    const cat = form.querySelector("input[name=category]:checked");
    if (!lon.value || !cat) return;
    fetch(`/api/v1/portal/nearby?lon=${lon.value}&lat=${lat.value}&category=${cat.value}`)
      .then((r) => r.json()).then((answer) => {
        list.textContent = "";
        (answer.items || []).forEach((item) => {
          const li = document.createElement("li"); li.className = "portal-item";
          const text = document.createElement("span");
          text.textContent = `${item.icon} ${item.category} · ${item.number} ${item.text || ""}`;
          const join = document.createElement("button");
          join.type = "button"; join.className = "btn btn-small"; join.textContent = words.join;
          join.addEventListener("click", () => { document.getElementById("join").value = item.number; join.textContent = words.joined; });
          li.append(text, join); list.append(li);
        });
        box.hidden = !list.children.length;
      }).catch(() => {});
  }
  form.querySelectorAll("input[name=category]").forEach((r) => r.addEventListener("change", nearby));

  // Not sure of the category: the description suggests up to three while it is typed.
  const description = document.getElementById("description");
  const suggestBox = document.getElementById("cat-suggest"), chips = suggestBox.querySelector(".chips");
  let suggestTimer = null;
  description.addEventListener("input", () => {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(suggest, 500);
  });
  function suggest() {
    const text = description.value.trim();
    if (text.length < 4 || form.querySelector("input[name=category]:checked")) { suggestBox.hidden = true; return; }
    fetch(`/api/v1/portal/suggest?text=${encodeURIComponent(text.slice(0, 1000))}`)
      .then((r) => (r.ok ? r.json() : [])).then((found) => {
        chips.textContent = "";
        found.forEach((c) => {
          const chip = document.createElement("button");
          chip.type = "button"; chip.className = "btn btn-small"; chip.textContent = `${c.icon} ${c.label}`;
          chip.addEventListener("click", () => {
            const radio = form.querySelector(`input[name=category][value="${c.id}"]`);
            if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change")); }
            suggestBox.hidden = true;
          });
          chips.append(chip);
        });
        suggestBox.hidden = !found.length;
      }).catch(() => {});
  }

  // Photos: drawn again at most 1600 px wide as JPEG (smaller, and without EXIF or GPS).
  const input = document.getElementById("photo"), previews = document.getElementById("photo-previews");
  input.addEventListener("change", async () => {
    const files = Array.from(input.files).slice(0, 4);
    const out = new DataTransfer();
    previews.textContent = "";
    for (const file of files) {
      try {
        const bitmap = await createImageBitmap(file);
        const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale); canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        const blob = await new Promise((ok) => canvas.toBlob(ok, "image/jpeg", 0.8));
        out.items.add(new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }));
      } catch (e) { out.items.add(file); }
      const img = document.createElement("img"); img.src = URL.createObjectURL(out.files[out.files.length - 1]); previews.append(img);
    }
    input.files = out.files;
  });
  form.addEventListener("submit", () => { document.getElementById("submit-report").disabled = true; });
})();
