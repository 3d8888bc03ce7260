/* A consortium's visitors by month, this year against the year before (ECharts, served
 * locally). Data from the json_script block "visitors-chart-data": {months, series: [{year,
 * visitors: [12 integers]}]}. Tooltips drawn on the canvas (renderMode "richText"): ECharts'
 * HTML tooltips carry style attributes, which the Content-Security-Policy refuses. */
(function () {
  "use strict";
  var el = document.getElementById("visitors-chart");
  var source = document.getElementById("visitors-chart-data");
  if (!el || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el, null, {renderer: "canvas"});
  chart.setOption({
    color: ["#9ca3af", "#1f5fa8"],
    animationDuration: 300,
    grid: {left: 56, right: 16, top: 40, bottom: 32},
    legend: {top: 0},
    tooltip: {renderMode: "richText", trigger: "axis"},
    xAxis: {type: "category", data: data.months},
    yAxis: {type: "value", splitLine: {lineStyle: {color: "#eceff3"}}},
    series: data.series.map(function (s) {
      return {name: String(s.year), type: "bar", barMaxWidth: 18, data: s.visitors};
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
