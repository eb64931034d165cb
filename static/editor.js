// Live preview in the editor: the server renders with the same pipeline as a
// saved page (POST /preview). Without JavaScript, the Preview button does it.
(function () {
  "use strict";
  var form = document.querySelector("form.editor");
  var preview = document.getElementById("preview");
  if (!form || !preview) { return; }
  var body = form.querySelector("textarea[name=body]");
  var token = form.querySelector("input[name=csrf_token]");
  var timer = null;
  var latest = 0;

  function refresh() {
    var ticket = ++latest;
    var data = new FormData();
    data.append("body", body.value);
    data.append("slug", preview.dataset.slug || "");
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
        preview.innerHTML = "<p class=\"empty\">Preview unavailable; your text is safe in the editor.</p>";
      }
    });
  }

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  if (preview.querySelector(".empty")) { refresh(); }
})();
