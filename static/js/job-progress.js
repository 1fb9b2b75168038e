// Polls a job's status and moves its progress bar; reloads or redirects when done.
(function () {
  document.querySelectorAll("[data-job-status-url]").forEach(function (box) {
    var bar = box.querySelector(".progress > div");
    var label = box.querySelector("[data-job-message]");
    var url = box.getAttribute("data-job-status-url");
    function tick() {
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          bar.style.width = job.progress + "%";
          box.setAttribute("data-status", job.status);
          label.textContent = job.status === "failed" ? "Failed: " + job.error : (job.message || job.status);
          if (job.status === "done") {
            var link = box.querySelector("[data-job-done]");
            if (job.result_url) { window.location = job.result_url; return; }
            if (link && job.download_url) { link.href = job.download_url; link.hidden = false; }
            return;
          }
          if (job.status === "failed" || job.status === "cancelled") {
            var cancel = document.querySelector("[data-job-cancel]");
            if (cancel) { cancel.hidden = true; }
            return;
          }
          setTimeout(tick, 700);
        })
        .catch(function () { setTimeout(tick, 2000); });
    }
    tick();
  });
})();
