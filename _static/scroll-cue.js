// A table or code box wider than the page's column scrolls sideways inside its own box
// (custom.css). This marks each such box, so that a reader sees that it scrolls: a shade on
// the right while columns remain there, and a "scroll sideways" line under it. Boxes that
// fit get nothing. Checked again when the window changes size.
(function () {
  var BOXES = ".bd-article .cell_output table, .bd-article .cell_output pre, .bd-article .cell_input pre, " +
              ".bd-article div.highlight pre, .bd-article .pst-scrollable-table-container";

  function frame(box) {
    var parent = box.parentElement;
    if (parent && parent.classList.contains("x-scroll-frame")) { return parent; }
    var wrap = document.createElement("div");
    wrap.className = "x-scroll-frame";
    box.parentNode.insertBefore(wrap, box);
    wrap.appendChild(box);
    var hint = document.createElement("div");
    hint.className = "x-scroll-hint";
    hint.setAttribute("aria-hidden", "true");
    hint.textContent = "scroll sideways for more \u2192";
    wrap.parentNode.insertBefore(hint, wrap.nextSibling);
    box.addEventListener("scroll", function () { update(box, wrap); }, { passive: true });
    return wrap;
  }

  function update(box, wrap) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    wrap.classList.toggle("x-scrolls", scrolls);
    wrap.classList.toggle("x-more-right", scrolls && box.scrollLeft + box.clientWidth < box.scrollWidth - 1);
  }

  function markAll() {
    document.querySelectorAll(BOXES).forEach(function (box) {
      if (box.closest(".x-scroll-frame") && box.parentElement.className !== "x-scroll-frame") { return; }
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (!scrolls && !(box.parentElement && box.parentElement.classList.contains("x-scroll-frame"))) { return; }
      update(box, frame(box));
    });
  }

  var pending = null;
  window.addEventListener("load", markAll);
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(markAll, 150);
  });
})();
