// The meeting view: arrow keys change step, priorities save as they are ticked, notes save as
// they are typed, and nothing typed is lost on leaving the page. Everything also works without
// this script: the step links are buttons of the step's form, so moving on saves it.
(function () {
  "use strict";

  var DEBOUNCE_MS = 400;

  function typing(element) {
    return element && (/^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName) || element.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(document.activeElement)) return;
    var rel = event.key === "ArrowRight" ? "next" : event.key === "ArrowLeft" ? "prev" : null;
    var target = rel && document.querySelector('.step-nav [data-rel="' + rel + '"]');
    if (target) {
      event.preventDefault();
      target.click(); // a link, or a button that saves the step's form on the way
    }
  });

  function body(form) {
    return new URLSearchParams(new FormData(form));
  }

  // Saves the form in the background, one request at a time so a late reply never stores older
  // text over newer; says when it was stored. Returns the function that saves now.
  function backgroundSaver(form, state) {
    var queue = Promise.resolve();
    var busy = 0;
    var dirty = false;

    function send() {
      dirty = false;
      busy += 1;
      state.textContent = "Gemmer …";
      queue = queue.then(function () {
        return fetch(form.action, {
          method: "POST",
          body: body(form), // read when sent: the newest text
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          keepalive: true,
        }).then(function (response) {
          return response.json().then(function (data) {
            if (!response.ok) throw new Error(data.detail || "");
            state.textContent = "Gemt kl. " + data.saved_at;
          });
        }).catch(function (problem) {
          dirty = true;
          state.textContent = (problem && problem.message) || "Ikke gemt – tryk Gem";
        }).then(function () { busy -= 1; });
      });
      return queue;
    }

    form.addEventListener("submit", function (event) {
      // The form's own post carries everything; wait only for a save already on its way.
      if (busy === 0) { dirty = false; return; }
      event.preventDefault();
      var submitter = event.submitter;
      queue.then(function () { form.requestSubmit(submitter); });
    });

    function flush() {
      if (dirty && navigator.sendBeacon(form.action, body(form))) dirty = false;
    }
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") flush();
    });

    return {
      send: send,
      touch: function () { dirty = true; state.textContent = ""; },
      dirty: function () { return dirty; },
    };
  }

  document.querySelectorAll("form.autosave").forEach(function (form) {
    var saver = backgroundSaver(form, form.querySelector(".save-state"));
    var timer = null;
    form.querySelectorAll('textarea, input:not([type="hidden"])').forEach(function (field) {
      field.addEventListener("input", function () {
        saver.touch();
        clearTimeout(timer);
        timer = setTimeout(saver.send, DEBOUNCE_MS);
      });
      field.addEventListener("blur", function () {
        clearTimeout(timer);
        if (saver.dirty()) saver.send();
      });
    });
  });

  document.querySelectorAll("form.priority-form").forEach(function (form) {
    var max = Number(form.dataset.max);
    var count = form.querySelector("[data-count]");
    var limit = form.querySelector(".choice-limit");
    var saver = backgroundSaver(form, form.querySelector(".save-state"));
    function chosen() {
      return form.querySelectorAll('input[name="statement_ids"]:checked').length;
    }
    form.addEventListener("change", function (event) {
      var box = event.target;
      if (box.name !== "statement_ids") return;
      var tooMany = box.checked && chosen() > max;
      if (tooMany) box.checked = false; // the three already chosen stay chosen
      limit.hidden = !tooMany;
      count.textContent = String(chosen());
      if (!tooMany) { saver.touch(); saver.send(); }
    });
    count.textContent = String(chosen());
  });
})();
