// Changing the set reloads its categories (the full form still works without this).
document.addEventListener("change", function (event) {
  if (event.target.name !== "question_set" || !window.htmx) return;
  var form = event.target.form;
  var action = (form && form.getAttribute("action")) || window.location.pathname;
  htmx.ajax("GET", action + "?partial=categories&question_set=" + encodeURIComponent(event.target.value),
            {target: "#categories", swap: "outerHTML"});
});
