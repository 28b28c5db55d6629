// The compose page's cost preview: asks the server to count the parts as the text changes.
(function () {
  const form = document.querySelector("[data-sms-compose]");
  if (!form) return;
  const out = form.querySelector("[data-cost-text]");
  const format = document.querySelector("[data-cost-format]").innerHTML;
  const text = form.querySelector("[name=body]");
  const template = form.querySelector("[name=template]");
  function recipients() {
    let n = 0;
    for (const name of ["users", "groups", "areas", "roles"]) {
      const field = form.querySelector(`[name=${name}]`);
      if (field) n += Array.from(field.selectedOptions || []).length;
    }
    const numbers = form.querySelector("[name=numbers]").value.split(/[\n,]/).filter((s) => s.trim());
    return Math.max(1, n + numbers.length);
  }
  let timer = null;
  function update() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const query = new URLSearchParams({
        text: text.value,
        template: template ? template.value : "",
        recipients: recipients(),
      });
      const answer = await fetch(`${form.dataset.previewUrl}?${query}`, { credentials: "same-origin" });
      if (!answer.ok) return;
      const c = await answer.json();
      out.textContent = format
        .replace("{parts}", c.parts)
        .replace("{recipients}", c.recipients)
        .replace("{total}", c.total_parts)
        .replace("{units}", c.units)
        .replace("{encoding}", c.encoding === "ucs2" ? "UCS-2" : "GSM-7");
    }, 200);
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
