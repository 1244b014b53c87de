(function () {
  function copy(text, button) {
    function done() { var t = button.textContent; button.textContent = "Copied"; setTimeout(function () { button.textContent = t; }, 1200); }
    if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done, fallback); } else { fallback(); }
    function fallback() { var a = document.createElement("textarea"); a.value = text; document.body.appendChild(a); a.select();
      try { document.execCommand("copy"); done(); } catch (e) {} document.body.removeChild(a); }
  }
  document.querySelectorAll("button.copy").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { copy(b.getAttribute("data-copy"), b); });
  });
  document.querySelectorAll("[data-expand]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var open = b.getAttribute("data-expand") === "open";
      document.querySelectorAll("details." + b.getAttribute("data-target")).forEach(function (d) { d.open = open; });
    });
  });
  var filters = document.querySelectorAll("[data-filter]");
  filters.forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var want = b.getAttribute("data-filter");
      filters.forEach(function (x) { x.setAttribute("aria-pressed", x === b ? "true" : "false"); });
      document.querySelectorAll("[data-verdict]").forEach(function (el) {
        el.hidden = !(want === "ALL" || el.getAttribute("data-verdict") === want);
      });
    });
  });
  // The filter box: objects (with their requirements) and the permission rows of one audit whose
  // text holds what was typed; the count says how many objects are left.
  document.querySelectorAll("input[data-filter-for]").forEach(function (box) {
    box.hidden = false;
    var scope = box.getAttribute("data-filter-for");
    var count = box.nextElementSibling;
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase(), shown = 0, all = 0;
      document.querySelectorAll("[data-filter-item]").forEach(function (el) {
        if (el.getAttribute("data-filter-item") !== scope) { return; }
        var hit = q === "" || el.textContent.toLowerCase().indexOf(q) >= 0;
        el.hidden = !hit;
        if (el.tagName === "DETAILS") { all++; if (hit) { shown++; } }
      });
      count.textContent = q === "" ? "" : shown + " of " + all + " objects";
    });
  });
  document.querySelectorAll("a[data-open]").forEach(function (a) {
    a.addEventListener("click", function () { var d = document.getElementById(a.getAttribute("data-open")); if (d) { d.open = true; } });
  });
  var opened = [];
  // In print, every tenant and every object with a gap is opened; covered objects stay one line.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.tenant:not([open]), details.obj:not([open]):not([data-status=covered]):not([data-status=not-applicable])")
      .forEach(function (d) { d.open = true; opened.push(d); });
  });
  window.addEventListener("afterprint", function () { opened.forEach(function (d) { d.open = false; }); opened = []; });
  document.documentElement.classList.add("js");
})();
