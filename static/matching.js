// Suggested activities on a referral page (templates/referrals/_match_section.html).
// With this script the suggestions load into #matches-results without reloading the page:
// the start button posts in the background, then the results are asked for every second
// while the search runs. Without it, the form and the links work as plain HTML.
(function () {
  "use strict";
  var MAX_TRIES = 180;

  function start() {
    var box = document.getElementById("matches-results");
    if (!box || !box.dataset.src || !window.fetch) { return; }
    var form = document.getElementById("matches-start");
    var tries = 0;
    var timer = null;

    function load() {
      window.clearTimeout(timer);
      tries += 1;
      fetch(box.dataset.src, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.text();
        })
        .then(function (html) {
          box.innerHTML = html;
          var root = box.querySelector("[data-state]");
          if (root && root.dataset.state === "running" && tries < MAX_TRIES) {
            timer = window.setTimeout(load, 1000);
          }
        })
        .catch(function () { /* the link that is there still works */ });
    }

    if (form && window.FormData) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
        })
          .then(function (response) {
            if (response.status === 202) {
              tries = 0;
              load();
            } else {
              form.submit(); // the page itself shows why not
            }
          })
          .catch(function () { form.submit(); });
      });
    }

    load();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
