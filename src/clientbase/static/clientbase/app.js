// Keyboard navigation of the search results: from the search box, ↓ goes to the first result;
// ↓/↑ move between results, Home/End to the first/last, Escape back to the box; Enter opens the
// focused result (it is a link). Everything else works without this file.
(function () {
  "use strict";

  function results(container) {
    return Array.prototype.slice.call(container.querySelectorAll("[data-result]"));
  }

  document.addEventListener("keydown", function (event) {
    var container = document.querySelector("[data-search-results]");
    if (!container) {
      return;
    }
    var form = document.querySelector("[data-search-form]");
    var input = form ? form.querySelector("input[type=search]") : null;
    var items = results(container);
    var index = items.indexOf(document.activeElement);

    if (event.target === input) {
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        items[0].focus();
      }
      return;
    }
    if (index === -1) {
      return;
    }
    var next = null;
    if (event.key === "ArrowDown") {
      next = items[Math.min(index + 1, items.length - 1)];
    } else if (event.key === "ArrowUp") {
      next = index === 0 ? input : items[index - 1];
    } else if (event.key === "Home") {
      next = items[0];
    } else if (event.key === "End") {
      next = items[items.length - 1];
    } else if (event.key === "Escape") {
      next = input;
    }
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });
})();
