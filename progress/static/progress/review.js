/*
 * Review session: reveal the answer in place (the link reloads with ?reveal=1 without JS),
 * time each card for the review log, and tell the server the browser's time zone.
 * The session holds the next few cards: rating one shows the next at once, while htmx posts the
 * rating; only the last card's rating brings a new session from the server. A rating the server
 * refuses reloads the session, so the page never stays on a card it did not count.
 * Keys come from data-key attributes, handled by the site-wide static/js/app.js.
 */
(function () {
  "use strict";

  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
  } catch (e) { /* no Intl: the server keeps UTC */ }

  var shownAt = performance.now();
  var posting = 0;  // ratings sent and not yet answered

  function reveal(card) {
    var answer = card.querySelector("[data-answer]");
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

  function count(session, kind, delta) {
    var number = session.querySelector(".count-" + kind + " [data-count]");
    if (number) number.textContent = String(Math.max(0, parseInt(number.textContent, 10) + delta));
  }

  // Show the card after the rated one: the counts move as the server will count them.
  function showNext(form, submitter) {
    var item = form.closest("[data-review-item]");
    var next = item && item.nextElementSibling;
    var session = item && item.closest("#review-session");
    if (!session || !next || !next.hasAttribute("data-review-item") || !form.querySelector("input[name='then']")) return;
    count(session, item.getAttribute("data-kind"), -1);
    if (submitter && submitter.getAttribute("data-learning-after") === "1") count(session, "learning", 1);
    item.hidden = true;
    next.hidden = false;
    // The undo button names the rating before this one: it comes back with the answer, for this one.
    var undo = session.querySelector("#review-undo");
    if (undo) undo.replaceChildren();
    session.querySelectorAll(".review-counts .count").forEach(function (el) {
      el.classList.toggle("current", el.classList.contains("count-" + next.getAttribute("data-kind")));
    });
    var left = 0;
    session.querySelectorAll(".review-counts [data-count]").forEach(function (el) { left += parseInt(el.textContent, 10); });
    document.title = document.title.replace(/\(\d+ left\)/, "(" + left + " left)");
    shownAt = performance.now();
    var title = next.querySelector(".question-title");
    if (title) title.focus({ preventScroll: false });
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
    var form = event.target;
    var field = form.querySelector && form.querySelector("[data-duration]");
    if (field) field.value = String(Math.max(0, Math.round(performance.now() - shownAt)));
    if (!window.htmx || !form.matches("[data-rating-form]")) return;
    posting += 1;
    // The rating travels in a field of its own: htmx forgets the pressed button once focus moves
    // on, and a rating queued behind another one is read only when it is sent.
    if (event.submitter && event.submitter.name === "rating") {
      var chosen = form.querySelector("input[data-chosen-rating]");
      if (!chosen) {
        chosen = document.createElement("input");
        chosen.type = "hidden";
        chosen.name = "rating";
        chosen.setAttribute("data-chosen-rating", "");
        form.appendChild(chosen);
      }
      chosen.value = event.submitter.value;
    }
    showNext(form, event.submitter);
  }, true);

  function isRating(event) {
    var form = event.detail.elt;
    return !!(form && form.matches && form.matches("[data-rating-form]"));
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    if (isRating(event)) posting = Math.max(0, posting - 1);
  });

  // An undo button for a rating that another one has already followed would undo the wrong one:
  // the slot stays empty until the last rating sent is answered.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "review-undo" && posting > 1) event.detail.shouldSwap = false;
  });

  // Queued behind the ratings still to be sent (hx-sync on the session), so it shows them written.
  function reload(event) {
    if (!isRating(event) || !document.getElementById("review-session")) return;
    if (window.prep) window.prep.announce("That rating was not saved. The session has been reloaded.");
    window.htmx.ajax("GET", window.location.pathname + window.location.search,
      { source: "#review-session", target: "#review-session", swap: "outerHTML" });
  }
  document.addEventListener("htmx:responseError", reload);
  document.addEventListener("htmx:sendError", reload);

  document.addEventListener("htmx:afterSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Reswap") === "none") return;  // a rating's undo button only
    if (!event.detail.target || event.detail.target.id !== "review-session") return;
    shownAt = performance.now();
    // The session is no live region (cards change in place): its message is read out from here.
    var message = document.querySelector("#review-session [role=status], #review-session [role=alert]");
    if (message && window.prep) window.prep.announce(message.textContent.trim());
  });
})();
