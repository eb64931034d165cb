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

// Folded branches of the page tree open in place: their children come from
// /wiki/<slug>/children, a page of the tree at a time. Without this script a
// branch is a link to its page, which lists its children.
(function () {
  "use strict";
  function toggle(item, button) {
    var open = button.getAttribute("aria-expanded") === "true";
    var list = item.querySelector(":scope > ul");
    if (list) {
      list.hidden = open;
      button.setAttribute("aria-expanded", open ? "false" : "true");
      return;
    }
    button.disabled = true;
    fetch(item.dataset.children, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error("children: " + response.status); }
      return response.text();
    }).then(function (html) {
      item.insertAdjacentHTML("beforeend", html);  // rendered by the server from escaped values
      enhance(item.querySelector(":scope > ul"));
      button.setAttribute("aria-expanded", "true");
    }).catch(function () {
      window.location.href = item.querySelector(":scope > a").href;  // the page lists them
    }).finally(function () { button.disabled = false; });
  }

  // The layout gives the button's name in the reader's language (base.html).
  var childPagesOf = document.body.dataset.childPagesOf || "Child pages of {title}";

  function enhance(root) {
    root.querySelectorAll("li.has-children[data-children]").forEach(function (item) {
      if (item.querySelector(":scope > ul") || item.querySelector(":scope > .tree-toggle")) { return; }
      var link = item.querySelector(":scope > a");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tree-toggle";
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-label", childPagesOf.replace("{title}", function () { return link.textContent; }));
      button.addEventListener("click", function () { toggle(item, button); });
      item.insertBefore(button, link);
    });
  }

  document.querySelectorAll("ul.tree").forEach(function (tree) {
    if (!tree.parentElement.closest("ul.tree")) { enhance(tree); }
  });
})();
