// Comment threads: "Reply" moves the comment form under the comment answered,
// instead of reloading the page. Without this file the Reply link loads the
// page with ?reply_to=<id>, which renders the same form server-side.
// Its words come translated from the form's data- attributes (_form.html);
// the English here is only a fallback.
(function () {
  "use strict";
  var form = document.getElementById("comment-form");
  if (!form) { return; }
  var parentField = form.querySelector("input[name='comment-parent_id']");
  var title = form.querySelector(".comment-form-title");
  var body = form.querySelector("textarea");
  var submit = form.querySelector("button[type=submit]");
  var home = document.createComment("comment form");
  form.parentNode.insertBefore(home, form);
  // Restored by "cancel" (the page may have been opened with ?reply_to=).
  var originalParent = parentField.value;
  var originalTitle = title.innerHTML;
  var originalSubmit = submit.textContent;

  function say(name, fallback) { return form.getAttribute("data-" + name) || fallback; }

  function reset() {
    parentField.value = originalParent;
    title.innerHTML = originalTitle;
    submit.textContent = originalSubmit;
    home.parentNode.insertBefore(form, home.nextSibling);
  }

  function replyTo(link) {
    var item = document.getElementById("comment-" + link.getAttribute("data-reply-to"));
    if (!item) { return false; }
    parentField.value = link.getAttribute("data-reply-to");
    title.textContent = say("reply-title", "Reply to comment {number}")
      .replace("{number}", link.getAttribute("data-number")) + " ";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "link-button";
    cancel.textContent = say("cancel-reply", "(cancel)");
    cancel.addEventListener("click", function () { reset(); body.focus(); });
    title.appendChild(cancel);
    submit.textContent = say("post-reply", "Post reply");
    item.querySelector(".comment-box").insertAdjacentElement("afterend", form);
    body.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.comment-reply");
    if (link && replyTo(link)) { event.preventDefault(); }
  });
})();
