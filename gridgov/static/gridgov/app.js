/* Behaviour every page shares, without inline script (the Content-Security-Policy forbids it):
   data-autosubmit (submit the form on change; data-clear names a field to empty first),
   data-confirm (ask before submitting), data-toggle-open (open or close the list item),
   data-back (go back), data-nav-toggle (open or close the navigation on narrow screens; Escape
   and a click elsewhere close it and the "More" menu). gridgov.escapeHtml is for the few places that must build HTML. */
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
    const navToggle = e.target.closest("[data-nav-toggle]");
    if (navToggle) {
      const open = navToggle.closest(".topbar").classList.toggle("nav-open");
      navToggle.setAttribute("aria-expanded", String(open));
    }
    document.querySelectorAll("details[data-nav-more][open]").forEach((more) => {
      if (!more.contains(e.target)) more.open = false;
    });
    const back = e.target.closest("[data-back]");
    if (back) {
      e.preventDefault();
      window.history.back();
    }
  });

  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    document.querySelectorAll("details[data-nav-more][open]").forEach((more) => (more.open = false));
    document.querySelectorAll(".topbar.nav-open").forEach((bar) => {
      bar.classList.remove("nav-open");
      const toggle = bar.querySelector("[data-nav-toggle]");
      if (toggle) toggle.setAttribute("aria-expanded", "false");
    });
  });
})();
