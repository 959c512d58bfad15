// Progressive enhancement only: every page works without this file and without htmx.
// After htmx swaps in a new page (boosted links and forms), move focus to its first alert
// or heading so screen-reader and keyboard users notice the change.
document.addEventListener("htmx:afterSettle", function (e) {
  if (!e.detail || !e.detail.boosted) return;
  var target = document.querySelector("main [role=alert]") || document.querySelector("main h1");
  if (!target) return;
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: false });
});
