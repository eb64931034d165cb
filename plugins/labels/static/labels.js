// Label suggestions: as an editor types in a label field, fill its <datalist>
// with existing labels that start with the last comma-separated item. The
// fields work without this file (the datalist starts with the most used labels).
(function () {
  "use strict";
  var DELAY = 150;

  function option(head, label) {
    var el = document.createElement("option");
    el.value = head + label.name;
    // The server says it in the reader's language; English if it did not.
    el.textContent = label.text || label.pages + (label.pages === 1 ? " page" : " pages");
    return el;
  }

  document.querySelectorAll("input[data-labels-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-labels-suggest");
    var timer = null;
    var asked = null;
    if (!list || !url) { return; }

    function suggest() {
      var value = input.value;
      var cut = value.lastIndexOf(",") + 1;
      // Keep the labels before the last comma, so choosing completes only the last.
      var head = cut ? value.slice(0, cut).replace(/\s*$/, " ") : "";
      var prefix = value.slice(cut).trim();
      if (head + "\n" + prefix === asked) { return; }
      asked = head + "\n" + prefix;
      fetch(url + "?prefix=" + encodeURIComponent(prefix), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (!data || input.value !== value) { return; }  // typed on meanwhile
        list.replaceChildren.apply(list, data.labels.map(function (label) {
          return option(head, label);
        }));
      }).catch(function () { /* suggestions are a convenience: keep the old ones */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, DELAY);
    });
  });
})();
