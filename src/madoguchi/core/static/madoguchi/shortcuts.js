// Keyboard shortcuts of the staff inbox and case pages. Progressive enhancement only: every
// shortcut stands for a link, button or field that is on the page and works without this file.
// Elements with data-key="x" answer to the key x (a link is followed, a field or button gets
// the focus); j/k move between the inbox rows; "/" goes to the search box; "?" to the list.
// Single-key shortcuts can be turned off with the button in the list (WCAG 2.1.4).
(function () {
  var root = document.querySelector("[data-shortcuts]");
  if (!root) return;
  var STORE = "madoguchi.shortcuts";
  var toggle = root.querySelector("[data-shortcuts-toggle]");

  function enabled() {
    try { return window.localStorage.getItem(STORE) !== "off"; } catch (e) { return true; }
  }
  function showToggle() {
    if (!toggle) return;
    toggle.hidden = false;
    toggle.textContent = enabled() ? toggle.dataset.labelOn : toggle.dataset.labelOff;
  }
  if (toggle) {
    toggle.addEventListener("click", function () {
      try { window.localStorage.setItem(STORE, enabled() ? "off" : "on"); } catch (e) { return; }
      showToggle();
    });
    showToggle();
  }

  function typing(target) {
    if (!(target instanceof HTMLElement)) return false;
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }
  function focusable(element) {
    if (element.matches("a[href], button, input, select, textarea")) return element;
    return element.querySelector("a[href], button:not([disabled]), input:not([type=hidden]), select, textarea");
  }
  function moveRow(step) {
    var links = Array.prototype.slice.call(root.querySelectorAll("a[data-row-link]"));
    if (!links.length) return;
    var at = links.indexOf(document.activeElement);
    var next = at < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(Math.max(at + step, 0), links.length - 1);
    links[next].focus();
    links[next].scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || !enabled()) return;
    var key = event.key;
    if (key === "?") {
      var list = document.getElementById("shortcuts");
      if (list) { event.preventDefault(); list.focus(); list.scrollIntoView({ block: "nearest" }); }
      return;
    }
    if (root.dataset.shortcuts === "inbox") {
      if (key === "j" || key === "k") { event.preventDefault(); moveRow(key === "j" ? 1 : -1); return; }
      if (key === "/") {
        var search = document.getElementById("inbox-q");
        if (search) { event.preventDefault(); search.focus(); }
        return;
      }
    }
    if (!/^[a-z]$/.test(key)) return;
    var target = root.querySelector('[data-key="' + key + '"]');
    if (!target) return;
    event.preventDefault();
    if (target.tagName === "A") { window.location.assign(target.href); return; }
    var element = focusable(target);
    if (element) { element.focus(); element.scrollIntoView({ block: "nearest" }); }
  });
})();
