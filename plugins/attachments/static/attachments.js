// Files dropped on a page (or chosen in its form) are uploaded with a progress
// bar; a file dropped on the editor's text is uploaded and its Markdown put
// where the cursor is. Without JavaScript the form on the page uploads.
(function () {
  "use strict";
  var token = document.querySelector("input[name=csrf_token]");

  function upload(url, files, status, progress, done) {
    var data = new FormData();
    Array.prototype.forEach.call(files, function (file) { data.append("file", file); });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", token ? token.value : "");
    progress.hidden = false;
    progress.value = 0;
    status.textContent = "Uploading…";
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { progress.value = Math.round(100 * event.loaded / event.total); }
    });
    xhr.addEventListener("load", function () {
      progress.hidden = true;
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
      if (xhr.status === 200 && Array.isArray(answer)) {
        status.textContent = "Attached " + answer.map(function (f) { return f.name; }).join(", ") + ".";
        done(answer);
      } else if (xhr.status === 413) {
        status.textContent = "That file is larger than this wiki takes.";
      } else {
        status.textContent = (answer && answer.error) || "The upload failed (" + xhr.status + ").";
      }
    });
    xhr.addEventListener("error", function () {
      progress.hidden = true;
      status.textContent = "The upload failed: check the connection and try again.";
    });
    xhr.send(data);
  }

  function dropTarget(element, onFiles) {
    element.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
        element.classList.add("dragging");
      }
    });
    element.addEventListener("dragleave", function () { element.classList.remove("dragging"); });
    element.addEventListener("drop", function (event) {
      element.classList.remove("dragging");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        event.preventDefault();
        onFiles(event.dataTransfer.files);
      }
    });
  }

  // On a page: drop anywhere in the content, or use the form, without leaving the page.
  var section = document.querySelector(".attachments[data-upload-url]");
  if (section) {
    var form = section.querySelector("form.file-upload");
    var status = form.querySelector(".upload-status");
    var progress = form.querySelector(".upload-progress");
    var reload = function () { window.location.reload(); };
    dropTarget(document.querySelector("main") || section, function (files) {
      upload(section.dataset.uploadUrl, files, status, progress, reload);
    });
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      if (input.files.length) {
        event.preventDefault();
        upload(section.dataset.uploadUrl, input.files, status, progress, reload);
      }
    });
  }

  // In the editor: drop on the text, the Markdown goes where the cursor is.
  var hint = document.querySelector(".editor-files[data-upload-url]");
  var text = document.querySelector("form.editor textarea[name=body]");
  if (hint && text) {
    dropTarget(text, function (files) {
      var at = text.selectionStart, end = text.selectionEnd;
      upload(hint.dataset.uploadUrl, files, hint.querySelector(".upload-status"),
             hint.querySelector(".upload-progress"), function (attached) {
        var markdown = attached.map(function (f) { return f.markdown; }).join("\n");
        text.value = text.value.slice(0, at) + markdown + text.value.slice(end);
        text.selectionStart = text.selectionEnd = at + markdown.length;
        text.focus();
        text.dispatchEvent(new Event("input", { bubbles: true }));  // the live preview follows
      });
    });
  }
})();
