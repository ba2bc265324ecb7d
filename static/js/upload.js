// Upload progress: htmx reports the bytes sent; after the last byte the server ingests,
// then sends the browser to the batch report. Without JS the form posts as usual.
(function () {
  "use strict";

  function progress() {
    var meter = document.getElementById("upload-meter");
    return meter && { meter: meter, status: document.getElementById("upload-status") };
  }

  function showMessage(text) {
    var box = document.getElementById("upload-message");
    if (!box) return;
    box.textContent = text; // Never HTML: a server's text may quote a file name.
    box.hidden = !text;
  }

  // A failed upload stores nothing: hide the progress so the form reads as ready again (htmx
  // re-enables its button), with the files still chosen for another try.
  function failed(text) {
    var parts = progress();
    if (parts) {
      parts.meter.value = 0;
      parts.status.textContent = "";
      parts.meter.closest(".upload-progress").classList.remove("active");
    }
    showMessage(text);
  }

  document.addEventListener("htmx:beforeRequest", function () { showMessage(""); });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var parts = progress();
    if (!parts || !event.detail.lengthComputable) return;
    var percent = Math.round((100 * event.detail.loaded) / event.detail.total);
    parts.meter.value = percent;
    parts.meter.closest(".upload-progress").classList.add("active");
    parts.status.textContent = percent < 100 ? percent + " % sent" : "sent; ingesting…";
  });

  // Ingest is idempotent (stored files come back as duplicates), so sending again is safe
  // even when an answer was lost after part of the upload was stored.
  var AGAIN = " Sending it again is safe: files already stored are reported as duplicates.";
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
    var known = {
      400: "The server refused the upload as malformed: nothing was stored. Reload the " +
        "page and try again.",
      403: "Not uploaded: not allowed, or your session expired. Reload the page (sign in " +
        "again if asked) and upload again.",
      413: "Not uploaded: larger than the server accepts. Send fewer or smaller files at " +
        "a time.",
    }[xhr.status];
    failed((plain && xhr.responseText) || known ||
      "The server failed (error " + xhr.status + "); the upload may be stored in part." + AGAIN);
  });
  document.addEventListener("htmx:sendError", function () {
    failed("The connection to the server was lost; the upload may be stored in part." + AGAIN);
  });
  document.addEventListener("htmx:timeout", function () {
    failed("The server did not answer in time; the upload may be stored in part." + AGAIN);
  });
})();
