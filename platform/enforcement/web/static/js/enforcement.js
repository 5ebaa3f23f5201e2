// Site-wide behaviour that would otherwise need an inline script per element (CSP: scripts come
// from the app's own origin only).
(function () {
  "use strict";
  // List rows: one delegated handler for every delete button, through FAB's confirmation modal
  // (which posts the CSRF-protected delete form).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("a.row-delete") : null;
    if (!button || typeof AdminActions === "undefined") {
      return;
    }
    event.preventDefault();
    new AdminActions().execute_single_delete(
      button.getAttribute("data-delete-url"),
      "确定删除这条记录吗？删除后可由管理员在审计日志中查到。"
    );
  });
})();
