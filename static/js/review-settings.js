// No zone chosen yet: propose the browser's.
(function () {
  var input = document.querySelector("[data-browser-time-zone]");
  if (!input || input.value) return;
  try { input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) {}
})();
