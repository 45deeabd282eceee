/* Measures the clerk's typing: counts keydown events on this counter page and posts the count
   with each form as "_keys" (see counter/measures.py). Without this script nothing is posted
   and the visit's keys stay unknown. */
(function () {
  "use strict";
  var count = 0;
  document.addEventListener("keydown", function (event) {
    if (!event.repeat) { count += 1; }
  }, true);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") { return; }
    var input = form.querySelector('input[name="_keys"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "_keys";
      form.appendChild(input);
    }
    input.value = String(count);
    count = 0;  // a second submit of the same page posts only what was typed since
  }, true);
}());
