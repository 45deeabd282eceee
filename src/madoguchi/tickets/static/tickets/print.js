// The kiosk ticket prints itself once on load (a kiosk browser prints silently).
window.addEventListener("load", function () { window.print(); });
