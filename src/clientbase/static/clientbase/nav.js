// The main navigation on a narrow screen: folded behind its "Menu" button, which opens and closes
// it (aria-expanded says which); Escape closes it and gives the focus back to the button. On a wide
// screen the button is hidden and the navigation always shown (app.css). Without this file the
// navigation wraps onto as many lines as it needs, every section reachable.
(function () {
  "use strict";

  var toggle = document.querySelector("[data-nav-toggle]");
  var list = toggle ? document.getElementById(toggle.getAttribute("aria-controls")) : null;
  var nav = list ? list.closest("nav") : null;
  if (!nav) {
    return;
  }

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("main-nav--open", open);
  }

  toggle.hidden = false;
  document.documentElement.classList.add("nav-foldable");
  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
})();
