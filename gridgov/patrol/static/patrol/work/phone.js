// Field work on the phone: fill the position fields of a form from the GPS, and give each
// form a client key once (a retried submission is then recognised by the server).
(function () {
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "k" + Date.now().toString(16) + Math.random().toString(16).slice(2, 14);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[name=client_key]").forEach(function (input) {
      if (!input.value) input.value = uuid();
    });
    var form = document.querySelector("form[data-position]");
    if (!form || !navigator.geolocation) return;
    var shown = form.querySelector("[data-position-shown]");
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        form.querySelector("input[name=lon]").value = pos.coords.longitude.toFixed(6);
        form.querySelector("input[name=lat]").value = pos.coords.latitude.toFixed(6);
        var accuracy = form.querySelector("input[name=accuracy]");
        if (accuracy) accuracy.value = Math.round(pos.coords.accuracy);
        if (shown) shown.textContent = shown.dataset.ok + " ±" + Math.round(pos.coords.accuracy) + " m";
      },
      function () { if (shown) shown.textContent = shown.dataset.none; },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
    );
  });
})();
