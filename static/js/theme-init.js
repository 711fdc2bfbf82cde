// Runs before first paint (loaded without defer in <head>), so the stored theme never flashes the other one.
(function () {
  var stored = null;
  try { stored = localStorage.getItem("theme"); } catch (e) {}
  var dark = stored ? stored === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.setAttribute("data-bs-theme", dark ? "dark" : "light");
  document.getElementById("pygments-light").media = dark ? "not all" : "all";
  document.getElementById("pygments-dark").media = dark ? "all" : "not all";
})();
