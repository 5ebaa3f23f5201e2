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

  // 我的工作提醒: the count of urgent work (overdue, due today, due soon) on the menu entry.
  var link = document.querySelector('a[href="/reminders/"]');
  if (link && window.fetch) {
    fetch("/reminders/count", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.urgent) { return; }
        var badge = document.createElement("span");
        badge.className = "badge reminder-badge" + (data.overdue ? " overdue" : "");
        badge.textContent = String(data.urgent);
        badge.title = "需要处理：" + data.urgent + " 项" + (data.overdue ? "，其中逾期 " + data.overdue + " 项" : "") + (data.approvals ? "，待审批 " + data.approvals + " 项" : "");
        link.appendChild(badge);
        var top = link.closest(".dropdown");
        var toggle = top ? top.querySelector(".dropdown-toggle") : null;
        if (toggle && !toggle.querySelector(".reminder-badge")) {
          toggle.insertBefore(badge.cloneNode(true), toggle.querySelector(".caret"));
        }
      })
      .catch(function () { /* the badge is a convenience: no badge on error */ });
  }
  // List search: a relation filter (企业, 所属计划, …) finds its choices on the server as one types
  // (web/lookup.py), instead of the page carrying every record as an option. FAB's filter script
  // adds the filter rows when clicked, so each new select is taken up as it appears.
  var filters = document.querySelector("#filter_form .filters");
  var remoteSelect = function (select) {
    if (select.getAttribute("data-ready") || typeof jQuery === "undefined" || !jQuery.fn.select2) {
      return;
    }
    select.setAttribute("data-ready", "1");
    jQuery(select).select2({
      theme: "bootstrap",
      width: "100%",
      allowClear: false,
      placeholder: select.getAttribute("data-placeholder"),
      language: {
        inputTooShort: function () { return "请输入名称"; },
        noResults: function () { return "没有找到"; },
        searching: function () { return "查找中…"; },
        loadingMore: function () { return "加载更多…"; },
        errorLoading: function () { return "查找失败，请重试"; }
      },
      ajax: {
        url: select.getAttribute("data-lookup"),
        dataType: "json",
        delay: 250,
        data: function (params) { return { q: params.term || "", page: params.page || 1 }; }
      }
    });
  };
  if (filters && window.MutationObserver) {
    Array.prototype.forEach.call(filters.querySelectorAll("select.remote-select"), remoteSelect);
    new MutationObserver(function () {
      Array.prototype.forEach.call(filters.querySelectorAll("select.remote-select"), remoteSelect);
    }).observe(filters, { childList: true, subtree: true });
  }

  // FAB lists become cards on a phone (CSS .fab-cards): each cell carries its column's label.
  Array.prototype.forEach.call(
    document.querySelectorAll(".table-responsive > table.table-bordered.table-hover"),
    function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.classList.add("fab-cards");
      Array.prototype.forEach.call(table.querySelectorAll("tbody > tr"), function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          cell.setAttribute("data-label", heads[index] || "");
          if (cell.querySelector(".btn-group, a.btn")) {
            cell.classList.add("fab-card-actions");
          } else if (!cell.textContent.trim()) {
            cell.classList.add("fab-card-empty"); // a blank field takes no line on the card
          }
        });
      });
    }
  );
})();
