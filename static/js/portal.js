// Small behaviours of the portal pages, kept out of the markup (Content-Security-Policy: no
// inline script or style). Progress bars take their width from data-progress; a select with
// data-autosubmit submits its form when changed; a form with data-confirm asks first;
// a button with data-copy copies the field it names.
(function () {
  document.querySelectorAll("[data-progress]").forEach(function (bar) {
    bar.style.width = bar.getAttribute("data-progress") + "%";
  });
  document.querySelectorAll("svg[data-max-width]").forEach(function (chart) {
    chart.style.maxWidth = chart.getAttribute("data-max-width") + "px";
  });
  document.querySelectorAll("[data-brand-color]").forEach(function (name) {
    name.style.color = name.getAttribute("data-brand-color");
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.querySelector(button.getAttribute("data-copy"));
      field.select();
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard) { navigator.clipboard.writeText(field.value).then(done); }
      else { document.execCommand("copy"); done(); }
    });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
