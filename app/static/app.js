// hotline-in-a-box: the little JavaScript the pages use. Everything works without it.
(function () {
  "use strict";

  // Quick exit: leave at once for a neutral site, replacing this page in the history so
  // the back button does not return here. The Escape key does the same on public pages.
  function quickExit(url) {
    try {
      document.body.style.display = "none";
      document.title = "";
    } catch (e) { /* keep going */ }
    window.location.replace(url);
  }

  var exit = document.querySelector("[data-quick-exit]");
  if (exit) {
    exit.addEventListener("click", function (ev) {
      ev.preventDefault();
      quickExit(exit.getAttribute("href"));
    });
    var staff = document.querySelector(".staff-nav");
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && !staff) {
        quickExit(exit.getAttribute("href"));
      }
    });
  }
})();
