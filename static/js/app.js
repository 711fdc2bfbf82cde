/*
 * Site-wide behaviour: theme toggle, keyboard shortcuts, copy buttons on code examples.
 *
 * Keyboard shortcuts are declared in the markup, never in page scripts:
 *
 *   <button data-key="Space Enter" data-key-label="Show answer">Show answer</button>
 *   <a href="…" data-key="ArrowRight j" data-key-label="Next card">Next</a>
 *
 * data-key lists key names as KeyboardEvent.key reports them ("Space" stands for " ";
 * letters are matched case-sensitively, so "j" is not Shift+J). On a key press the first
 * visible, enabled element declaring that key is clicked (inputs and textareas are
 * focused instead). Presses are ignored while typing in a field or with Ctrl/Alt/Meta
 * held, so pages can use plain letters. Elements swapped in by htmx work at once, since
 * the lookup happens on each press. data-key-label adds the shortcut to the "?" help.
 */
(function () {
  "use strict";

  var TYPING = "input, textarea, select, [contenteditable=''], [contenteditable='true']";

  function keyName(event) {
    return event.key === " " ? "Space" : event.key;
  }

  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length) &&
      !el.disabled && !el.closest("[hidden], [inert], .modal:not(.show)");
  }

  function findShortcut(key) {
    var all = document.querySelectorAll("[data-key]");
    for (var i = 0; i < all.length; i++) {
      var keys = all[i].getAttribute("data-key").split(/\s+/);
      if (keys.indexOf(key) !== -1 && visible(all[i])) return all[i];
    }
    return null;
  }

  function announce(text) {
    var live = document.getElementById("live-status");
    if (live) { live.textContent = ""; window.setTimeout(function () { live.textContent = text; }, 30); }
  }

  // ---- theme ----------------------------------------------------------------
  function applyTheme(theme) {
    var dark = theme === "dark";
    document.documentElement.setAttribute("data-bs-theme", theme);
    var light = document.getElementById("pygments-light");
    var darkSheet = document.getElementById("pygments-dark");
    if (light) light.media = dark ? "not all" : "all";
    if (darkSheet) darkSheet.media = dark ? "all" : "not all";
    document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
      button.setAttribute("aria-label", dark ? "Switch to light theme" : "Switch to dark theme");
      button.setAttribute("aria-pressed", dark ? "true" : "false");
    });
  }

  function toggleTheme() {
    var next = document.documentElement.getAttribute("data-bs-theme") === "dark" ? "light" : "dark";
    try { localStorage.setItem("theme", next); } catch (e) { /* private mode: still switch */ }
    applyTheme(next);
    announce(next === "dark" ? "Dark theme" : "Light theme");
  }

  // Follow the system while the visitor has not chosen.
  if (window.matchMedia) {
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function (event) {
      var stored = null;
      try { stored = localStorage.getItem("theme"); } catch (e) {}
      if (!stored) applyTheme(event.matches ? "dark" : "light");
    });
  }

  // ---- copy buttons -----------------------------------------------------------
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function addCopyButtons(root) {
    root.querySelectorAll("figure.code-example").forEach(function (figure) {
      if (figure.querySelector(".copy-button")) return;
      var pre = figure.querySelector("pre");
      if (!pre) return;
      var caption = figure.querySelector("figcaption");
      if (!caption) {
        caption = document.createElement("figcaption");
        caption.className = "code-lang";
        figure.insertBefore(caption, figure.firstChild);
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm copy-button";
      button.textContent = "Copy";
      var lang = (caption.textContent || "code").trim();
      button.setAttribute("aria-label", "Copy " + lang + " example " + (Number(figure.dataset.example || 0) + 1));
      button.addEventListener("click", function () {
        copyText(pre.innerText.replace(/\n$/, "")).then(function () {
          button.textContent = "Copied!";
          button.classList.add("copied");
          announce("Code copied to the clipboard");
        }, function () {
          button.textContent = "Press Ctrl+C";
          var range = document.createRange();
          range.selectNodeContents(pre);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        }).then(function () {
          window.setTimeout(function () { button.textContent = "Copy"; button.classList.remove("copied"); }, 2000);
        });
      });
      caption.appendChild(button);
    });
  }

  // ---- shortcuts help -------------------------------------------------------
  function showHelp() {
    var modal = document.getElementById("shortcuts-help");
    if (!modal || !window.bootstrap) return;
    var list = modal.querySelector("[data-shortcut-list]");
    list.querySelectorAll("[data-page-shortcut]").forEach(function (el) { el.remove(); });
    document.querySelectorAll("[data-key][data-key-label]").forEach(function (el) {
      if (!visible(el)) return;
      var dt = document.createElement("dt");
      dt.setAttribute("data-page-shortcut", "");
      el.getAttribute("data-key").split(/\s+/).forEach(function (key, i) {
        if (i) dt.appendChild(document.createTextNode(" or "));
        var kbd = document.createElement("kbd");
        kbd.textContent = { ArrowRight: "→", ArrowLeft: "←", ArrowUp: "↑", ArrowDown: "↓" }[key] || key;
        dt.appendChild(kbd);
      });
      var dd = document.createElement("dd");
      dd.setAttribute("data-page-shortcut", "");
      dd.textContent = el.getAttribute("data-key-label");
      list.appendChild(dt);
      list.appendChild(dd);
    });
    window.bootstrap.Modal.getOrCreateInstance(modal).show();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    var target = event.target;
    if (target && target.closest && target.closest(TYPING)) {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (document.querySelector(".modal.show")) return;
    var key = keyName(event);
    if (key === "?") { event.preventDefault(); showHelp(); return; }
    var element = findShortcut(key);
    if (!element && key === "/") element = document.querySelector("input[type=search]");
    if (!element && key === "/") {
      // No search box here: go to the search page.
      event.preventDefault();
      window.location.href = "/search/";
      return;
    }
    if (!element) return;
    event.preventDefault();
    if (element.matches(TYPING)) {
      element.focus();
      if (element.select) element.select();
    } else {
      // A key can land between htmx swapping an element in and processing its hx-* attributes;
      // processing it now (idempotent) keeps the click an htmx request instead of a page load.
      // The hx-* attributes may sit on an ancestor (a form around a submit button).
      if (window.htmx) {
        window.htmx.process(element.closest("[hx-get], [hx-post], [hx-put], [hx-patch], [hx-delete]") || element);
      }
      element.click();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-theme-toggle]")) toggleTheme();
  });

  // A code block that scrolls must take keyboard focus, or keyboard users cannot scroll it.
  function focusableScrollers(root) {
    root.querySelectorAll(".highlight pre, pre.quiz-cloze").forEach(function (pre) {
      if (pre.hasAttribute("tabindex")) return;
      if (pre.scrollWidth > pre.clientWidth || pre.scrollHeight > pre.clientHeight) pre.setAttribute("tabindex", "0");
    });
  }

  function enhance(root) {
    addCopyButtons(root || document);
    focusableScrollers(root || document);
  }

  document.addEventListener("DOMContentLoaded", function () {
    applyTheme(document.documentElement.getAttribute("data-bs-theme") || "light");
    enhance(document);
  });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });

  // ---- swipes -----------------------------------------------------------------
  // On touch screens a horizontal swipe over an element with data-swipe-left / data-swipe-right
  // clicks the first visible element the selector names (review: Again / Good; flashcards: next /
  // previous). Vertical movement stays with the browser (touch-action: pan-y in app.css).
  var swipe = null;
  document.addEventListener("pointerdown", function (event) {
    if (event.pointerType === "mouse" || !event.isPrimary) return;
    var area = event.target.closest && event.target.closest("[data-swipe-left], [data-swipe-right]");
    if (!area || event.target.closest(TYPING)) return;
    swipe = { area: area, x: event.clientX, y: event.clientY, id: event.pointerId };
  });
  document.addEventListener("pointercancel", function () { swipe = null; });
  document.addEventListener("pointerup", function (event) {
    var start = swipe;
    swipe = null;
    if (!start || event.pointerId !== start.id) return;
    var dx = event.clientX - start.x, dy = event.clientY - start.y;
    if (Math.abs(dx) < 60 || Math.abs(dx) < 1.5 * Math.abs(dy)) return;
    var direction = dx < 0 ? "left" : "right";
    var selector = start.area.getAttribute("data-swipe-" + direction);
    if (!selector) return;
    var matches = document.querySelectorAll(selector);
    for (var i = 0; i < matches.length; i++) {
      if (!visible(matches[i])) continue;
      start.area.classList.add("swipe-out-" + direction);
      if (window.htmx) window.htmx.process(matches[i].closest("[hx-get], [hx-post]") || matches[i]);
      matches[i].click();
      return;
    }
  });

  // After htmx swaps in a new flashcard or page section, put focus where reading continues.
  document.addEventListener("htmx:afterSettle", function (event) {
    var focus = event.target.querySelector && event.target.querySelector("[data-autofocus]");
    if (focus) focus.focus({ preventScroll: false });
  });

  window.prep = { copyText: copyText, toggleTheme: toggleTheme, announce: announce, enhance: enhance };
})();
