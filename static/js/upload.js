// Upload progress: htmx reports the bytes sent; after the last byte the server ingests,
// then sends the browser to the batch report. Without JS the form posts as usual.
(function () {
  "use strict";
  document.addEventListener("htmx:xhr:progress", function (event) {
    var meter = document.getElementById("upload-meter");
    var status = document.getElementById("upload-status");
    if (!meter || !event.detail.lengthComputable) return;
    var percent = Math.round((100 * event.detail.loaded) / event.detail.total);
    meter.value = percent;
    meter.closest(".upload-progress").classList.add("active");
    status.textContent = percent < 100 ? percent + " % sent" : "sent; ingesting…";
  });
})();
