/*
 * Review session: reveal the answer in place (the link reloads with ?reveal=1 without JS),
 * time each card for the review log, and tell the server the browser's time zone.
 * Keys come from data-key attributes, handled by the site-wide static/js/app.js.
 */
(function () {
  "use strict";

  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
  } catch (e) { /* no Intl: the server keeps UTC */ }

  var shownAt = performance.now();

  function reveal(card) {
    var answer = card.querySelector("#answer");
    var form = card.querySelector("[data-rating-form]");
    var show = card.querySelector(".show-answer");
    if (!answer || !answer.hidden) return;
    answer.hidden = false;
    if (form) form.hidden = false;
    if (show) show.hidden = true;
    card.classList.add("revealed");
    var good = form && form.querySelector("button[value='3']");
    if (good) good.focus({ preventScroll: true });
    if (window.prep) window.prep.announce("Answer shown. Rate 1 Again, 2 Hard, 3 Good, 4 Easy.");
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-reveal]");
    if (!link) return;
    var card = link.closest("[data-review-card]");
    if (!card) return;
    event.preventDefault();
    reveal(card);
  });

  document.addEventListener("submit", function (event) {
    var field = event.target.querySelector && event.target.querySelector("[data-duration]");
    if (field) field.value = String(Math.max(0, Math.round(performance.now() - shownAt)));
  }, true);

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "review-session") shownAt = performance.now();
  });
})();
