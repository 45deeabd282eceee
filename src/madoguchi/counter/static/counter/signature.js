/* The signature box of the resident's screen: strokes drawn with a finger, pen or mouse are
   kept as SVG path data ("M x y L x y ...", whole numbers in the box's own width and height)
   in the hidden "signature_path" input. Without this script the box stays hidden and the
   resident types their full name and ticks the box instead (also the keyboard way). */
(function () {
  "use strict";
  var pad = document.querySelector("[data-signature-pad]");
  if (!pad) { return; }
  var canvas = pad.querySelector("canvas");
  var input = pad.querySelector('input[name="signature_path"]');
  var width = Number(canvas.dataset.width), height = Number(canvas.dataset.height);
  var context = canvas.getContext("2d");
  var strokes = [], current = null;
  pad.hidden = false;
  var or = document.querySelector("[data-signature-or]");
  if (or) { or.hidden = false; }
  context.lineWidth = 3;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = "#111";

  function point(event) {
    var box = canvas.getBoundingClientRect();
    var x = Math.round((event.clientX - box.left) * width / box.width);
    var y = Math.round((event.clientY - box.top) * height / box.height);
    return [Math.max(0, Math.min(width, x)), Math.max(0, Math.min(height, y))];
  }
  function write() {
    input.value = strokes.map(function (stroke) {
      return stroke.map(function (p, i) { return (i ? "L " : "M ") + p[0] + " " + p[1]; }).join(" ");
    }).join(" ");
  }
  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    current = [point(event)];
    strokes.push(current);
    context.beginPath();
    context.moveTo(current[0][0], current[0][1]);
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!current) { return; }
    var p = point(event), last = current[current.length - 1];
    if (p[0] === last[0] && p[1] === last[1]) { return; }
    current.push(p);
    context.lineTo(p[0], p[1]);
    context.stroke();
  });
  function end() { if (current) { current = null; write(); } }
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  pad.querySelector("[data-signature-clear]").addEventListener("click", function () {
    strokes = [];
    context.clearRect(0, 0, width, height);
    write();
  });
}());
