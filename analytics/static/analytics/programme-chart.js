/* The enclave programme's chart (ECharts, served locally): returns paid per year, stacked
 * by county. Data from the page's json_script block "programme-chart-data": integer fen,
 * scaled to 万元 (or 元) here for display only. */
(function () {
  "use strict";
  var source = document.getElementById("programme-chart-data");
  var el = document.getElementById("programme-chart");
  if (!source || !el || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var scale = data.unit === "yuan" ? 100 : 1e6;
  var chart = echarts.init(el, null, {renderer: "canvas"});
  chart.setOption({
    animationDuration: 300,
    grid: {left: 64, right: 24, top: 56, bottom: 32},
    legend: {top: 0, type: "scroll"},
    // Canvas tooltips: HTML ones carry style attributes the Content-Security-Policy refuses.
    tooltip: {renderMode: "richText", trigger: "axis"},
    xAxis: {type: "category", data: data.years.map(String)},
    yAxis: {type: "value", name: data.unit === "yuan" ? data.labels.yuan : data.labels.wan_yuan,
            splitLine: {lineStyle: {color: "#eceff3"}}},
    series: data.counties.map(function (county) {
      return {name: county.name, type: "bar", stack: "paid", barMaxWidth: 40,
              data: county.paid.map(function (v) { return v / scale; })};
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
