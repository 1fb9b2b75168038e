// Small behaviours of the portal pages, kept out of the markup (Content-Security-Policy: no
// inline script or style). Progress bars take their width from data-progress; a select with
// data-autosubmit submits its form when changed.
(function () {
  document.querySelectorAll("[data-progress]").forEach(function (bar) {
    bar.style.width = bar.getAttribute("data-progress") + "%";
  });
  document.querySelectorAll("svg[data-max-width]").forEach(function (chart) {
    chart.style.maxWidth = chart.getAttribute("data-max-width") + "px";
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
