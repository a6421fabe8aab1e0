// Presentation mode for the projector (results, the meeting, the QR page): the `f` key or the
// button. Full width without the site's header, charts as large as the screen with large
// labels, one theme per screen moved through with the arrow keys. Kept while the facilitator
// moves between steps (sessionStorage); the pages work without it.
(function () {
  "use strict";

  var KEY = "spindelvaev-presentation";
  var root = document.documentElement;
  var slides = Array.prototype.slice.call(document.querySelectorAll("[data-slide], .theme-results"));
  var current = 0;
  var saved = new WeakMap(); // each chart's own layout, put back when the mode ends
  var LABEL_PX = 22;

  function presenting() { return root.classList.contains("presenting"); }

  function plots() {
    return Array.prototype.slice.call(document.querySelectorAll(".js-plotly-plot"));
  }

  // The chart as wide as the screen and as high as what is left of it below the theme's title.
  function large(element) {
    if (!saved.has(element)) saved.set(element, JSON.parse(JSON.stringify(element.layout)));
    var slide = element.closest("[data-slide], .theme-results") || document.body;
    var above = element.getBoundingClientRect().top - slide.getBoundingClientRect().top;
    // "Runder (klik for at skjule)" is for the facilitator's own screen; the room sees "Runder".
    var legend = saved.get(element).legend || {};
    var title = ((legend.title || {}).text || "").split(" (")[0];
    return {
      "legend.title.text": title,
      width: element.clientWidth,
      height: Math.max(480, window.innerHeight - above - 24),
      "font.size": LABEL_PX,
      "polar.angularaxis.tickfont.size": LABEL_PX,
      "polar.radialaxis.tickfont.size": 18,
      "legend.font.size": 20,
      // Room for two-line labels of 22 px above, below and to the left of the radar.
      "margin.l": 200, "margin.r": 40, "margin.t": 90, "margin.b": 70
    };
  }

  function resizeCharts() {
    if (typeof Plotly === "undefined") return;
    plots().forEach(function (element) {
      if (!element.layout) return;
      if (presenting()) {
        Plotly.relayout(element, large(element));
      } else if (saved.has(element)) {
        Plotly.react(element, element.data, saved.get(element));
        saved.delete(element);
      }
    });
  }

  function show(index) {
    if (!slides.length) return;
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (slide, i) {
      slide.classList.toggle("slide-hidden", presenting() && i !== current);
    });
    if (presenting()) {
      slides[current].scrollIntoView({ block: "start" });
      if (typeof Plotly !== "undefined") {
        slides[current].querySelectorAll(".js-plotly-plot").forEach(function (element) {
          if (element.layout) Plotly.relayout(element, large(element));
        });
      }
    }
  }

  function set(on) {
    root.classList.toggle("presenting", on);
    try { sessionStorage.setItem(KEY, on ? "1" : ""); } catch (ignored) { /* private mode */ }
    document.querySelectorAll("[data-presentation-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    resizeCharts();
    show(current);
    if (on && root.requestFullscreen && !document.fullscreenElement) {
      root.requestFullscreen().catch(function () { /* refused (or no screen): the page is enough */ });
    } else if (!on && document.fullscreenElement) {
      document.exitFullscreen().catch(function () {});
    }
  }

  function typing(element) {
    return element && (/^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName) || element.isContentEditable);
  }

  // Capture phase: before the meeting's own arrow keys, which change the step.
  window.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(document.activeElement)) return;
    if (event.key === "f" || event.key === "F") {
      event.preventDefault();
      set(!presenting());
      return;
    }
    if (event.key === "Escape" && presenting()) { set(false); return; }
    if (!presenting() || slides.length < 2) return;
    var step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    var next = current + step;
    if (step && next >= 0 && next < slides.length) {
      event.preventDefault();
      event.stopImmediatePropagation();
      show(next);
    }
  }, true);

  document.querySelectorAll("[data-presentation-toggle]").forEach(function (button) {
    button.hidden = false; // shown only where this script runs
    button.addEventListener("click", function () { set(!presenting()); });
  });

  var remembered = false;
  try { remembered = sessionStorage.getItem(KEY) === "1"; } catch (ignored) { /* private mode */ }
  if (remembered) {
    root.classList.add("presenting");
    // The charts are drawn by results.js (also deferred, loaded before this file).
    window.addEventListener("load", function () { set(true); });
  }
  show(0);
})();
