// Progressive enhancements for every page. The wiki works without this file.
(function () {
  "use strict";
  // Ask before leaving a form with unsaved text.
  document.querySelectorAll("form.editor").forEach(function (form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  });
})();
