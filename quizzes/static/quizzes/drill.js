/*
 * Answer-out-loud drill: the speaking countdown, the live rating suggestion, and the keys.
 * Without JS the page shows the time spent (from the server) and "Suggest a rating" asks the server.
 * The rule mirrors quizzes.drill.suggest_rating; the server applies it again when saving "Suggested".
 */
(function () {
  "use strict";

  var loadedAt = performance.now();
  var LABELS = { 1: "Again", 2: "Hard", 3: "Good", 4: "Easy" };

  function mmss(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function tick() {
    var timer = document.querySelector("[data-drill-timer]");
    if (!timer) return;
    var limit = parseInt(timer.dataset.limitMs, 10);
    var spent = parseInt(timer.dataset.elapsedMs, 10) + performance.now() - loadedAt;
    var text = timer.querySelector("[data-timer-text]");
    if (spent <= limit) {
      text.textContent = mmss(limit - spent + 999) + " left";
    } else {
      text.textContent = mmss(spent - limit) + " over time";
      timer.classList.add("over");
    }
  }
  setInterval(tick, 250);
  tick();

  function suggest(form) {
    var total = parseInt(form.dataset.total, 10);
    var covered = form.querySelectorAll("input[name=covered]:checked").length;
    var inTime = parseInt(form.dataset.durationMs, 10) <= parseInt(form.dataset.limitMs, 10);
    if (!total) return inTime ? 3 : 2;
    var share = covered / total;
    if (share < 0.4) return 1;
    if (share < 0.7) return 2;
    if (share >= 0.9 && inTime) return 4;
    return 3;
  }

  function update(form) {
    var label = LABELS[suggest(form)];
    form.querySelectorAll("[data-suggestion]").forEach(function (el) { el.textContent = label; });
    var count = form.querySelector("[data-covered]");
    if (count) count.textContent = form.querySelectorAll("input[name=covered]:checked").length;
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-drill-form]");
    if (form && event.target.name === "covered") update(form);
  });

  // Digits toggle points and Enter saves, also while a checkbox or radio has focus (app.js leaves
  // keys alone inside form fields). Captured, so app.js sees the key handled and does not click the label too.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    var form = document.querySelector("[data-drill-form]");
    if (!form || document.querySelector(".modal.show")) return;
    var target = event.target;
    if (target.matches && target.matches("textarea, select, input:not([type=checkbox]):not([type=radio])")) return;
    if (/^[1-9]$/.test(event.key)) {
      var box = form.querySelector("#point-" + (parseInt(event.key, 10) - 1));
      if (!box) return;
      event.preventDefault();
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
      if (window.prep) window.prep.announce((box.checked ? "Ticked: " : "Unticked: ") + box.labels[0].textContent.trim());
    } else if (event.key === "Enter" && target.matches && target.matches("a, button")) {
      event.stopPropagation();  // a focused link or button keeps its own Enter
    } else if (event.key === "Enter") {
      event.preventDefault();
      var save = form.querySelector("button[value=save]");
      if (window.htmx) window.htmx.process(form);
      if (save && !save.disabled) save.click();
    }
  }, true);

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "drill-step") {
      loadedAt = performance.now();
      tick();
    }
  });
})();
