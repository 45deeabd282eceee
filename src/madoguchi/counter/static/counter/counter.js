/* After htmx replaced part of a counter page, put the keyboard focus where the clerk goes on:
   the first answer of a row just added, or the button marked data-counter-focus. Without
   JavaScript the same buttons post the whole page and it comes back with the change. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function (event) {
    var marked = event.target.querySelector("[data-counter-focus]");
    if (!marked) { return; }
    var target = marked.matches("input, select, textarea, button") ? marked
      : marked.querySelector("input:not([type=hidden]), select, textarea");
    if (target) { target.focus(); }
  });
}());
