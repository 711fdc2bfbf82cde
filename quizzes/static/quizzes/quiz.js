// Countdown for a timed quiz. The server keeps the real deadline; this only shows it and,
// at zero, hands the quiz in so the result appears without a click.
(function () {
  var end = null, handedIn = false;

  function tick() {
    var el = document.getElementById("countdown");
    if (!el) return;
    if (el.dataset.synced !== "1") {  // fresh from the server (page load or the 15 s poll)
      end = performance.now() + parseInt(el.dataset.remainingMs, 10);
      el.dataset.synced = "1";
    }
    var left = Math.max(0, end - performance.now());
    var s = Math.ceil(left / 1000);
    el.querySelector(".countdown-value").textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    el.classList.toggle("text-danger", s <= 10);
    if (left <= 0 && !handedIn) {
      handedIn = true;
      document.getElementById("finish-form").requestSubmit();
    }
  }
  setInterval(tick, 250);
  tick();

  document.addEventListener("keydown", function (event) {
    var t = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (t.matches("textarea, input[type=text], input:not([type]), select")) return;
    if (event.key === "Enter" && t.matches("a, button")) return;
    var stage = document.getElementById("quiz-stage");
    if (!stage) return;
    if (/^[1-8]$/.test(event.key)) {
      var option = stage.querySelectorAll("input[name=choice]")[parseInt(event.key, 10) - 1];
      if (option) { option.click(); option.focus(); event.preventDefault(); }
    } else if (event.key === "Enter") {
      var form = document.getElementById("answer-form");
      if (form) { form.requestSubmit(); event.preventDefault(); }
    } else if (event.key === "n" || event.key === "N") {
      var next = document.getElementById("next-link");
      if (next) { next.click(); event.preventDefault(); }
    } else if (event.key === "r" || event.key === "w") {
      var mark = stage.querySelector("button[name=rating][value=" + (event.key === "r" ? "3" : "1") + "]");
      if (mark) { mark.click(); event.preventDefault(); }
    }
  });
})();
