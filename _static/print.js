// Printing (and `make pdf`) opens every hidden solution, dropdown and <details>, so that
// nothing the web page folds away vanishes silently from paper.
(function () {
  function openAll() {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
    document.querySelectorAll(".toggle-hidden").forEach(function (el) { el.classList.remove("toggle-hidden"); });
    document.querySelectorAll(".toggle-button").forEach(function (b) { b.classList.remove("toggle-button-hidden"); });
  }
  window.addEventListener("beforeprint", openAll);
  if (window.matchMedia) {
    var mq = window.matchMedia("print");
    if (mq.matches) { openAll(); }
  }
  // `make pdf` loads the page with #print-all: open everything once the page has settled.
  if (window.location.hash === "#print-all") {
    window.addEventListener("load", function () { setTimeout(openAll, 0); });
  }
})();
