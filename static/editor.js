// Live preview in the editor: the server renders with the same pipeline as a
// saved page (POST /preview). Without JavaScript, the Preview button does it.
// The preview and the text fields carry the page's language (lang), following
// the language field as it changes. Messages come translated in data- attributes.
(function () {
  "use strict";
  var form = document.querySelector("form.editor");
  var preview = document.getElementById("preview");
  if (!form || !preview) { return; }
  var body = form.querySelector("textarea[name=body]");
  var token = form.querySelector("input[name=csrf_token]");
  var language = form.querySelector("input[name=language]");
  var title = form.querySelector("input[name=title]");
  var timer = null;
  var latest = 0;

  function refresh() {
    var ticket = ++latest;
    var data = new FormData();
    data.append("body", body.value);
    data.append("slug", preview.dataset.slug || "");
    // A new page from a template: the server fills its variables as the save will.
    ["template", "title", "parent"].forEach(function (name) {
      var field = form.querySelector("[name=" + name + "]");
      if (field) { data.append(name, field.value); }
    });
    fetch(preview.dataset.previewUrl, {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": token ? token.value : "" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error("preview failed: " + response.status); }
      return response.json();
    }).then(function (json) {
      if (ticket === latest) {  // ignore answers that arrive out of order
        preview.innerHTML = json.html;  // sanitized by the server
        document.dispatchEvent(new CustomEvent("wiki:preview", { detail: preview }));
      }
    }).catch(function () {
      if (ticket === latest) {
        var message = document.createElement("p");
        message.className = "empty";
        message.lang = document.documentElement.lang;  // the interface's, not the page's
        message.textContent = preview.dataset.unavailable ||
          "Preview unavailable; your text is safe in the editor.";
        preview.replaceChildren(message);
      }
    });
  }

  // A well-formed language tag (wiki.i18n checks it fully on save).
  var TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;
  if (language) {
    language.addEventListener("input", function () {
      var tag = language.value.trim();
      if (!TAG.test(tag)) { return; }
      [preview, body, title].forEach(function (el) { if (el) { el.lang = tag; } });
    });
  }

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  if (preview.querySelector(".empty")) { refresh(); }
})();
