// Keyboard and mouse for the review page. Every action here is also a plain form without JS;
// this only fills those forms in and submits them (htmx turns the submit into a partial update).
(function () {
  "use strict";

  var cursor = null; // 1-based line number with the keyboard focus
  var anchor = null; // where a shift-click range starts
  var busy = false;
  var queue = []; // actions pressed while a request is out, run in order afterwards

  // Settle at once: htmx then swaps, settles and only afterwards reports the request done, so
  // the next queued action reads the fresh forms and the cursor class is not settled away.
  if (window.htmx) htmx.config.defaultSettleDelay = 0;

  function lines() { return document.getElementById("lines"); }
  function lineEl(number) { return document.getElementById("line-" + (number - 1)); }
  function count() { return lines() ? lines().children.length : 0; }

  // One Tab stop among the lines (a page may have thousands): the cursor's line, else the
  // first; j/k move it, and the focus with it when a line has the focus. Without this
  // script every line's button is a Tab stop, which keeps them usable without JavaScript.
  function rove() {
    var list = lines();
    if (!list) return;
    var stops = list.querySelectorAll(".ln:not([tabindex='-1'])");
    var target = lineEl(cursor || 1);
    target = target && target.querySelector(".ln");
    var hadFocus = false;
    for (var i = 0; i < stops.length; i++) {
      if (stops[i] === target) continue;
      hadFocus = hadFocus || document.activeElement === stops[i];
      stops[i].tabIndex = -1;
    }
    if (!target) return;
    target.tabIndex = 0;
    if (hadFocus) target.focus();
  }

  function setCursor(number, scroll) {
    var old = document.querySelector(".line.cursor");
    if (old) old.classList.remove("cursor");
    cursor = Math.max(1, Math.min(count(), number));
    var el = lineEl(cursor);
    if (!el) return;
    el.classList.add("cursor");
    rove();
    if (scroll) el.scrollIntoView({ block: "nearest" });
    var labelForm = document.getElementById("label-form");
    if (labelForm && !labelForm.contains(document.activeElement)) {
      labelForm.elements.first.value = cursor;
      labelForm.elements.last.value = "";
    }
  }

  function submit(form) {
    if (busy) { queue.push(function () { submit(document.getElementById(form.id) || form); }); return; }
    if (!form.checkValidity()) { form.reportValidity(); return; }
    if (window.htmx) { busy = true; form.requestSubmit(); } else { form.submit(); }
  }

  // A form swapped out while queued is found again by id, so it carries the fresh version.
  function later(fn) { if (busy) { queue.push(fn); } else { fn(); } }

  // mode: "toggle", or "body"/"boilerplate" to give a range the state its anchor line has.
  function toggle(first, last, mode) {
    later(function () {
      var form = document.getElementById("toggle-form");
      form.elements.first.value = first;
      form.elements.last.value = last || first;
      form.elements.label.value = mode || "toggle";
      submit(form);
    });
  }

  function cutSelection() {
    var selection = window.getSelection();
    var text = selection ? selection.toString() : "";
    if (!text.trim()) return false;
    var node = selection.anchorNode && selection.anchorNode.parentElement;
    var line = node && node.closest(".line");
    if (!line) return false;
    var form = document.getElementById("cut-form");
    form.elements.line.value = line.dataset.line;
    form.elements.fragment.value = text;
    return true;
  }

  rove();
  // Lines swapped in by an edit come back as Tab stops, and a focused line's button is gone:
  // give the focus back to the cursor's line if a line had it.
  var lineFocused = false;
  document.addEventListener("focusin", function (event) {
    lineFocused = !!event.target.closest("#lines .ln");
  });
  document.addEventListener("htmx:afterSettle", function () {
    rove();
    var stop = lineFocused && document.activeElement === document.body && lineEl(cursor || 1);
    if (stop) stop.querySelector(".ln").focus();
  });

  document.addEventListener("htmx:afterRequest", function () {
    busy = false;
    var next = queue.shift();
    if (next) next();
    if (cursor) setCursor(cursor, false);
  });

  // A line edit's answer leaves the side forms in place: they send the version on the page.
  document.addEventListener("htmx:configRequest", function (event) {
    var head = document.getElementById("review-head");
    if (head && event.detail.parameters.version !== undefined) {
      event.detail.parameters.version = head.dataset.version;
    }
  });

  // Anything else that fails (a 403 after signing in again elsewhere, a 500, no connection)
  // has no message of ours in it: say so, or the key press seems to do nothing.
  function showAlert(text) {
    var box = document.getElementById("review-message");
    if (!box) return;
    var p = document.createElement("p");
    p.className = "alert bad";
    p.setAttribute("role", "alert");
    p.textContent = text;
    box.replaceChildren(p);
  }
  function showFailure(text) {
    showAlert(text);
    queue = [];
  }
  // The browser's own bubble for the required reason is easy to miss (and with r, Enter it
  // may not show at all): say it where the page's messages go.
  document.addEventListener("invalid", function (event) {
    if (event.target.id === "reject-reason") showAlert("Choose a reason to reject the article.");
  }, true);
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) return;
    showFailure("Not saved (error " + status + "). Reload the page and try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    showFailure("Connection lost: not saved. Try again.");
  });

  // Conflicts (409) and refusals (400) carry the message and the fresh state: show them.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      queue = [];
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".line .ln, .line .text");
    if (!button) return;
    // Dragging over a line's text selects it for a cut; shift-click extends the browser's
    // selection too, but here it means a range of lines.
    if (event.shiftKey) window.getSelection().removeAllRanges();
    else if (button.classList.contains("text") && window.getSelection().toString()) return;
    var number = parseInt(button.closest(".line").dataset.line, 10);
    event.preventDefault();
    if (event.shiftKey && anchor !== null && anchor !== number) {
      var body = lineEl(anchor).classList.contains("lab-body");
      toggle(Math.min(anchor, number), Math.max(anchor, number), body ? "body" : "boilerplate");
    } else {
      toggle(number);
    }
    anchor = number;
    setCursor(number, false);
  });

  document.addEventListener("mouseup", function (event) {
    if (event.target.closest && event.target.closest("#lines")) cutSelection();
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]")) {
      if (event.key === "Enter" && target.id === "reject-reason") {
        event.preventDefault();
        // Without a reason this only says so, and the focus stays here to choose one.
        submit(document.getElementById("reject-form"));
        if (target.value) target.blur();  // The page's keys work again at once (htmx would refocus it after the swap).
      }
      if (event.key === "Escape") target.blur();
      return;
    }
    // Space and Enter press a focused button or follow a focused link, as everywhere else.
    if ((event.key === " " || event.key === "Enter") && target.closest("button, a, summary")) return;
    var handled = true;
    switch (event.key) {
      case "j": setCursor((cursor || 0) + 1, true); break;
      case "k": setCursor((cursor || 2) - 1, true); break;
      case " ": if (cursor) { toggle(cursor); anchor = cursor; } break;
      case "x": if (cutSelection()) later(function () { submit(document.getElementById("cut-form")); }); break;
      case "u": later(function () { var b = document.getElementById("undo"); if (!b.disabled) submit(b.form); }); break;
      case "a": later(function () { submit(document.getElementById("approve").form); }); break;
      case "r": document.getElementById("reject-reason").focus(); break;
      case "n": window.location.href = document.getElementById("next").href; break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });
})();
