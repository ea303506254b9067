/* Page script of the site: month switching, table filters and the Plotly charts. No network access. */
(function () {
  "use strict";

  /* Month selectors: every <select data-month-select> shows one month panel, all stay in sync. */
  function showMonth(month) {
    document.querySelectorAll("[data-month-panel]").forEach(function (panel) {
      panel.hidden = panel.getAttribute("data-month-panel") !== month;
    });
    document.querySelectorAll("select[data-month-select]").forEach(function (select) {
      select.value = month;
    });
  }
  document.querySelectorAll("select[data-month-select]").forEach(function (select) {
    select.addEventListener("change", function () { showMonth(select.value); });
  });

  /* Printing shows the folded tables too. */
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.more-profiles").forEach(function (node) { node.open = true; });
  });

  /* Table filters: <select data-filter="NAME"> inside [data-filter-for="TABLE-ID"] keeps the rows
     whose data-NAME holds the chosen value (a space-separated list) or "all"/"region" (everywhere). */
  document.querySelectorAll("[data-filter-for]").forEach(function (box) {
    var table = document.getElementById(box.getAttribute("data-filter-for"));
    if (!table) { return; }
    var selects = box.querySelectorAll("select[data-filter]");
    var rows = table.querySelectorAll("tbody tr:not(.filter-empty)");
    var empty = table.querySelector("tr.filter-empty");
    var count = box.querySelector("[data-filter-count]");
    var summary = document.querySelector("[data-filter-summary]");
    function apply() {
      var shown = 0;
      var chosen = [];
      rows.forEach(function (row) {
        var keep = true;
        selects.forEach(function (select) {
          var wanted = select.value;
          if (!wanted) { return; }
          var values = (row.getAttribute("data-" + select.getAttribute("data-filter")) || "").split(" ");
          if (values.indexOf(wanted) < 0 && values.indexOf("all") < 0 && values.indexOf("region") < 0) {
            keep = false;
          }
        });
        row.hidden = !keep;
        if (keep) { shown += 1; }
      });
      selects.forEach(function (select) {
        if (select.value) { chosen.push(select.options[select.selectedIndex].text); }
      });
      if (empty) { empty.hidden = shown > 0; }
      if (count) { count.textContent = "Показано " + shown + " из " + rows.length; }
      if (summary) { summary.textContent = chosen.length ? "Отбор: " + chosen.join("; ") + "." : ""; }
    }
    selects.forEach(function (select) { select.addEventListener("change", apply); });
    apply();
  });

  /* Charts: specs are embedded as JSON; Plotly comes from assets/plotly.min.js. */
  var specNode = document.getElementById("chart-specs");
  if (!specNode || !window.Plotly) { return; }
  var Plotly = window.Plotly;
  Plotly.register({
    moduleType: "locale",
    name: "ru",
    dictionary: {
      "Download plot as a PNG": "Сохранить как картинку (PNG)",
      "Download plot": "Сохранить картинку",
      "Zoom": "Увеличить область",
      "Pan": "Сдвиг",
      "Zoom in": "Приблизить",
      "Zoom out": "Отдалить",
      "Autoscale": "Показать всё",
      "Reset axes": "Сбросить масштаб",
      "Toggle Spike Lines": "Линии-указатели",
      "Show closest data on hover": "Подсказка по ближайшей точке",
      "Compare data on hover": "Сравнивать при наведении",
      "Double-click to zoom back out": "Двойной щелчок — вернуть масштаб",
      "Produced with Plotly.js": "Построено с помощью Plotly.js"
    },
    format: {
      days: ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"],
      shortDays: ["вс", "пн", "вт", "ср", "чт", "пт", "сб"],
      months: ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
        "сентябрь", "октябрь", "ноябрь", "декабрь"],
      shortMonths: ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт",
        "ноя", "дек"],
      date: "%d.%m.%Y",
      decimal: ",",
      thousands: "\u2009"
    }
  });
  var config = {
    locale: "ru",
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"]
  };
  var specs = JSON.parse(specNode.textContent);
  var charts = [];
  Object.keys(specs).forEach(function (id) {
    var node = document.getElementById(id);
    if (!node) { return; }
    node.textContent = "";
    Plotly.newPlot(node, specs[id].data, specs[id].layout, config);
    charts.push(node);
  });

  /* Printing (A4 landscape, two charts a row unless data-print-width says otherwise): fixed size
     on paper, restored afterwards. */
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (node) {
      var width = Number(node.getAttribute("data-print-width")) || 480;
      Plotly.relayout(node, { width: width, height: 300 });
    });
  });
  window.addEventListener("afterprint", function () {
    charts.forEach(function (node) {
      Plotly.relayout(node, { width: null, height: specs[node.id].layout.height, autosize: true });
      Plotly.Plots.resize(node);
    });
  });
})();
