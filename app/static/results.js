/* Draws the radar charts of the results pages from the JSON beside each chart.
   A file, not an inline script, so the Content-Security-Policy (script-src 'self') holds. */
(function () {
  "use strict";

  if (typeof Plotly === "undefined") {
    return; // plotly.js did not load: the tables below the charts still carry every number
  }

  // Below this width the legend goes under the chart instead of beside it.
  var NARROW = 640;

  Plotly.register({
    moduleType: "locale",
    name: "da",
    dictionary: {
      "Download plot as a PNG": "Gem diagrammet som billede (PNG)",
      "Download plot": "Gem diagrammet",
      "Double-click on legend to isolate one trace": "Dobbeltklik på en runde for kun at vise den"
    },
    format: { decimal: ",", thousands: "." }
  });

  // On a phone the statements' labels do not fit around the radar: the axes are numbered
  // instead (the numbers stand in the table below), and the legend goes under the chart.
  function phoneLayout(element, layout, data) {
    var labels = data[0].theta.slice(0, -1);
    var angular = Object.assign({}, layout.polar.angularaxis, {
      tickmode: "array",
      tickvals: labels,
      ticktext: labels.map(function (label, index) { return String(index + 1); })
    });
    layout.polar = Object.assign({}, layout.polar, { angularaxis: angular });
    layout.legend = Object.assign({}, layout.legend, {
      orientation: "v", x: 0, xanchor: "left", y: -0.04, yanchor: "top"
    });
    layout.margin = { l: 30, r: 30, t: 30, b: 10 };
    layout.height = element.clientWidth + 24 * (data.length + 1) + 20;
    return layout;
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-figure"));
    if (!source) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    var layout = figure.layout;
    if (element.clientWidth < NARROW) {
      layout = phoneLayout(element, layout, figure.data);
    }
    Plotly.newPlot(element, figure.data, layout, {
      responsive: true,
      displaylogo: false,
      locale: "da",
      // The minutes are for paper: no camera button to print there.
      displayModeBar: element.getAttribute("data-modebar") !== "off",
      modeBarButtons: [["toImage"]],
      toImageButtonOptions: { format: "png", filename: "spindelvaev", scale: 2 }
    });
  }

  document.querySelectorAll(".radar-plot[data-figure]").forEach(draw);
})();
