(function () {
  // The inventory table: sort by a column (click its header), filter by tier, owner and finding.
  var table = document.getElementById("apps");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var selects = document.querySelectorAll("select[data-filter-by]");
  function apply() {
    rows.forEach(function (r) {
      var shown = true;
      selects.forEach(function (s) {
        var want = s.value, key = s.getAttribute("data-filter-by");
        if (want === "") { return; }
        var have = (r.getAttribute("data-" + key) || "").split(" ");
        if (have.indexOf(want) < 0) { shown = false; }
      });
      r.hidden = !shown;
    });
    var count = document.getElementById("shown");
    if (count) { count.textContent = rows.filter(function (r) { return !r.hidden; }).length + " of " + rows.length + " apps"; }
  }
  selects.forEach(function (s) { s.hidden = false; s.addEventListener("change", apply); });
  table.querySelectorAll("th[data-sort]").forEach(function (th, i) {
    th.tabIndex = 0;
    th.addEventListener("click", function () {
      var key = th.getAttribute("data-sort");
      var asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th[data-sort]").forEach(function (x) { x.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = a.getAttribute("data-" + key) || "", y = b.getAttribute("data-" + key) || "";
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  apply();
})();
