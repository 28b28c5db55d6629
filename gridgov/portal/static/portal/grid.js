/* "Find my grid member": use the phone's position. */
(function () {
  "use strict";
  const b = document.getElementById("grid-gps");
  if (!b || !navigator.geolocation) return;
  b.addEventListener("click", () => navigator.geolocation.getCurrentPosition((p) => {
    document.getElementById("grid-lon").value = p.coords.longitude.toFixed(6);
    document.getElementById("grid-lat").value = p.coords.latitude.toFixed(6);
    document.getElementById("grid-form").submit();
  }));
})();
