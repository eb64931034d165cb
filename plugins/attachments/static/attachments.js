// Attaching files without leaving the page. Without this file the form of a
// page's Attachments section uploads, and the editor links to that section.
// - On a page: files dropped anywhere (or chosen in the form) are uploaded
//   with a progress bar, then the list is brought up to date in place.
// - In the editor: files dropped on the text (or chosen under it) are
//   uploaded and their Markdown goes where the cursor is. Nothing else
//   changes, so a refused file never costs the text typed so far.
// Contract with the server (views.py): a POST of one "file" to the zone's
// data-upload-url with "Accept: application/json" answers a list of
// {name, markdown, ...}, or {error} with a 4xx status; other refusals are the
// wiki's error page, whose .error-message says why.
// What it says comes translated from the zone's .upload-text element
// (templates/attachments/_script.html); the English here is the fallback.
(function () {
  "use strict";

  var ENGLISH = {
    uploading: "Uploading {name}…",
    attached: "Attached {names}.",
    tooLarge: "“{name}” is larger than the {size} a file may be.",
    refused: "“{name}” was not attached: {reason}",
    failed: "the upload failed ({status}).",
    unsent: "“{name}” could not be sent: check the connection and try again."
  };

  // The zone's sentence `key`, its {placeholders} filled in from `values`.
  function phrase(zone, key, values) {
    var source = zone.querySelector(".upload-text");
    var template = (source && source.dataset[key]) || ENGLISH[key];
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }


  function hasFiles(event) {
    var types = event.dataTransfer ? event.dataTransfer.types : [];
    return Array.prototype.indexOf.call(types, "Files") >= 0;
  }

  // Why the server refused a file, in its own words.
  function refusal(zone, xhr, file) {
    try {
      var answer = JSON.parse(xhr.responseText);
      if (answer && answer.error) { return answer.error; }
    } catch (e) { /* not JSON: the wiki's error page */ }
    var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var message = page.querySelector(".error-message");
    return phrase(zone, "refused", {
      name: file.name,
      reason: message ? message.textContent.trim() : phrase(zone, "failed", { status: xhr.status })
    });
  }

  // A function that uploads files for a zone (an element with data-upload-url,
  // a .upload-progress and a .upload-status). Files go one request each, in
  // turn, so each is attached or refused on its own; files added meanwhile
  // join the queue. done(attached) runs when the queue is empty.
  function uploader(zone, done) {
    var status = zone.querySelector(".upload-status");
    var progress = zone.querySelector(".upload-progress");
    var token = zone.querySelector("input[name=csrf_token]") || document.querySelector("input[name=csrf_token]");
    var queue = [], attached = [], problems = [], total = 0, sent = 0, busy = false;

    function say(text, refused) {
      status.textContent = text;
      status.classList.toggle("refused", Boolean(refused));
    }

    function finish() {
      var names = attached.map(function (f) { return f.name; });
      var finished = attached;
      busy = false;
      progress.hidden = true;
      say(((names.length ? phrase(zone, "attached", { names: names.join(", ") }) + " " : "") +
           problems.join(" ")).trim(), problems.length);
      attached = [];
      problems = [];
      total = sent = 0;
      if (finished.length) { done(finished); }
    }

    function next() {
      var file = queue.shift();
      if (!file) { finish(); return; }
      var after = function () { sent += file.size; next(); };
      if (file.size > (Number(zone.dataset.maxBytes) || Infinity)) {  // no need to send it to hear the answer
        problems.push(phrase(zone, "tooLarge", { name: file.name, size: zone.dataset.maxSize }));
        after();
        return;
      }
      say(phrase(zone, "uploading", { name: file.name }));
      var data = new FormData();
      data.append("file", file);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", zone.dataset.uploadUrl);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", token ? token.value : "");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable && total) {
          progress.value = Math.round(100 * (sent + file.size * event.loaded / event.total) / total);
        }
      });
      xhr.addEventListener("load", function () {
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
        if (xhr.status === 200 && Array.isArray(answer)) {
          attached = attached.concat(answer);
        } else {
          problems.push(refusal(zone, xhr, file));
        }
        after();
      });
      xhr.addEventListener("error", function () {
        problems.push(phrase(zone, "unsent", { name: file.name }));
        after();
      });
      xhr.send(data);
    }

    return function (files) {
      Array.prototype.forEach.call(files, function (file) {
        queue.push(file);
        total += file.size;
      });
      if (!busy && queue.length) {
        busy = true;
        progress.value = 0;
        progress.hidden = false;
        next();
      }
    };
  }

  // Files dragged over element mark it (class "dragging-files" on marked);
  // onFiles gets the files dropped on it. Text dragged about is left alone.
  function dropTarget(element, marked, onFiles) {
    var depth = 0;  // dragenter and dragleave come in pairs, one per element crossed
    function unmark() {
      depth = 0;
      marked.classList.remove("dragging-files");
    }
    element.addEventListener("dragenter", function (event) {
      if (hasFiles(event)) {
        depth += 1;
        marked.classList.add("dragging-files");
      }
    });
    element.addEventListener("dragleave", function (event) {
      if (hasFiles(event) && --depth <= 0) { unmark(); }
    });
    element.addEventListener("dragover", function (event) {
      if (hasFiles(event)) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
      }
    });
    element.addEventListener("drop", function (event) {
      if (!hasFiles(event)) { return; }
      event.preventDefault();  // the browser would open the file instead of this page
      unmark();
      if (event.dataTransfer.files.length) { onFiles(event.dataTransfer.files); }
    });
  }

  function showScripted(zone) {
    zone.querySelectorAll(".with-js").forEach(function (el) { el.hidden = false; });
    zone.querySelectorAll(".without-js").forEach(function (el) { el.hidden = true; });
  }

  // The list of files (and the page's links to files that were missing) from a
  // fresh copy of the page; the form, its status message and the focus stay.
  function refresh(section, form) {
    var LINKS = ".page-content a.attachment, .page-content a.attachment-image";
    fetch(window.location.href, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error("page " + response.status); }
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      var freshSection = fresh.getElementById("attachments");
      if (!freshSection) { throw new Error("no attachments section"); }
      Array.prototype.slice.call(section.children).forEach(function (el) {
        if (el !== form) { el.remove(); }
      });
      Array.prototype.slice.call(freshSection.children).forEach(function (el) {
        if (!el.matches("form.file-upload")) { section.insertBefore(document.adoptNode(el), form); }
      });
      var links = document.querySelectorAll(LINKS), freshLinks = fresh.querySelectorAll(LINKS);
      if (links.length === freshLinks.length) {
        links.forEach(function (link, i) {
          if (link.classList.contains("missing")) { link.replaceWith(document.adoptNode(freshLinks[i])); }
        });
      }
    }).catch(function () {
      window.location.reload();
    });
  }

  // On a page: drop anywhere, or choose in the form.
  var section = document.querySelector(".attachments[data-upload-url]");
  if (section) {
    var form = section.querySelector("form.file-upload");
    var input = form.querySelector("input[type=file]");
    var attach = uploader(section, function () { refresh(section, form); });
    showScripted(section);
    dropTarget(document, document.body, attach);
    form.addEventListener("submit", function (event) {
      if (input.files.length) {  // with none, the server says to choose one
        event.preventDefault();
        attach(input.files);
        input.value = "";
      }
    });
  }

  // In the editor: drop on the text, or choose under it; the Markdown goes
  // where the cursor was, unless the text before it changed meanwhile.
  var zone = document.querySelector(".editor-files[data-upload-url]");
  var text = document.querySelector("form.editor textarea[name=body]");
  if (zone && text) {
    var chooser = zone.querySelector("input[type=file]");
    var cursor = { at: 0, before: "" };
    var remember = function () {
      cursor = { at: text.selectionEnd, before: text.value.slice(0, text.selectionEnd) };
    };
    var insert = uploader(zone, function (attached) {
      var markdown = attached.map(function (f) { return f.markdown; }).join("\n");
      var at = text.value.slice(0, cursor.at) === cursor.before ? cursor.at : text.selectionEnd;
      text.setRangeText(markdown, at, at, "end");
      text.focus();
      text.dispatchEvent(new Event("input", { bubbles: true }));  // the live preview follows
      offer(attached);
    });
    // The toolbar's panel of files (templates/attachments/toolbar.html) offers
    // the files attached since the editor opened too.
    var choices = document.querySelector(".attachment-panel .file-choices");
    var offer = function (attached) {
      if (!choices) { return; }
      attached.forEach(function (file) {
        var known = Array.prototype.some.call(choices.querySelectorAll("[data-insert]"), function (b) {
          return b.textContent === file.name;
        });
        if (known) { return; }
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button";
        button.dataset.insert = file.markdown;
        button.textContent = file.name;
        item.appendChild(button);
        choices.appendChild(item);
      });
      choices.hidden = false;
      var none = choices.parentNode.querySelector(".no-files");
      if (none) { none.remove(); }
    };
    // Its "Upload a file" opens the chooser under the text (the panel closes,
    // the cursor goes back where it was: the Markdown goes there).
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-attach-upload]");
      if (!button) { return; }
      chooser.click();
      var close = button.closest(".toolbar-panel").querySelector("[data-panel-close]");
      if (close) { close.click(); }
    });
    showScripted(zone);
    dropTarget(text, text, function (files) {
      remember();
      insert(files);
    });
    chooser.addEventListener("change", function () {
      remember();
      insert(chooser.files);
      chooser.value = "";
    });
    // Files dropped beside the text must not replace the editor with the file.
    document.addEventListener("dragover", function (event) {
      if (hasFiles(event) && !event.defaultPrevented) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "none";
      }
    });
    document.addEventListener("drop", function (event) {
      if (hasFiles(event)) { event.preventDefault(); }
    });
  }
})();
