// The builder's edit pages without clutter. Without this script every input is shown with a
// hint saying when it is used; the server reads the same inputs either way.
//  - Date limits: the age box and the range rows show only for the choice that uses them.
//  - Conditions: for a field with options, its own options are offered as the value; for
//    other fields a box to type the value; for a consent checkbox no value at all.
(function () {
  "use strict";

  function show(element, visible) {
    if (element) { element.hidden = !visible; }
  }

  document.querySelectorAll("[data-date-limits]").forEach(function (box) {
    function update() {
      var checked = box.querySelector('input[name="date_limit"]:checked');
      var preset = checked ? checked.value : "";
      box.querySelectorAll("[data-for-limit]").forEach(function (more) {
        show(more, more.getAttribute("data-for-limit") === preset);
      });
      box.querySelectorAll("[data-bound]").forEach(function (bound) {
        var kind = bound.querySelector("[data-bound-kind]").value;
        show(bound.querySelector("[data-bound-number]"), /_(ago|ahead)$/.test(kind));
        show(bound.querySelector("[data-bound-date]"), kind === "date");
      });
    }
    box.addEventListener("change", update);
    update();
  });

  document.querySelectorAll("[data-condition]").forEach(function (editor) {
    var field = editor.querySelector("[data-condition-field]");
    if (!field) { return; }
    var optionsBox = editor.querySelector("[data-condition-options]");
    var valueBox = editor.querySelector("[data-condition-value]");
    var select = optionsBox ? optionsBox.querySelector("select") : null;
    var groups = select ? Array.prototype.slice.call(select.querySelectorAll("optgroup")) : [];
    editor.querySelectorAll("[data-nojs-hint]").forEach(function (hint) { hint.hidden = true; });

    function update() {
      var chosen = field.options[field.selectedIndex];
      var kind = chosen && chosen.value ? chosen.getAttribute("data-kind") : "";
      var phrase = editor.querySelector('select[name$="_phrase"]');
      show(phrase && phrase.parentNode, kind !== "");
      show(optionsBox, kind === "choice");
      show(valueBox, kind !== "" && kind !== "choice" && kind !== "consent");
      if (!select) { return; }
      var previous = select.value;
      groups.forEach(function (group) {
        if (group.getAttribute("data-for") === field.value) {
          if (!group.parentNode) { select.appendChild(group); }
        } else if (group.parentNode) {
          group.parentNode.removeChild(group);
        }
      });
      select.value = previous;
      if (select.value !== previous) { select.value = ""; }
    }
    field.addEventListener("change", update);
    update();
  });
})();
