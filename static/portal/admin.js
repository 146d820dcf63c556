// Django's two-box selector (SelectFilter2.js) names its search icon with aria-label on a plain span, which
// assistive technology may ignore and WCAG 4.1.2 does not allow (axe: aria-prohibited-attr). As an image, the
// span keeps its name. Watched rather than looked for once: the selector is drawn on the page's load event.
"use strict";
(function () {
  const nameIcons = (root) => {
    root.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach((icon) => {
      icon.setAttribute("role", "img");
    });
  };
  new MutationObserver(() => nameIcons(document)).observe(document.documentElement, { childList: true, subtree: true });
})();
