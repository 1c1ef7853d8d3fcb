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

// Cart: an htmx change that failed without a fragment to show (a line removed in another tab,
// a lost connection) says so instead of doing nothing. The words come translated on the
// header's cart link.
(function () {
  "use strict";
  function tell(key, fallback) {
    var main = document.getElementById("main");
    if (!main) return;
    var link = document.getElementById("cart-link");
    var text = (link && link.getAttribute("data-" + key)) || fallback;
    var box = document.getElementById("htmx-problem");
    if (!box) {
      box = document.createElement("p");
      box.id = "htmx-problem";
      box.className = "flash flash-error";
      box.setAttribute("role", "alert");
      main.insertBefore(box, main.firstChild);
    }
    box.textContent = text;
  }
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 404) {
      tell("gone", "That is no longer there (changed in another window?). Reload the page.");
    } else {
      tell("failed", "That did not work. Please try again.");
    }
  });
  document.addEventListener("htmx:sendError", function () {
    tell("offline", "No connection: nothing was changed. Please try again.");
  });
  // A scan form (pick and pack) is emptied and focused for the next scan. In this file,
  // not in an hx-on attribute: the CSP forbids the eval that hx-on needs.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-scan-form]")) return;
    if (event.detail.successful) form.reset();
    var input = form.querySelector("input[name=code]");
    if (input) input.focus();
  });
})();
