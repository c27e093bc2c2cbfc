(function () {
  "use strict";
  var input = document.getElementById("filter");
  var shown = document.getElementById("shown");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding"));
  var texts = rows.map(function (row) {
    var next = row.nextElementSibling;
    var detail = next && next.classList.contains("detail") ? next.textContent : "";
    return (row.textContent + " " + detail).toLowerCase();
  });
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.findings"));
  function apply() {
    var query = input.value.trim().toLowerCase();
    var visible = 0;
    rows.forEach(function (row, i) {
      var hide = query !== "" && texts[i].indexOf(query) < 0;
      row.hidden = hide;
      var next = row.nextElementSibling;
      if (next && next.classList.contains("detail")) {
        next.hidden = hide;
      }
      if (!hide) {
        visible += 1;
      }
    });
    sections.forEach(function (section) {
      section.hidden = section.querySelector("tr.finding:not([hidden])") === null;
    });
    shown.textContent = query === "" ? "" : visible + " of " + rows.length + " findings shown";
  }
  var params = new URLSearchParams(window.location.search);
  if (params.has("filter")) {
    input.value = params.get("filter");
  }
  input.addEventListener("input", apply);
  apply();
})();
