/* A project's investment progress chart (ECharts, served locally).
 *
 * Data comes from the page's json_script block "progress-chart-data": money in integer fen,
 * scaled to 万元 here for display only. Bars: investment completed this year as reported
 * (cumulative, per month or quarter); line: the annual plan spread evenly; right axis: the
 * % of the annual plan against the time schedule (时序进度). */
(function () {
  "use strict";
  // Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML tooltips carry
  // style="…" attributes, which the Content-Security-Policy refuses.
  var el = document.getElementById("progress-chart");
  var source = document.getElementById("progress-chart-data");
  if (!el || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var L = data.labels;
  function wan(values) {
    return values.map(function (v) { return v === null ? null : v / 1e6; });
  }
  var chart = echarts.init(el, null, {renderer: "canvas"});
  chart.setOption({
    color: ["#1f5fa8", "#9ca3af", "#d9822b", "#3b7a57"],
    animationDuration: 300,
    grid: {left: 64, right: 56, top: 56, bottom: 32},
    legend: {type: "scroll", top: 0, itemGap: 16},
    tooltip: {renderMode: "richText", trigger: "axis"},
    xAxis: {type: "category", data: data.periods},
    yAxis: [
      {type: "value", name: L.wan_yuan, splitLine: {lineStyle: {color: "#eceff3"}}},
      {type: "value", name: "%", min: 0, splitLine: {show: false}}
    ],
    series: [
      {name: L.actual, type: "bar", barMaxWidth: 24, data: wan(data.actual)},
      {name: L.plan, type: "line", symbolSize: 5, lineStyle: {type: "dashed"}, data: wan(data.plan)},
      {name: L.percent, type: "line", yAxisIndex: 1, symbolSize: 7, connectNulls: true, data: data.percent},
      {name: L.schedule, type: "line", yAxisIndex: 1, symbol: "none", lineStyle: {type: "dotted"}, data: data.schedule}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
