// The meeting view: arrow keys change step, notes save as they are typed, and the priority
// counter shows how many are chosen. Everything also works without this script.
(function () {
  "use strict";

  function typing(element) {
    return element && (/^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName) || element.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(document.activeElement)) return;
    var rel = event.key === "ArrowRight" ? "next" : event.key === "ArrowLeft" ? "prev" : null;
    var link = rel && document.querySelector('.step-nav a[rel="' + rel + '"]');
    if (link) {
      event.preventDefault();
      window.location.href = link.href;
    }
  });

  document.querySelectorAll("form.autosave").forEach(function (form) {
    var state = form.querySelector(".save-state");
    var timer = null;
    function save() {
      state.textContent = "Gemmer …";
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      }).then(function (response) {
        state.textContent = response.ok ? "Gemt" : "Kunne ikke gemmes – tryk Gem";
      }, function () {
        state.textContent = "Ingen forbindelse – tryk Gem, når I er online igen";
      });
    }
    form.querySelector("textarea").addEventListener("input", function () {
      clearTimeout(timer);
      state.textContent = "";
      timer = setTimeout(save, 800);
    });
  });

  document.querySelectorAll("form.priority-form").forEach(function (form) {
    var max = Number(form.dataset.max);
    var count = form.querySelector("[data-count]");
    function update() {
      var chosen = form.querySelectorAll('input[type="checkbox"]:checked').length;
      count.textContent = String(chosen);
      count.parentElement.classList.toggle("too-many", chosen > max);
    }
    form.addEventListener("change", update);
    update();
  });
})();
