// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Autocomplete: arrow keys move through the suggestions, Escape closes them.
  document.addEventListener("keydown", function (event) {
    var input = document.getElementById("site-search");
    var box = document.getElementById("suggestions");
    if (!input || !box) return;
    var options = Array.prototype.slice.call(box.querySelectorAll("a.suggestion"));
    var inside = event.target === input || box.contains(event.target);
    if (!inside) return;
    if (event.key === "Escape") {
      box.innerHTML = "";
      input.setAttribute("aria-expanded", "false");
      input.focus();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    if (!options.length) return;
    event.preventDefault();
    var index = options.indexOf(document.activeElement);
    index = event.key === "ArrowDown" ? index + 1 : index - 1;
    if (index < 0) { input.focus(); return; }
    options[Math.min(index, options.length - 1)].focus();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "suggestions") {
      var input = document.getElementById("site-search");
      if (input) input.setAttribute("aria-expanded", event.target.children.length ? "true" : "false");
    }
  });

  // Clicking elsewhere closes the suggestions and the account menu.
  document.addEventListener("click", function (event) {
    var box = document.getElementById("suggestions");
    if (box && !event.target.closest(".search-box")) box.innerHTML = "";
    document.querySelectorAll("details.account-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
})();
