// Work that runs in the background (an export, a roster being solved) shows its progress in an
// element marked data-progress="<seconds>". This script fetches the page again every so many
// seconds and swaps in the new progress, so a reader keeps their place and focus (a meta refresh
// reloads the whole page under them, WCAG 2.2.1). When the work is done the new page has no such
// element, and the page loads once to show the result. Without JavaScript the element's own
// "Reload" link does the same.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress]");
  if (!box || !window.fetch || !window.DOMParser) return;
  var every = (Number(box.getAttribute("data-progress")) || 5) * 1000;

  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-progress]");
        if (!fresh) {
          window.location.reload();
          return;
        }
        box.innerHTML = fresh.innerHTML;
        window.setTimeout(poll, every);
      })
      .catch(function () {
        window.setTimeout(poll, every * 2); // offline or the server restarts: try again later
      });
  }

  window.setTimeout(poll, every);
})();
