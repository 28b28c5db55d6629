// The cockpit pages' breadcrumb of areas (the overview and the foreign-affairs view): each
// ancestor links to its own view; `pick(code)`, when given, opens it without leaving the page.
(function () {
  "use strict";
  window.gridgov.drawCrumbs = function (nav, d, pick) {
    nav.innerHTML = "";
    d.breadcrumb.forEach((c, i) => {
      if (i) {
        const sep = document.createElement("span");
        sep.className = "sep";
        sep.textContent = "›";
        nav.appendChild(sep);
      }
      const a = document.createElement("a");
      a.textContent = c.name;
      a.dataset.code = c.code;
      if (c.code === d.area.code) a.className = "current";
      else {
        a.href = "?area=" + encodeURIComponent(c.code);
        if (pick)
          a.addEventListener("click", (e) => {
            e.preventDefault();
            pick(c.code);
          });
      }
      nav.appendChild(a);
    });
  };
})();
