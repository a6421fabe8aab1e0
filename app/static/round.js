// The round's live count: polls the round's status endpoint and updates the numbers in place.
// Without JavaScript the count is as it was when the page loaded.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.fetch) return;
  var url = live.getAttribute("data-status-url");
  var answers = live.querySelector("[data-answers]");
  var status = document.querySelector("[data-status]");
  var INTERVAL_MS = 4000;

  function refresh() {
    if (document.hidden) return;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (answers) answers.textContent = String(data.answers);
        if (status) status.textContent = data.status_label;
        // On the projector, the closed round's results come up by themselves.
        var results = live.getAttribute("data-results-url");
        if (results && data.status === "closed" && document.documentElement.classList.contains("presenting")) {
          window.location.href = results;
        }
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }

  window.setInterval(refresh, INTERVAL_MS);
  document.addEventListener("visibilitychange", refresh);
})();
