// Progressive enhancement of the chat panel: answers appear in the panel instead of on the
// /chat/ page. Without this file (or if the request fails) the form simply opens /chat/.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-chat-form")) return;
    var panel = form.closest("[data-chat-panel]");
    var target = panel && panel.querySelector("[data-chat-answers]");
    var input = form.querySelector("input[name=q]");
    if (!target || !input || !window.fetch) return;
    var query = input.value.trim();
    event.preventDefault();
    if (!query) { input.focus(); return; }
    target.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("data-answers-url") + "?q=" + encodeURIComponent(query), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    }).then(function (html) {
      // The fragment is rendered and escaped by our own server.
      target.innerHTML = html;
      target.removeAttribute("aria-busy");
    }).catch(function () {
      target.removeAttribute("aria-busy");
      form.submit();
    });
  });
})();
