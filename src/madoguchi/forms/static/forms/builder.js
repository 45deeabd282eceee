// Drag and drop for the form builder's fields. The ↑ and ↓ buttons do the same without a mouse
// or without JavaScript; a drop posts the whole new order once, and the page reloads.
(function () {
  "use strict";
  var builder = document.querySelector("[data-builder]");
  var orderForm = document.getElementById("reorder-form");
  if (!builder || !orderForm) { return; }
  var dragged = null;

  builder.querySelectorAll("[data-field]").forEach(function (item) {
    item.setAttribute("draggable", "true");
    item.addEventListener("dragstart", function (event) {
      dragged = item;
      item.classList.add("builder-field--dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.getAttribute("data-field"));
    });
    item.addEventListener("dragend", function () {
      item.classList.remove("builder-field--dragging");
    });
  });

  builder.querySelectorAll("[data-fields]").forEach(function (list) {
    list.addEventListener("dragover", function (event) {
      if (!dragged) { return; }
      event.preventDefault();
      var after = Array.prototype.find.call(list.querySelectorAll("[data-field]"), function (el) {
        var box = el.getBoundingClientRect();
        return el !== dragged && event.clientY < box.top + box.height / 2;
      });
      var empty = list.querySelector(".builder-field--empty");
      if (empty) { empty.remove(); }
      list.insertBefore(dragged, after || null);
    });
    list.addEventListener("drop", function (event) {
      if (!dragged) { return; }
      event.preventDefault();
      dragged = null;
      var layout = {};
      builder.querySelectorAll("[data-fields]").forEach(function (l) {
        layout[l.getAttribute("data-fields")] = Array.prototype.map.call(
          l.querySelectorAll("[data-field]"), function (el) { return el.getAttribute("data-field"); });
      });
      orderForm.querySelector('[name="layout"]').value = JSON.stringify(layout);
      orderForm.submit();
    });
  });
})();
