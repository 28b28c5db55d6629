/* Send a code by SMS to the phone typed in (report form, my reports). */
(function () {
  "use strict";
  const button = document.getElementById("send-code");
  if (!button) return;
  const words = JSON.parse(document.getElementById("portal-words").textContent);
  const state = document.getElementById("code-status");
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  button.addEventListener("click", () => {
    const phone = document.getElementById("phone").value.trim();
    const body = new URLSearchParams({ phone });
    button.disabled = true;
    fetch("/portal/code/", { method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" })
      .then((r) => r.json())
      .then((answer) => { state.textContent = answer.sent ? words.sent : answer.message; })
      .catch(() => { state.textContent = "…"; })
      .finally(() => { setTimeout(() => { button.disabled = false; }, 3000); });
  });
})();
