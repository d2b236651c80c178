// Customer Desk: behaviour htmx does not cover. No inline scripts (the CSP forbids them).
(function () {
  "use strict";

  function flash(message, kind) {
    var region = document.getElementById("flash");
    if (!region) return;
    var p = document.createElement("p");
    p.className = "flash flash--" + (kind || "error");
    p.textContent = message;
    region.replaceChildren(p);
  }

  // Failures htmx does not swap (see responseHandling in base.html) go to the flash region.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var text = "The request failed (" + xhr.status + "). Try again.";
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var panel = doc.querySelector("#error p");
      if (panel && panel.textContent) text = panel.textContent;
    } catch (e) { /* keep the generic message */ }
    flash(text, "error");
  });

  document.addEventListener("htmx:sendError", function () {
    flash("The server could not be reached. Check your connection and try again.", "error");
  });

  // Leave empty filters out of search URLs, so the address bar shows only what was asked.
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb !== "get" || !event.detail.formData) return;
    var data = event.detail.formData;
    Array.from(new Set(data.keys())).forEach(function (key) {
      if (data.getAll(key).every(function (v) { return v === ""; })) data.delete(key);
    });
  });

  // The Filters summary counts the filters set, as the server does when it draws the page
  // (a filter the backend cannot apply is disabled and not counted).
  function countFilters(event) {
    var disclosure = event.target.closest && event.target.closest(".filters-disclosure");
    var count = disclosure && disclosure.querySelector(".filters-count");
    if (!count) return;
    var active = Array.from(disclosure.querySelectorAll("input, select")).filter(function (control) {
      return !control.disabled && control.value.trim() !== "";
    }).length;
    count.textContent = active ? " (" + active + " active)" : "";
  }
  document.addEventListener("change", countFilters);
  document.addEventListener("input", countFilters);

  // A successful swap clears an old error message.
  document.addEventListener("htmx:afterSwap", function () {
    var region = document.getElementById("flash");
    if (region && region.querySelector(".flash--error")) region.replaceChildren();
  });
})();
