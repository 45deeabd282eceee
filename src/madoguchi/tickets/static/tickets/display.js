// The calling display, with JavaScript: instead of reloading the whole page (the <noscript>
// refresh), fetch the board fragment every few seconds and swap it in place, announcing a new
// call politely to screen readers. A failed fetch keeps the last board and tries again.
(function () {
  "use strict";
  var main = document.getElementById("main");
  var announce = document.getElementById("display-announce");
  if (!main || !announce || !window.fetch || !window.DOMParser) { return; }
  var url = main.getAttribute("data-board-url");
  var seconds = parseInt(main.getAttribute("data-refresh"), 10) || 5;
  var board = main.querySelector(".display__board");
  var shown = board ? board.outerHTML : "";

  function poll() {
    window.fetch(url, { cache: "no-store", credentials: "omit" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || html === shown) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .querySelector(".display__board");
        var current = main.querySelector(".display__board");
        if (!fresh || !current) { return; }
        var before = current.getAttribute("data-latest");
        current.replaceWith(document.importNode(fresh, true));
        shown = html;
        var latest = fresh.getAttribute("data-latest");
        if (latest && latest !== before) {
          announce.textContent = fresh.getAttribute("data-announce") || "";
        }
      })
      .catch(function () { /* offline for a moment: keep the last board */ })
      .then(function () { window.setTimeout(poll, seconds * 1000); });
  }
  window.setTimeout(poll, seconds * 1000);
}());
