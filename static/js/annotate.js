// The annotation workspace: selection → code points, label keys, popup, saves through htmx.
// Offsets sent to the server are Unicode code points; codePointOffset() is the only place
// where the browser's UTF-16 offsets are converted. The server checks the quote at them.
(() => {
  "use strict";
  const ws = document.getElementById("workspace");
  if (!ws) return;
  ws.classList.add("scripted"); // Shows the buttons that act on a selection (CSS).
  const text = document.getElementById("text");
  const popup = document.getElementById("popup");
  const errorBox = document.getElementById("save-error");
  const statusBox = document.getElementById("save-status");
  const labelKeys = JSON.parse(document.getElementById("label-keys").textContent);
  const base = ws.dataset.base;
  const canAnnotate = ws.dataset.canAnnotate === "true";
  if (canAnnotate) ws.classList.add("keyboard"); // Shows the key hints (annotate.css).
  const NEXT_STANCE = { "": "FAVOR", FAVOR: "AGAINST", AGAINST: "NONE", NONE: "" };
  let selection = null; // {start, end, exact}: the last non-empty selection in the text

  htmx.config.timeout = 15000;

  // ------------------------------------------------------------ offsets

  /** UTF-16 boundary (node, offset) inside a block → code point offset in the revision text. */
  function codePointOffset(block, node, offset) {
    const range = document.createRange();
    range.setStart(block, 0);
    range.setEnd(node, offset);
    let before = range.toString();
    const last = before.charCodeAt(before.length - 1);
    // A boundary between the two halves of a surrogate pair snaps back before the pair.
    if (last >= 0xd800 && last <= 0xdbff) before = before.slice(0, -1);
    let count = 0;
    for (const _ of before) count++; // iterating a string walks code points, not code units
    return Number(block.dataset.start) + count;
  }

  function boundary(node, offset) {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const block = element && element.closest(".blk");
    if (block && text.contains(block)) return codePointOffset(block, node, offset);
    // Between blocks (a triple click ends there): the start of the next block.
    const blocks = text.querySelectorAll(".blk");
    for (const candidate of blocks) {
      const range = document.createRange();
      range.selectNodeContents(candidate);
      if (range.comparePoint(node, offset) < 0) return Number(candidate.dataset.start);
    }
    return blocks.length ? Number(blocks[blocks.length - 1].dataset.end) : null;
  }

  /** The revision text in [start, end), from the blocks on the page; blocks are "\n\n" apart. */
  function textBetween(start, end) {
    let joined = "";
    let from = null;
    let previousEnd = null;
    for (const block of text.querySelectorAll(".blk")) {
      const blockStart = Number(block.dataset.start);
      const blockEnd = Number(block.dataset.end);
      if (blockEnd < start) continue;
      if (blockStart > end) break;
      if (from === null) from = blockStart;
      else joined += "\n".repeat(blockStart - previousEnd);
      joined += block.textContent;
      previousEnd = blockEnd;
    }
    if (from === null) return "";
    return Array.from(joined).slice(start - from, end - from).join("");
  }

  function readSelection() {
    const sel = window.getSelection();
    if (!sel.rangeCount || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return null;
    const start = boundary(range.startContainer, range.startOffset);
    const end = boundary(range.endContainer, range.endOffset);
    if (start === null || end === null || start >= end) return null;
    const chars = Array.from(textBetween(start, end));
    let a = 0;
    let b = chars.length;
    // Whitespace the mouse picked up at either edge is not part of a mention.
    while (a < b && /\s/u.test(chars[a])) a++;
    while (b > a && /\s/u.test(chars[b - 1])) b--;
    if (a === b) return null;
    return { start: start + a, end: start + b, exact: chars.slice(a, b).join("") };
  }

  // ------------------------------------------------------------ feedback

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    statusBox.textContent = "";
  }

  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
  }

  // Leaving the page while a save is on its way would lose it without a word.
  const inFlight = new Set();
  window.addEventListener("beforeunload", (event) => {
    if (inFlight.size > 0) event.preventDefault();
  });
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.requestConfig.verb === "get") return;
    inFlight.add(event.detail.xhr);
    statusBox.textContent = "Saving…";
  });
  // An answer arrived (before it is processed: it may redirect) or the request failed.
  for (const name of ["htmx:beforeOnLoad", "htmx:sendError", "htmx:timeout", "htmx:xhr:abort"]) {
    document.body.addEventListener(name, (event) => inFlight.delete(event.detail.xhr));
  }
  document.body.addEventListener("htmx:sendError", () => {
    showError("Connection lost: nothing was saved. Your selection is kept; try again.");
  });
  document.body.addEventListener("htmx:timeout", () => {
    showError("The server did not answer: this change may not be saved. Reload to check.");
  });
  document.body.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    const body = (xhr.getResponseHeader("Content-Type") || "").startsWith("text/plain")
      ? xhr.responseText
      : "";
    // What a page left open elsewhere meets: its annotation deleted, or the article submitted.
    const stale = {
      403: "Not saved: this is no longer allowed (submitted in another tab?). Reload the page.",
      404: "Not saved: this annotation is gone (deleted in another tab?). Reload the page.",
    }[xhr.status];
    showError(body || stale || `Not saved (server error ${xhr.status}).`);
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (!event.detail.successful) return;
    const events = event.detail.xhr.getResponseHeader("HX-Trigger") || "";
    // Saved from another tab meanwhile: the panel now shows that, and this says why.
    if (events.includes("annotation-stale")) {
      showError(JSON.parse(events)["annotation-stale"].message);
      return;
    }
    clearError();
    if (event.detail.requestConfig.verb === "get") statusBox.textContent = "";
    else if (event.detail.target !== statusBox) {
      if (events.includes("annotation-deleted")) statusBox.textContent = "Deleted.";
      else if (events.includes("annotation-unchanged")) statusBox.textContent = "No change.";
      else statusBox.textContent = "Saved.";
    }
  });
  // After a save re-renders the text, the caret goes back to the end of what was tagged, so
  // the keyboard goes on from there instead of from the top of the article.
  let resumeAt = null;
  let keep = null; // selected while the save was on its way: the next thing to tag
  document.body.addEventListener("annotation-saved", () => {
    if (sent && selection && (selection.start !== sent.start || selection.end !== sent.end)) {
      keep = selection;
      return;
    }
    resumeAt = selection ? selection.end : null;
    forget();
  });
  document.body.addEventListener("annotation-deleted", () => forget());
  document.body.addEventListener("htmx:afterSettle", () => {
    fillSpanInputs();
    markEditing();
    if (keep !== null) {
      const span = keep;
      keep = null;
      // Its paragraph may have been re-rendered under it: select it again, unless the
      // focus has gone to a form meanwhile.
      requestAnimationFrame(() => {
        const active = document.activeElement;
        if (readSelection() || (active !== text && active !== document.body)) return;
        selection = span;
        reselect(span);
      });
      return;
    }
    if (resumeAt === null) return;
    const at = resumeAt;
    resumeAt = null;
    // On the next frame, after the out-of-band paragraphs are in place too; unless the user
    // has selected something anew meanwhile.
    requestAnimationFrame(() => {
      if (window.getSelection().isCollapsed) placeCaret(at);
    });
  });

  // A save or delete in the panel replaces it, and the focused control with it. The focus
  // goes to the same control in the new panel where it is in sight (Save, after saving),
  // else back into the text: to the span that was open (or where it was), as Esc leaves it.
  let panelFocus = null;
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const panel = document.getElementById("panel");
    const active = document.activeElement;
    if (!panel || event.detail.target !== panel || !panel.contains(active)) return;
    const form = active.closest("form");
    const editing = panel.querySelector("[data-editing-key]");
    const mark = editing && text.querySelector(`mark[data-key="${editing.dataset.editingKey}"]`);
    const first = mark && document.createTreeWalker(mark, NodeFilter.SHOW_TEXT).nextNode();
    panelFocus = {
      id: active.id,
      tag: active.tagName,
      name: active.getAttribute("name"),
      label: active.textContent.trim(),
      action: form ? form.getAttribute("action") : null,
      at: first ? boundary(first, 0) : null,
    };
  });
  document.body.addEventListener("htmx:afterSettle", () => {
    if (!panelFocus) return;
    const was = panelFocus;
    panelFocus = null;
    // After the handlers above, which may put the caret back after a save.
    requestAnimationFrame(() => {
      if (document.activeElement && document.activeElement !== document.body) return;
      const panel = document.getElementById("panel");
      const same = Array.from(panel ? panel.querySelectorAll(was.tag) : []).find(
        (el) =>
          (was.id
            ? el.id === was.id
            : el.getAttribute("name") === was.name && el.textContent.trim() === was.label) &&
          (el.closest("form") ? el.closest("form").getAttribute("action") : null) === was.action,
      );
      // Not in sight (in a folded form, say), it takes no focus: into the text then.
      if (same) same.focus();
      if (same && document.activeElement === same) return;
      text.focus({ preventScroll: true });
      if (was.at !== null) placeCaret(was.at);
    });
  });

  /** The DOM point (text node, UTF-16 offset) at a code point offset of the revision text. */
  function pointAt(offset) {
    for (const block of text.querySelectorAll(".blk")) {
      if (offset < Number(block.dataset.start) || offset > Number(block.dataset.end)) continue;
      let left = offset - Number(block.dataset.start);
      const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const chars = Array.from(node.data);
        if (left <= chars.length) return [node, chars.slice(0, left).join("").length];
        left -= chars.length;
      }
    }
    return null;
  }

  /** Collapse the selection at a code point offset of the revision text. */
  function placeCaret(offset) {
    const point = pointAt(offset);
    if (point) window.getSelection().collapse(...point);
  }

  /** Select [start, end) in the text again, as it was before a form took the focus. */
  function reselect(span) {
    const from = pointAt(span.start);
    const to = pointAt(span.end);
    if (!from || !to) return;
    text.focus({ preventScroll: true });
    window.getSelection().setBaseAndExtent(...from, ...to);
  }

  // ------------------------------------------------------------ selection state

  function fillSpanInputs() {
    for (const form of document.querySelectorAll("[data-span-form]")) {
      for (const name of ["start", "end", "exact"]) {
        const input = form.querySelector(`[data-span="${name}"]`);
        if (input) input.value = selection ? selection[name] : "";
      }
    }
    const quote = document.getElementById("claim-quote");
    if (quote) quote.textContent = selection ? `“${selection.exact}”` : "Select the claim first.";
  }

  function forget() {
    selection = null;
    popup.hidden = true;
    window.getSelection().removeAllRanges();
    fillSpanInputs();
  }

  function showPopup() {
    const sel = window.getSelection();
    if (!canAnnotate || !selection || !sel.rangeCount) {
      popup.hidden = true;
      return;
    }
    const rect = sel.getRangeAt(sel.rangeCount - 1).getBoundingClientRect();
    popup.hidden = false;
    popup.style.top = `${window.scrollY + rect.bottom + 6}px`;
    popup.style.left = `${window.scrollX + Math.max(0, rect.left)}px`;
  }

  let pending = false;
  document.addEventListener("selectionchange", () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const current = readSelection();
      if (current) {
        selection = current;
        fillSpanInputs();
        showPopup();
      } else if (window.getSelection().isCollapsed || crossesText()) {
        popup.hidden = true;
        if (caretInText() || crossesText()) dropSelection();
      }
    });
  });

  // A click or caret move in the text deselects: a label key must not tag what was selected
  // before. (A caret outside the text, in the claim form say, keeps the selection for it.)
  function caretInText() {
    const sel = window.getSelection();
    return sel.rangeCount > 0 && sel.isCollapsed && text.contains(sel.anchorNode);
  }

  // A selection that runs out of the text (a drag carried on into the panel) is no span: it
  // is dropped, not left to tag the part selected while the pointer was still in the text.
  function crossesText() {
    const sel = window.getSelection();
    if (!sel.rangeCount || sel.isCollapsed) return false;
    const range = sel.getRangeAt(0);
    const inside = text.contains(range.startContainer) && text.contains(range.endContainer);
    return !inside && range.intersectsNode(text);
  }

  function dropSelection() {
    if (!selection) return;
    selection = null;
    fillSpanInputs();
  }

  function markEditing() {
    for (const mark of text.querySelectorAll("mark.current")) mark.classList.remove("current");
    const editing = document.querySelector("[data-editing-key]");
    if (!editing) return;
    for (const mark of text.querySelectorAll(`mark[data-key="${editing.dataset.editingKey}"]`)) {
      mark.classList.add("current");
    }
  }

  // ------------------------------------------------------------ saving

  // Saves made here go one at a time, in the order they were made: htmx would keep only the
  // last of those waiting behind one on its way, and the panel a waiting save was aimed at
  // may be gone by its turn. ``values`` may be a function, read when the save is sent.
  // Opening and closing a span in the panel wait their turn too: a panel loaded before a
  // save was answered would otherwise arrive after it and show the state before the save.
  let queue = Promise.resolve();
  let sent = null; // the span of the save on its way, if it has one
  function post(url, values, target = "#panel", done = () => {}) {
    if (!navigator.onLine) {
      showError("You are offline: nothing was saved. Your selection is kept.");
      done();
      return;
    }
    inTurn("POST", url, values, target, done);
  }

  function loadPanel(url) {
    inTurn("GET", url, {}, "#panel");
  }

  function inTurn(method, url, values, target, done = () => {}) {
    const swap = target === "#panel" ? "outerHTML" : "innerHTML";
    queue = queue
      .then(() => {
        const body = typeof values === "function" ? values() : values;
        if (!body) return undefined;
        sent = "start" in body ? { start: body.start, end: body.end } : null;
        return htmx.ajax(method, url, { source: ws, target, swap, values: body });
      })
      .catch(() => {}) // Said by the htmx:sendError and htmx:timeout handlers.
      .then(() => {
        sent = null;
        done();
      });
  }

  function needSelection() {
    if (selection) return true;
    showError(crossesText() ? "Select text within the article." : "Select some text first.");
    return false;
  }

  function spanValues() {
    return { revision: ws.dataset.revision, ...selection };
  }

  // The spans whose mention is on its way: the selection stays until the answer, and a
  // label key pressed again meanwhile (a double tap, a quick second thought) would tag the
  // same words twice.
  const tagging = new Set();

  function createMention(label) {
    if (!needSelection()) return;
    const span = `${selection.start}:${selection.end}`;
    if (tagging.has(span)) {
      statusBox.textContent = "Already being tagged: once saved, Enter on it changes its label.";
      return;
    }
    tagging.add(span);
    const entity = document.getElementById("mention-entity");
    // The hot path answers with the touched paragraphs and the entity list only.
    const values = { ...spanValues(), label, entity: entity ? entity.value : "" };
    post(`${base}new/mention/`, values, "#save-status", () => tagging.delete(span));
  }

  function openClaim() {
    if (!needSelection()) return;
    const box = document.getElementById("claim-box");
    if (!box) return;
    box.open = true;
    fillSpanInputs();
    popup.hidden = true;
    box.querySelector("select").focus();
  }

  // The stance it cycles from is read when the save is sent, after the saves before it
  // have been answered: pressing a key twice goes two steps.
  function cycleTopic(number) {
    if (!document.querySelector(`[data-topic-key="${number}"]`)) return;
    post(`${base}topic-stance/`, () => {
      const form = document.querySelector(`[data-topic-key="${number}"]`);
      if (!form) return null;
      const topic = form.querySelector("[name=topic]").value;
      return { topic, label: NEXT_STANCE[form.dataset.current] ?? "" };
    });
  }

  popup.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
  popup.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.label) createMention(button.dataset.label);
    else if (button.dataset.action === "claim") openClaim();
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button || popup.contains(button)) return;
    if (button.dataset.action === "resize" && needSelection()) post(button.dataset.url, spanValues());
    if (button.dataset.action === "cue" && needSelection()) {
      post(button.dataset.url, { ...spanValues(), owner: button.dataset.owner });
    }
  });

  // Clicking a span, or Enter with the caret in it, opens it in the side panel (edit, delete,
  // move).
  function openMark(mark) {
    const [kind, pk] = mark.dataset.key.split("-");
    loadPanel(`${base}${kind}/${pk}/`);
  }

  text.addEventListener("click", (event) => {
    if (!canAnnotate || !window.getSelection().isCollapsed) return;
    const mark = event.target.closest("mark.an");
    if (mark) openMark(mark);
  });

  // The span holding the caret, or the whole selection.
  function markAtCaret() {
    const sel = window.getSelection();
    if (!sel.rangeCount || !text.contains(sel.anchorNode)) return null;
    const markOf = (node) =>
      (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement).closest("mark.an");
    const mark = markOf(sel.anchorNode);
    return mark && mark.contains(sel.focusNode) ? mark : null;
  }

  // ------------------------------------------------------------ keyboard

  // How the caret keys move (Shift extends): by word, by line, to the line's ends.
  const CARET_KEYS = {
    ArrowRight: ["forward", "word"],
    ArrowLeft: ["backward", "word"],
    ArrowDown: ["forward", "line"],
    ArrowUp: ["backward", "line"],
    End: ["forward", "lineboundary"],
    Home: ["backward", "lineboundary"],
  };

  function caretIntoText() {
    const sel = window.getSelection();
    if (sel.rangeCount && text.contains(sel.anchorNode)) return;
    // The first text of a paragraph, not the white space of the markup between them.
    const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT, (node) =>
      node.parentElement.closest(".blk") ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT,
    );
    const first = walker.nextNode();
    if (first) sel.collapse(first, 0);
  }

  text.addEventListener("focus", caretIntoText);

  // Esc in one of the panel's folding forms (the claim form above all) cancels it: it
  // closes, and the focus goes back where the form was opened from. For the claim form that
  // `c` opened, that is the text with the selection, so another key can tag it instead.
  function closeForm(details) {
    details.open = false;
    const kept = selection;
    if (details.id === "claim-box" && kept) reselect(kept);
    else details.querySelector("summary").focus();
  }

  // Esc with a span open in the panel (from its form, or from the text with nothing
  // selected) closes it as its Close link does, and leaves the caret in the span: Enter
  // opens it again, the arrow keys go on from there.
  // Where the caret was left and for which span: a span inside it (a mention at the start
  // of a claim) holds the same place, and Enter there opens the one just closed.
  let closedAt = null;

  function closeEditing() {
    const editing = document.querySelector("#panel [data-editing-key]");
    if (!editing) return false;
    const key = editing.dataset.editingKey;
    const mark = text.querySelector(`mark[data-key="${key}"]`);
    text.focus();
    const first = mark && document.createTreeWalker(mark, NodeFilter.SHOW_TEXT).nextNode();
    if (first) {
      window.getSelection().collapse(first, 0);
      closedAt = { key, node: first };
    }
    loadPanel(editing.querySelector("a[data-close]").href);
    return true;
  }

  function markClosedAtCaret() {
    const sel = window.getSelection();
    const still = closedAt && sel.isCollapsed && sel.anchorNode === closedAt.node;
    return still && sel.anchorOffset === 0
      ? text.querySelector(`mark[data-key="${closedAt.key}"]`)
      : null;
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key === "Escape" && target.closest) {
      const details = target.closest("#panel details[open]");
      if (details && details.querySelector("form")) {
        closeForm(details);
        event.preventDefault();
        return;
      }
      if (target.closest("#panel [data-editing-key]") && closeEditing()) {
        event.preventDefault();
        return;
      }
    }
    if (target.closest && target.closest("input, select, textarea, [contenteditable]")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const sel = window.getSelection();
    const inText = sel.rangeCount && text.contains(sel.anchorNode);
    const step = CARET_KEYS[event.key];
    if (step) {
      if (!inText && document.activeElement !== text) return;
      caretIntoText();
      sel.modify(event.shiftKey ? "extend" : "move", ...step);
      event.preventDefault();
      return;
    }
    if (event.key === "Escape") {
      if (sel.isCollapsed && closeEditing()) event.preventDefault();
      else forget();
      return;
    }
    if (!canAnnotate || event.shiftKey) return;
    if (event.key === "Enter" && text.contains(document.activeElement)) {
      const mark = markClosedAtCaret() || markAtCaret();
      if (mark) {
        forget();
        openMark(mark);
        event.preventDefault();
      }
      return;
    }
    // The selectionchange handler runs on the next frame; a fast key press must not miss it.
    const current = readSelection();
    if (current) selection = current;
    else if (caretInText() || crossesText()) dropSelection();
    if (/^[1-9]$/.test(event.key)) {
      cycleTopic(event.key);
      event.preventDefault();
    } else if (event.key === "c") { // With nothing selected: says to select first.
      openClaim();
      event.preventDefault();
    } else if (labelKeys[event.key]) {
      createMention(labelKeys[event.key]); // With nothing selected: says to select first.
      event.preventDefault();
    }
  });

  markEditing();
  // The offset conversion, for the browser tests that check it exhaustively.
  window.newsreaderAnnotate = { readSelection };
})();
