// Review queue: a box in the table's head selects every article of the page for the bulk
// actions, and shows whether all, some or none are. Without JavaScript it stays hidden and
// each article is ticked on its own. The results are swapped in by htmx, hence delegation.
// Refused filters show their message in the results.
"use strict";

(function () {
  function boxes() {
    return document.querySelectorAll('#results input[name="articles"]');
  }

  function showSelectAll() {
    const all = document.querySelector("[data-select-all]");
    if (all) all.hidden = false;
  }

  document.addEventListener("change", (event) => {
    const all = document.querySelector("[data-select-all]");
    if (!all) return;
    if (event.target === all) {
      for (const box of boxes()) box.checked = all.checked;
      return;
    }
    if (event.target.matches('#results input[name="articles"]')) {
      const ticked = Array.from(boxes()).filter((box) => box.checked).length;
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    }
  });

  // A filter the server refuses (400) comes with its message in the results: show it, as
  // the page does without JavaScript (htmx leaves error answers unswapped).
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.xhr.status === 400 && event.detail.target.id === "results") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  showSelectAll();
  document.body.addEventListener("htmx:afterSwap", showSelectAll);
})();
