/* Behaviour every page shares, without inline script (the Content-Security-Policy forbids it):
   data-autosubmit (submit the form on change; data-clear names a field to empty first),
   data-confirm (ask before submitting), data-toggle-open (open or close the list item),
   data-back (go back). gridgov.escapeHtml is for the few places that must build HTML. */
(function () {
  "use strict";
  const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  window.gridgov = Object.assign(window.gridgov || {}, {
    escapeHtml: (value) => String(value ?? "").replace(/[&<>"']/g, (ch) => ENTITIES[ch]),
  });

  document.addEventListener("change", (e) => {
    const el = e.target.closest("[data-autosubmit]");
    if (!el || !el.form) return;
    const clear = el.dataset.clear;
    if (clear && el.form.elements[clear]) el.form.elements[clear].value = "";
    el.form.submit();
  });

  document.addEventListener("click", (e) => {
    const confirmEl = e.target.closest("[data-confirm]");
    if (confirmEl && !window.confirm(confirmEl.dataset.confirm)) {
      e.preventDefault();
      return;
    }
    const toggle = e.target.closest("[data-toggle-open]");
    if (toggle) toggle.closest("li").classList.toggle("open");
    const back = e.target.closest("[data-back]");
    if (back) {
      e.preventDefault();
      window.history.back();
    }
  });
})();
