// Charts of the figures' pages, drawn with Apache ECharts (static/vendor/echarts.min.js, from the
// npm lock) from the table each chart stands beside: the table is the data and its accessible
// form, the chart a picture of it. <figure class="chart" data-chart="line|bar" data-table="ID"
// data-series="name,name" data-unit="%|h">: each series is the column whose <th data-series>
// has that name, each point a row (its <th scope=row> the label, the cell's data-value the number).
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  function column(table, name) {
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) {
      if (heads[i].dataset.series === name) return { index: i, label: heads[i].textContent.trim() };
    }
    return null;
  }
  document.querySelectorAll("figure.chart").forEach(function (figure) {
    var table = document.getElementById(figure.dataset.table);
    if (!table || !table.tBodies.length) return;
    var unit = figure.dataset.unit || "%";
    var rows = Array.prototype.filter.call(table.tBodies[0].rows, function (row) {
      return row.querySelector("th[scope=row]");
    });
    if (!rows.length) return;
    var labels = rows.map(function (row) { return row.querySelector("th[scope=row]").textContent.trim(); });
    var series = figure.dataset.series.split(",").map(function (name) {
      var col = column(table, name);
      if (!col) return null;
      return {
        name: col.label,
        type: figure.dataset.chart,
        connectNulls: false,
        data: rows.map(function (row) {
          var value = row.cells[col.index].dataset.value;
          if (value === undefined || value === "") return null;
          value = parseFloat(value);
          return unit === "%" ? Math.round(value * 1000) / 10 : Math.round(value * 10) / 10;
        }),
      };
    }).filter(Boolean);
    var canvas = figure.querySelector(".chart-canvas");
    var chart = echarts.init(canvas, null, { renderer: "svg" });
    chart.setOption({
      aria: { enabled: true },
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 64 },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: labels.length > 6 ? 30 : 0, width: 140, overflow: "truncate" } },
      yAxis: { type: "value", min: 0, max: unit === "%" ? 100 : null, axisLabel: { formatter: "{value}" + (unit === "%" ? "%" : "") } },
      series: series,
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
