// Small behaviours of the portal pages, kept out of the markup (Content-Security-Policy: no
// inline script or style). Progress bars take their width from data-progress; a select with
// data-autosubmit submits its form when changed; a form with data-confirm asks first;
// a button with data-copy copies the field it names; a button with data-toggle-rows shows or
// hides the rows its aria-controls names; a table with data-sortable sorts its rows by the
// column whose heading button is clicked (by each cell's data-sort, numerically when the
// heading has data-sort-type="number"); rows without data-sort-row travel with the row above;
// a menu closes on a click outside it or on Escape.
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
  document.querySelectorAll("button[data-toggle-rows]").forEach(function (button) {
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      (button.getAttribute("aria-controls") || "").split(/\s+/).forEach(function (id) {
        var row = id && document.getElementById(id);
        if (row) { row.hidden = !open; }
      });
    });
  });
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    var headings = table.tHead ? Array.prototype.slice.call(table.tHead.rows[0].cells) : [];
    var body = table.tBodies[0];
    headings.forEach(function (heading, column) {
      var button = heading.querySelector("button.sort");
      if (!button || !body) { return; }
      button.addEventListener("click", function () {
        var ascending = heading.getAttribute("aria-sort") !== "ascending";
        var numeric = heading.getAttribute("data-sort-type") === "number";
        var groups = [];
        Array.prototype.forEach.call(body.rows, function (row) {
          if (row.hasAttribute("data-sort-row") || !groups.length) {
            var cell = row.cells[column];
            var raw = cell ? (cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort")
              : cell.textContent.trim()) : "";
            var key = numeric ? parseFloat(raw) : raw.toLowerCase();
            var missing = raw === "" || (numeric && isNaN(key));
            groups.push({ rows: [row], key: key, missing: missing, order: groups.length });
          } else {
            groups[groups.length - 1].rows.push(row);
          }
        });
        groups.sort(function (a, b) {
          if (a.missing !== b.missing) { return a.missing ? 1 : -1; }  // blanks last, always
          var result = 0;
          if (!a.missing) {
            result = numeric ? a.key - b.key : a.key.localeCompare(b.key);
          }
          if (!ascending) { result = -result; }
          return result || a.order - b.order;
        });
        groups.forEach(function (group) {
          group.rows.forEach(function (row) { body.appendChild(row); });
        });
        headings.forEach(function (other) { other.removeAttribute("aria-sort"); });
        heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      });
    });
  });
  // A <details class="menu"> (the firm menu) closes on a click elsewhere or on Escape.
  var menus = document.querySelectorAll("details.menu");
  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) {
      if (menu.open && !menu.contains(event.target)) { menu.open = false; }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    menus.forEach(function (menu) {
      if (menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
    });
  });
})();
