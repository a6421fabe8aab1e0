// Progressive enhancement of the scoring page; it works without this file. Here: live progress,
// answers kept in the browser's storage as they are given (restored on return), a warning before
// leaving with unsent answers, "next unanswered" without a round trip, and no double submit.
(function () {
  "use strict";
  var PREFIX = "spindelvaev-svar-";

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null; // storage switched off: the server's draft still keeps every step
    }
  }

  // The thanks page: the answers are sent, so the browser's copy is no longer needed.
  var sent = document.getElementById("sent");
  if (sent && storage()) storage().removeItem(PREFIX + sent.getAttribute("data-round"));

  var form = document.getElementById("scoring");
  var out = document.getElementById("progress");
  if (!form || !out) return;
  var store = storage();
  var storeKey = PREFIX + form.getAttribute("data-round");
  var total = Number(out.getAttribute("data-total"));
  var prefix = out.getAttribute("data-prefix") || "";
  var unsent = form.hasAttribute("data-unsent");
  var submitting = false;

  function isAnswerField(name) {
    return /^[sc]-/.test(name) || name === "profession";
  }

  function entered() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || !isAnswerField(field.name)) return;
      if (field.type === "radio") {
        if (field.checked) data[field.name] = field.value;
      } else if (field.value !== "" || !(field.name in data)) {
        data[field.name] = field.value;
      }
    });
    return data;
  }

  function update() {
    var data = entered();
    var answered = Object.keys(data).filter(function (name) {
      return name.indexOf("s-") === 0 && data[name] !== "";
    }).length;
    out.textContent = prefix + answered + " af " + total + " besvaret";
  }

  function save() {
    unsent = true;
    if (store) {
      try {
        store.setItem(storeKey, JSON.stringify(entered()));
      } catch (e) { /* full or refused: the server's draft still has each step */ }
    }
    update();
  }

  function restore() {
    var raw = store && store.getItem(storeKey);
    if (!raw) return;
    var data;
    try {
      data = JSON.parse(raw);
    } catch (e) {
      return;
    }
    Object.keys(data).forEach(function (name) {
      if (!isAnswerField(name) || typeof data[name] !== "string") return;
      var fields = form.querySelectorAll('[name="' + name.replace(/["\\]/g, "") + '"]');
      Array.prototype.forEach.call(fields, function (field) {
        if (field.type === "radio") {
          if (field.value === data[name]) field.checked = true;
        } else if (data[name] !== "" || field.type === "hidden") {
          if (field.value !== data[name]) {
            field.value = data[name];
            unsent = true;
          }
        }
      });
      if (data[name] && fields.length && fields[0].type === "radio") {
        var details = form.querySelector('[name="c-' + name.slice(2) + '"]');
        if (details && details.value) details.closest("details").open = true;
      }
    });
  }

  function firstUnanswered() {
    var sets = form.querySelectorAll("fieldset.q");
    for (var i = 0; i < sets.length; i++) {
      if (!sets[i].querySelector("input[type=radio]:checked")) return sets[i];
    }
    return null;
  }

  form.addEventListener("change", save);
  form.addEventListener("input", save);
  form.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".next-unanswered");
    if (!button) return;
    var next = firstUnanswered();
    if (!next) return; // all answered here: the server finds the next screen's
    event.preventDefault();
    next.scrollIntoView({ block: "start" });
    var radio = next.querySelector("input[type=radio]");
    if (radio) radio.focus({ preventScroll: true });
  });
  form.addEventListener("submit", function (event) {
    submitting = true;
    var button = event.submitter;
    if (!button) return;
    var label = button.textContent;
    button.setAttribute("data-label", label);
    // After the browser has taken the form's values (and the button's own name and value).
    window.setTimeout(function () {
      button.disabled = true;
      button.textContent = "Sender …";
    }, 0);
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting || !unsent) return;
    event.preventDefault();
    event.returnValue = "";
  });
  // Coming back with the browser's back button restores the page from its cache.
  window.addEventListener("pageshow", function () {
    submitting = false;
    form.querySelectorAll("button[data-label]").forEach(function (button) {
      button.disabled = false;
      button.textContent = button.getAttribute("data-label");
    });
    update();
  });
  restore();
  update();
})();
