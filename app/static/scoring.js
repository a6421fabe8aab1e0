// Progressive enhancement of the scoring page: live progress and no double submit.
// The page works without it; the server also stores a double submit only once.
(function () {
  "use strict";
  var form = document.getElementById("scoring");
  var out = document.getElementById("progress");
  if (!form || !out) return;
  var total = Number(out.getAttribute("data-total"));
  var button = form.querySelector("button[type=submit]");
  var label = button ? button.textContent : "";

  function update() {
    var answered = {};
    form.querySelectorAll("input[type=radio]:checked").forEach(function (input) {
      answered[input.name] = true;
    });
    out.textContent = Object.keys(answered).length + " af " + total + " besvaret";
  }

  form.addEventListener("change", update);
  form.addEventListener("submit", function () {
    if (!button) return;
    // After the browser has taken the form's values; the button has no name, so nothing is lost.
    window.setTimeout(function () {
      button.disabled = true;
      button.textContent = "Sender …";
    }, 0);
  });
  // Coming back with the browser's back button restores the page from its cache.
  window.addEventListener("pageshow", function () {
    if (button) {
      button.disabled = false;
      button.textContent = label;
    }
    update();
  });
  update();
})();
