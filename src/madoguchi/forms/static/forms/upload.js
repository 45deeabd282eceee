// Refuse a file over the field's size limit as soon as it is chosen, before the form uploads it,
// and say so in the field's live status region. The server checks the size again; without this
// script the page only says it after the upload.
(function () {
  "use strict";
  if (window.madoguchiUploadLimits) { return; }
  window.madoguchiUploadLimits = true;

  function keepOnly(input, files) {
    try {
      var transfer = new DataTransfer();
      files.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
    } catch (error) {
      input.value = "";  // a browser that cannot edit the list: choose again
    }
  }

  function describedBy(input, id, on) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (on) { ids.push(id); }
    input.setAttribute("aria-describedby", ids.join(" "));
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.matches(".upload__input[data-max-bytes]")) {
      return;
    }
    var max = Number(input.getAttribute("data-max-bytes"));
    var status = document.getElementById(input.id + "-status");
    var chosen = Array.prototype.slice.call(input.files || []);
    var tooLarge = chosen.filter(function (file) { return file.size > max; });
    if (!tooLarge.length) {
      if (input.hasAttribute("data-refused")) {
        input.removeAttribute("data-refused");
        input.removeAttribute("aria-invalid");
        if (status) {
          status.textContent = "";
          status.classList.remove("notice", "notice--error");
          describedBy(input, status.id, false);
        }
      }
      return;
    }
    var template = input.getAttribute("data-too-large") || "";
    keepOnly(input, chosen.filter(function (file) { return file.size <= max; }));
    input.setAttribute("data-refused", "");
    input.setAttribute("aria-invalid", "true");
    if (status) {
      status.classList.add("notice", "notice--error");
      status.textContent = tooLarge.map(function (file) {
        return template.split("{name}").join(file.name);
      }).join(" ");
      describedBy(input, status.id, true);
    }
  });
})();
