// 手続きナビ: a Print button on the print view (without JavaScript, the browser's own print).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-navi-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
