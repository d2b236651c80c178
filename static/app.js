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

  // The box is marked invalid, and described by the message, while the results say its
  // text was refused (active search swaps the results only, not the box).
  document.addEventListener("htmx:afterSwap", function () {
    var box = document.getElementById("q");
    if (!box) return;
    if (document.getElementById("q-error")) {
      box.setAttribute("aria-invalid", "true");
      box.setAttribute("aria-describedby", "q-error");
    } else {
      box.removeAttribute("aria-invalid");
      box.removeAttribute("aria-describedby");
    }
  });
})();

// Keyboard shortcuts. `/` goes to the search box from any page; in the results
// ↓/↑ or j/k move from row to row (focus moves to the row's customer link, so a screen reader
// reads it and Enter opens it), ↑ from the first row goes back to the box; Esc in the box
// clears it and searches again, Esc on a row goes back to the box; `?` lists the shortcuts.
// Letter keys never fire while typing in a field; in the box only ↓ and Esc do.
(function () {
  "use strict";

  var ROWS = "#results > table > tbody > tr";

  function searchBox() {
    return document.getElementById("q");
  }

  function rows() {
    return Array.from(document.querySelectorAll(ROWS));
  }

  function rowLink(row) {
    return row && row.cells[0] ? row.cells[0].querySelector("a[href]") : null;
  }

  function rowOf(element) {
    return element && element.closest ? element.closest(ROWS) : null;
  }

  function typingIn(element) {
    return !!(element && element.closest &&
      (element.closest("input, textarea, select") || element.isContentEditable));
  }

  // The current row is the one focus is in: it alone carries aria-current (and the mark).
  function markCurrent(row) {
    rows().forEach(function (r) {
      if (r === row) r.setAttribute("aria-current", "true");
      else r.removeAttribute("aria-current");
    });
  }

  function goTo(row) {
    var link = rowLink(row);
    if (!link) return false;
    link.focus();
    return true;
  }

  // `/` selects what the box holds (typing starts a new search); coming back up from the
  // results puts the caret at the end instead (typing refines the search).
  function focusBox(select) {
    var box = searchBox();
    if (box) {
      box.focus();
      if (select) box.select();
      else box.setSelectionRange(box.value.length, box.value.length);
      return true;
    }
    // Pages without the box: the search page opens with its box focused (autofocus).
    var url = document.body.getAttribute("data-search-url");
    if (url) window.location.assign(url);
    return !!url;
  }

  // Esc in the box: empty it and search again at once (the form's own htmx request).
  function clearBox(box) {
    box.value = "";
    if (box.form) box.form.requestSubmit();
  }

  // `?` (or the header's button) shows the shortcuts in a modal dialog; Esc or Close shuts it
  // and focus goes back where it was.
  var shortcutsOpener = null;

  function showShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (!dialog || dialog.open) return false;
    shortcutsOpener = document.activeElement;
    dialog.showModal();
    return true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var dialog = document.getElementById("shortcuts");
    if (!dialog) return;
    dialog.addEventListener("close", function () {
      var opener = shortcutsOpener;
      shortcutsOpener = null;
      if (opener && opener.isConnected && opener.focus) opener.focus();
    });
    document.querySelectorAll("[data-shortcuts-open]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", showShortcuts);
    });
  });

  document.addEventListener("focusin", function (event) {
    markCurrent(rowOf(event.target));
  });
  document.addEventListener("focusout", function (event) {
    if (!event.relatedTarget) markCurrent(null);
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    var key = event.key;
    if (target.closest && target.closest("dialog")) return;
    var box = searchBox();

    if (box && target === box) {
      if (key === "ArrowDown" && !event.shiftKey && goTo(rows()[0])) event.preventDefault();
      else if (key === "Escape" && box.value !== "") {
        event.preventDefault();
        clearBox(box);
      }
      return;
    }
    if (typingIn(target)) return;

    var row = rowOf(target);
    var list = rows();
    var at = list.indexOf(row);
    var handled = false;
    if (key === "?") {
      handled = showShortcuts();
    } else if (key === "/") {
      handled = focusBox(true);
    } else if ((key === "ArrowDown" && !event.shiftKey && row) || key === "j") {
      handled = goTo(row ? list[at + 1] : list[0]);
    } else if ((key === "ArrowUp" && !event.shiftKey && row) || (key === "k" && row)) {
      handled = at > 0 ? goTo(list[at - 1]) : focusBox(false);
    } else if (key === "Escape" && row) {
      handled = focusBox(false);
    }
    if (handled) event.preventDefault();
  });

  // Results swapped while focus was in them (a search that was still on its way, a page of
  // older results): focus goes to the first new row rather than falling to the page's top.
  var focusWasInResults = false;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var results = event.detail.target;
    focusWasInResults = !!(results && results.id === "results" &&
      results.contains(document.activeElement));
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (!focusWasInResults) return;
    focusWasInResults = false;
    if (!goTo(rows()[0])) {
      var box = searchBox();
      if (box) box.focus();
    }
  });
})();
