// The new-page form proposes the address from the title as you type, until
// you change the address yourself. The server makes the same address from
// the title when the field is left empty (wiki.text.slugify).
(function () {
  "use strict";
  document.querySelectorAll("input[data-address-from]").forEach(function (address) {
    var title = address.form.querySelector("input[name=" + address.dataset.addressFrom + "]");
    if (!title) { return; }
    var proposed = slugify(title.value);
    var own = address.value !== "" && address.value !== proposed;  // typed by the editor

    function slugify(text) {
      return text.normalize("NFKC").toLowerCase().replace(/_/g, " ")
        .replace(/[^\p{L}\p{N}\p{M}]+/gu, "-").replace(/^-+|-+$/g, "").slice(0, 200).replace(/-+$/, "");
    }

    function propose() {
      if (own) { return; }
      proposed = slugify(title.value);
      address.value = proposed;
    }

    title.addEventListener("input", propose);
    // The script is deferred: a title typed before it ran gets its address now.
    if (!address.value && title.value) { propose(); }
    address.addEventListener("input", function () {
      own = address.value !== "" && address.value !== proposed;
    });
  });
})();
