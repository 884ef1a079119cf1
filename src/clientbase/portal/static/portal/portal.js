// The "Confirm Delete" pop-up: a link with data-confirm-delete opens the page's <dialog> with its
// form pointed at the link's confirmation URL (POST there deletes). Without JavaScript, or without
// <dialog> support, the link opens the confirmation page instead.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-confirm-delete]");
  const dialog = document.getElementById("confirm-delete");
  if (!link || !dialog || typeof dialog.showModal !== "function") return;
  event.preventDefault();
  dialog.querySelector("form").action = link.href;
  dialog.querySelector("[data-dialog-name]").textContent = link.dataset.confirmDelete;
  dialog.returnFocusTo = link;
  dialog.showModal();
});
document.addEventListener("click", (event) => {
  const close = event.target.closest("[data-dialog-close]");
  if (close) close.closest("dialog").close();
});
document.addEventListener("close", (event) => {
  if (event.target.returnFocusTo) event.target.returnFocusTo.focus();
}, true);
