// Expandable sections (plugins/expand). Sections are native <details>, so
// they open and close without this file; with it:
// - "Expand all" / "Collapse all" work (the server renders them hidden),
// - a link to something inside a folded section (/wiki/page#heading, or a
//   section's own id) opens the sections around it and scrolls to it,
// - printing prints every section expanded, then folds them back,
// - the editor's live preview keeps open the sections the writer opened.
// Contract with the server (tests/plugins/test_expand.py): sections are
// <details id="section-..."> inside .page-content; headings inside them
// keep their ids; the buttons carry data-expand="open" / "close".
(function () {
  "use strict";
  var SECTIONS = ".page-content details";

  function sections(root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(SECTIONS));
  }

  // Open every section around el (el itself too, when it is one).
  function openAround(el) {
    var opened = false;
    var node = el.closest("details");
    while (node) {
      if (!node.open) { node.open = true; opened = true; }
      node = node.parentElement && node.parentElement.closest("details");
    }
    return opened;
  }

  function revealTarget() {
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var el = id && document.getElementById(id);
    // The browser could not scroll to a folded target: do it once it shows.
    if (el && openAround(el)) { el.scrollIntoView(); }
  }

  document.querySelectorAll("[data-expand]").forEach(function (button) {
    button.hidden = sections().length === 0;
    button.addEventListener("click", function () {
      var open = button.getAttribute("data-expand") === "open";
      sections().forEach(function (details) { details.open = open; });
    });
  });

  window.addEventListener("hashchange", revealTarget);
  // A second click on the link to the current hash fires no hashchange.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#']");
    if (link && link.hash === location.hash) { setTimeout(revealTarget, 0); }
  });
  revealTarget();

  // Print every section expanded: CSS alone cannot open <details> everywhere.
  var foldedBeforePrint = [];
  window.addEventListener("beforeprint", function () {
    foldedBeforePrint = sections().filter(function (details) { return !details.open; });
    foldedBeforePrint.forEach(function (details) { details.open = true; });
  });
  window.addEventListener("afterprint", function () {
    foldedBeforePrint.forEach(function (details) { details.open = false; });
    foldedBeforePrint = [];
  });

  // The live preview replaces its HTML on each change: remember which
  // sections the writer opened or closed (by id) and restore them.
  var preview = document.getElementById("preview");
  var chosen = {};
  if (preview) {
    // "toggle" does not bubble, but it can be caught on the way down.
    preview.addEventListener("toggle", function (event) {
      var details = event.target;
      if (details.id) { chosen[details.id] = details.open; }
    }, true);
  }
  document.addEventListener("wiki:preview", function (event) {
    sections(event.detail || document).forEach(function (details) {
      if (Object.prototype.hasOwnProperty.call(chosen, details.id)) { details.open = chosen[details.id]; }
    });
    revealTarget();
  });
})();
