/* Page script of the KPI site: month switching and the Plotly charts. No network access. */
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

  /* Printing (A4 landscape, two charts a row): fixed size on paper, restored afterwards. */
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (node) { Plotly.relayout(node, { width: 480, height: 300 }); });
  });
  window.addEventListener("afterprint", function () {
    charts.forEach(function (node) {
      Plotly.relayout(node, { width: null, height: specs[node.id].layout.height, autosize: true });
      Plotly.Plots.resize(node);
    });
  });
})();
