// The new-referral form (templates/referrals/new.html): when the partner changes, the list of
// activities becomes that partner's; when the activity changes, the sessions become its own.
// Without this script the form's "show" buttons do the same with a round trip.
(function () {
  "use strict";

  function start() {
    var form = document.getElementById("referral-form");
    if (!form || !form.dataset.choices || !window.fetch) { return; }
    var partner = form.elements.namedItem("to_partner_id");
    var offer = form.elements.namedItem("offer_id");
    var session = form.elements.namedItem("session_id");
    if (!partner || !offer || !session) { return; }
    Array.prototype.forEach.call(form.querySelectorAll("[data-refresh]"), function (button) {
      button.hidden = true;
    });

    function fill(select, options) {
      var chosen = select.value;
      while (select.options.length) { select.remove(0); }
      options.forEach(function (item) {
        var option = new Option(item.label, String(item.id));
        option.selected = String(item.id) === chosen;
        select.add(option);
      });
    }

    function refresh() {
      var url = form.dataset.choices + "?to=" + encodeURIComponent(partner.value) +
        "&offer=" + encodeURIComponent(offer.value);
      return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (data) {
          fill(offer, data.offers);
          fill(session, data.sessions);
        })
        .catch(function () {
          Array.prototype.forEach.call(form.querySelectorAll("[data-refresh]"), function (b) {
            b.hidden = false;  // the round trip still works
          });
        });
    }

    partner.addEventListener("change", function () {
      offer.value = "0";
      session.value = "0";
      refresh();
    });
    offer.addEventListener("change", function () {
      session.value = "0";
      refresh();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
