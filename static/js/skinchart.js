// Small helpers for every page. No inline scripts: the CSP forbids them.
document.addEventListener("htmx:configRequest", (event) => {
  // HTMX requests carry the CSRF token like forms do.
  event.detail.headers["X-CSRFToken"] = document.body.dataset.csrf;
});
