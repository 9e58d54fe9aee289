// Polls the storefront's own status endpoint while an order settles (payment, then the courses
// opening) and reloads the page when something changed. Without JavaScript the page refreshes
// itself instead (<noscript> meta refresh).
(function () {
  "use strict";
  var INTERVAL_MS = 1500;
  var MAX_POLLS = 400; // about ten minutes; then the customer can reload by hand

  function start() {
    var order = document.querySelector("[data-order-status-url]");
    if (!order || order.getAttribute("data-settled") === "true") {
      return;
    }
    var url = order.getAttribute("data-order-status-url");
    var shown = order.getAttribute("data-status");
    var polls = 0;

    function poll() {
      polls += 1;
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (state && (state.settled || state.status !== shown)) {
            window.location.reload();
          } else if (polls < MAX_POLLS) {
            window.setTimeout(poll, INTERVAL_MS);
          }
        })
        .catch(function () {
          if (polls < MAX_POLLS) {
            window.setTimeout(poll, INTERVAL_MS); // the shop or an API was briefly away
          }
        });
    }
    window.setTimeout(poll, INTERVAL_MS);
  }

  document.addEventListener("DOMContentLoaded", start);
}());
