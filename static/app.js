// Customer Desk: behaviour htmx does not cover. No inline scripts (the CSP forbids them).
(function () {
  "use strict";

  // Toasts: the two regions of base.html, fixed in the viewport. Success and info leave after
  // a few seconds (not while the pointer or focus is on them); warnings and errors stay until
  // their close button is used. Messages arrive in the page, out of band with an htmx answer,
  // or from flash() below; a MutationObserver readies each one however it came.
  var TOAST_SECONDS = 6;

  function toastNode(message, kind) {
    var toast = document.createElement("div");
    toast.className = "toast toast--" + kind;
    toast.setAttribute("data-toast", kind === "success" || kind === "info" ? "fade" : "stay");
    var p = document.createElement("p");
    p.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", "Dismiss message");
    close.setAttribute("data-toast-close", "");
    toast.append(p, close);
    return toast;
  }

  function flash(message, kind) {
    kind = kind || "error";
    var region = document.getElementById(kind === "error" ? "flash-errors" : "flash");
    if (!region) return;
    var toast = toastNode(message, kind);
    toast.setAttribute("data-toast-source", "script");
    region.replaceChildren(toast);
  }

  function removeToast(toast) {
    if (!toast.isConnected) return;
    var hadFocus = toast.contains(document.activeElement);
    var done = function () {
      toast.remove();
      if (hadFocus) {
        var main = document.getElementById("main");
        if (main) main.focus({ preventScroll: true });
      }
    };
    if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) return done();
    toast.classList.add("toast--leaving");
    toast.addEventListener("transitionend", done, { once: true });
    window.setTimeout(done, 400);
  }

  function readyToast(toast) {
    if (toast.hasAttribute("data-toast-ready")) return;
    toast.setAttribute("data-toast-ready", "");
    var close = toast.querySelector("[data-toast-close]");
    if (close) close.hidden = false;
    if (toast.getAttribute("data-toast") !== "fade") return;
    var timer = null;
    var held = 0;
    var start = function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { removeToast(toast); }, TOAST_SECONDS * 1000);
    };
    var hold = function () { held += 1; window.clearTimeout(timer); };
    var release = function () { held = Math.max(0, held - 1); if (!held) start(); };
    toast.addEventListener("mouseenter", hold);
    toast.addEventListener("mouseleave", release);
    toast.addEventListener("focusin", hold);
    toast.addEventListener("focusout", release);
    start();
  }

  function readyToasts() {
    document.querySelectorAll(".toast").forEach(readyToast);
  }

  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest("[data-toast-close]");
    if (!close) return;
    var toast = close.closest(".toast");
    if (toast) removeToast(toast);
  });

  document.addEventListener("DOMContentLoaded", function () {
    readyToasts();
    var toasts = document.querySelector(".toasts");
    if (toasts && window.MutationObserver) {
      new MutationObserver(readyToasts).observe(toasts, { childList: true, subtree: true });
    }
  });

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

  // A successful swap clears an old error of a request that failed (a server's own error
  // messages stay until dismissed).
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll('#flash-errors [data-toast-source="script"]').forEach(function (toast) {
      toast.remove();
    });
  });

  // The header folds its menu behind a Menu button on narrow screens (see app.css); without
  // this script the menu wraps instead.
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-menu-button]");
    var header = document.querySelector("[data-site-header]");
    if (!button || !header) return;
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    var setOpen = function (open) {
      header.classList.toggle("site-header--open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    };
    button.hidden = false;
    header.classList.add("site-header--folding");
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
      if (!menu || !menu.contains(event.target)) return;
      setOpen(false);
      button.focus();
    });
  });

  // After a failed submit the error summary is focused and scrolled into view: on a page that
  // arrives with one, and when an htmx answer brings a new one. Its links move focus to the
  // field they name (the control itself, or the first control of a group).
  var SUMMARY = "[data-error-summary]";
  var CONTROL = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])";

  function focusSummary(summary) {
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus({ preventScroll: true });
    summary.scrollIntoView({ block: "start", behavior: "instant" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(SUMMARY);
    if (!summary) return;
    focusSummary(summary);
    // Autofocus runs later than this script: the summary wins back focus once the page is in.
    window.addEventListener("load", function () {
      var active = document.activeElement;
      if (summary.isConnected && (!active || active === document.body || active.hasAttribute("autofocus"))) {
        focusSummary(summary);
      }
    }, { once: true });
  });

  // Only after a submit or a button: a summary arriving with active search (typing, a
  // filter changed) must not pull focus out of the field being typed in.
  var summariesBefore = [];
  var submitted = false;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    var trigger = config && config.triggeringEvent;
    submitted = !!trigger && (trigger.type === "submit" || trigger.type === "click");
    summariesBefore = Array.from(document.querySelectorAll(SUMMARY));
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!submitted) return;
    submitted = false;
    var fresh = Array.from(document.querySelectorAll(SUMMARY)).filter(function (summary) {
      return summariesBefore.indexOf(summary) === -1;
    });
    summariesBefore = [];
    if (fresh.length) focusSummary(fresh[0]);
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(SUMMARY + ' a[href^="#"]');
    if (!link) return;
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var control = target.matches(CONTROL) ? target : target.querySelector(CONTROL);
    var focusable = control || (target.hasAttribute("tabindex") ? target : null);
    if (!focusable) return;
    event.preventDefault();
    var details = focusable.closest("details:not([open])");
    if (details) details.open = true;
    (focusable.closest(".field") || focusable).scrollIntoView({ block: "center", behavior: "instant" });
    focusable.focus({ preventScroll: true });
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

/* == PAGE helper: copy buttons ==
   A button with data-copy="<text>" copies that text; the [data-copy-status] beside it (a
   live region) says "Copied" for a few seconds, or how to copy by hand. */
(function () {
  "use strict";

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    document.body.removeChild(area);
    return copied;
  }

  function say(button, message) {
    var holder = button.parentNode;
    var status = holder ? holder.querySelector("[data-copy-status]") : null;
    if (!status) return;
    status.textContent = message;
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(function () {
      status.textContent = "";
    }, 4000);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy]") : null;
    if (!button) return;
    event.preventDefault();
    var text = button.getAttribute("data-copy") || "";
    var manual = "Select the id and press Ctrl+C to copy it";
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () {
          say(button, "Copied");
        },
        function () {
          say(button, fallbackCopy(text) ? "Copied" : manual);
        }
      );
    } else {
      say(button, fallbackCopy(text) ? "Copied" : manual);
    }
  });
})();

/* == CONFLICT helper: a destructive form's button waits for the typed confirmation == */
// <form data-confirm-typed="cus_1"> keeps its [data-confirm-submit] button disabled until
// its text field holds exactly that value (spaces around it aside, as the server reads
// it). The server checks again; without this script the button simply stays enabled.
(function () {
  "use strict";

  function sync(form) {
    var button = form.querySelector("[data-confirm-submit]");
    var input = form.querySelector("input[type='text'], input:not([type])");
    if (!button || !input) return;
    button.disabled = input.value.trim() !== form.getAttribute("data-confirm-typed");
  }

  function syncAll(root) {
    var forms = (root || document).querySelectorAll("form[data-confirm-typed]");
    for (var i = 0; i < forms.length; i++) sync(forms[i]);
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest ? event.target.closest("form[data-confirm-typed]") : null;
    if (form) sync(form);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      syncAll(document);
    });
  } else {
    syncAll(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    syncAll(event.target);
  });

  // "Print or save as PDF" (the subject access summary): the browser's own print dialog.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  // Selecting customers to block: a group's "select all" box ticks (or clears) the boxes it
  // names (data-select-all="group id"); the count beside the button follows every change, and
  // ticking a customer in one group ticks its boxes in the others.
  function countSelected(form) {
    var out = document.querySelector("[data-selected-count='" + form.id + "']");
    if (!out) return;
    // A customer linked in several ways has a box in each group: count customers, not boxes.
    var boxes = document.querySelectorAll("input[name='ids'][form='" + form.id + "']:checked, #" + form.id + " input[name='ids']:checked");
    var seen = {};
    var n = 0;
    for (var i = 0; i < boxes.length; i++) {
      if (!seen[boxes[i].value]) {
        seen[boxes[i].value] = true;
        n++;
      }
    }
    out.textContent = n === 1 ? "1 selected" : n + " selected";
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches) return;
    if (box.matches("input[name='ids']") && box.form) {
      var same = box.form.querySelectorAll("input[name='ids']");
      for (var j = 0; j < same.length; j++) {
        if (same[j].value === box.value) same[j].checked = box.checked;
      }
    }
    if (box.matches("input[data-select-all]")) {
      var boxes = document.querySelectorAll("[data-select-group='" + box.getAttribute("data-select-all") + "'] input[name='ids']");
      for (var i = 0; i < boxes.length; i++) boxes[i].checked = box.checked;
    }
    if (box.matches("input[name='ids'], input[data-select-all]")) {
      var form = box.form || (box.closest && box.closest("form"));
      if (form && form.id) countSelected(form);
    }
  });
})();
