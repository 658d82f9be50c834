// Small helpers for every page. No inline scripts: the CSP forbids them.
document.addEventListener("htmx:configRequest", (event) => {
  // HTMX requests carry the CSRF token like forms do.
  event.detail.headers["X-CSRFToken"] = document.body.dataset.csrf;
});

// Print buttons (no inline handlers: the CSP forbids them).
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest(".js-print")) {
    window.print();
  }
});
