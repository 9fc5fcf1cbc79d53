// Follows a background job: polls its JSON status, updates the progress bar and text, and reloads the
// page once the job is done so the result appears. Without JavaScript a <noscript> meta refresh does it.
(function () {
  "use strict";
  var section = document.querySelector("[data-job-status-url]");
  if (!section || section.dataset.jobFinished === "true") return;
  var url = section.dataset.jobStatusUrl;
  var bar = document.getElementById("job-progress-bar");
  var lastText = "";

  function setText(name, value) {
    var node = section.querySelector('[data-job-text="' + name + '"]');
    if (node) node.textContent = value;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (job) {
        bar.value = job.progress_percent;
        bar.textContent = job.progress_percent + "%";
        var text = job.status_label + job.progress_percent;
        // Only touch the live region when something changed, so screen readers are not flooded.
        if (text !== lastText) {
          setText("status", job.status_label);
          setText("percent", job.progress_percent + "%");
          setText("done", job.progress_done);
          setText("total", job.progress_total);
          lastText = text;
        }
        if (job.is_finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
