// Show a field only when its condition (JSON Logic, the same rule the server checks) holds for
// what is chosen on the page. Without this script every field is shown with a note instead.
(function () {
  "use strict";
  var blocks = document.querySelectorAll(".conditional[data-show-if]");
  if (!blocks.length) { return; }
  var form = blocks[0].closest("form");
  document.documentElement.classList.add("js-conditions");

  function valueOf(name) {
    var inputs = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    if (!inputs.length) { return null; }
    var first = inputs[0];
    if (first.type === "radio") {
      var checked = form.querySelector('[name="' + CSS.escape(name) + '"]:checked');
      return checked ? checked.value : null;
    }
    if (first.type === "checkbox") {
      if (inputs.length === 1 && first.value === "yes") { return first.checked; }
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; })
        .map(function (i) { return i.value; });
    }
    return first.value;
  }

  function same(a, b) {
    if (Array.isArray(a) && !Array.isArray(b)) { return a.length === 1 && same(a[0], b); }
    if (a === true || b === true) { return (a === true || a === "yes") && (b === true || b === "yes"); }
    return String(a) === String(b);
  }

  function evaluate(rule) {
    if (rule === null || typeof rule !== "object") { return rule; }
    if (Array.isArray(rule)) { return rule.map(evaluate); }
    var op = Object.keys(rule)[0];
    var args = rule[op];
    if (op === "var") { return valueOf(Array.isArray(args) ? args[0] : args); }
    if (!Array.isArray(args)) { args = [args]; }
    if (op === "and") { return args.every(function (a) { return evaluate(a); }); }
    if (op === "or") { return args.some(function (a) { return evaluate(a); }); }
    var v = args.map(evaluate);
    switch (op) {
      case "!": return !v[0] || (Array.isArray(v[0]) && !v[0].length);
      case "!!": return !(!v[0] || (Array.isArray(v[0]) && !v[0].length));
      case "==": return v[0] !== null && same(v[0], v[1]);
      case "!=": return v[0] === null || !same(v[0], v[1]);
      case "in":
        if (Array.isArray(v[1])) { return v[1].some(function (x) { return same(x, v[0]); }); }
        return typeof v[1] === "string" && v[1].indexOf(String(v[0])) !== -1;
      case "<": case "<=": case ">": case ">=":
        // Typed dates may be in 和暦: when the page cannot compare, it shows the field.
        if (!/^\d{4}-\d{2}-\d{2}$/.test(v[0] || "")) { return true; }
        return op === "<" ? v[0] < v[1] : op === "<=" ? v[0] <= v[1] : op === ">" ? v[0] > v[1] : v[0] >= v[1];
      default: return true;
    }
  }

  function update() {
    blocks.forEach(function (block) {
      var rule;
      try { rule = JSON.parse(block.getAttribute("data-show-if")); } catch (e) { return; }
      block.hidden = !evaluate(rule);
    });
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
