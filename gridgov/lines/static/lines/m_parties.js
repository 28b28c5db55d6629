/* The phone dispute form's registry picker (htmx, the desk's endpoint) needs the network: offline
 * its search is switched off with a note, the typed names above still work, and the picked
 * parties already ticked stay. Back online it is switched on again. */
(function () {
  "use strict";
  function update() {
    var box = document.getElementById("party-picker");
    if (!box) return;
    var online = navigator.onLine;
    ["party-q", "party-role"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.disabled = !online;
    });
    var note = document.getElementById("party-offline");
    if (note) note.hidden = online;
    var results = document.getElementById("party-results");
    if (results && !online) results.textContent = "";
  }
  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
})();
