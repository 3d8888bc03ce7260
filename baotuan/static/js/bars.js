/* Sizes bars from data attributes, and wires the print buttons.
 *
 * The Content-Security-Policy forbids style="…" and onclick="…" in the markup (they would
 * need 'unsafe-inline'), but not styles set from a script file: data-width="40%" sets the
 * width, data-flex="3" the flex of an element; a [data-print] button prints the page.
 * Content that htmx swaps in is sized as it arrives (htmx:load).
 */
(function () {
  "use strict";

  function size(root) {
    var elements = Array.prototype.slice.call(root.querySelectorAll("[data-width], [data-flex]"));
    if (root.matches && root.matches("[data-width], [data-flex]")) elements.push(root);
    elements.forEach(function (element) {
      if (element.dataset.width) element.style.width = element.dataset.width;
      if (element.dataset.flex) element.style.flex = element.dataset.flex;
    });
  }

  size(document);
  document.addEventListener("htmx:load", function (event) { size(event.detail.elt); });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
})();
