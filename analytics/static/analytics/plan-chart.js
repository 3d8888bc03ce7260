/* An optimiser run's charts (ECharts, served locally).
 *
 * Data comes from the page's json_script block "plan-chart-data": money in integer fen,
 * scaled to 万元 here for display only. Left: villages lifted (bars) and capital (line) of
 * the plan, the greedy baseline and the equal split. Right: the plan's capital per park
 * (bars) and the villages staked there (line). */
(function () {
  "use strict";
  // Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML tooltips carry
  // style="…" attributes, which the Content-Security-Policy refuses.
  var source = document.getElementById("plan-chart-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var L = data.labels;
  function wan(values) {
    return values.map(function (v) { return v === null ? null : v / 1e6; });
  }
  function draw(id, categories, bars, barName, line, lineName, barAxis, lineAxis) {
    var el = document.getElementById(id);
    if (!el) return null;
    var chart = echarts.init(el, null, {renderer: "canvas"});
    chart.setOption({
      color: ["#b3261e", "#1f5fa8"],
      animationDuration: 300,
      grid: {left: 56, right: 56, top: 48, bottom: 32},
      legend: {top: 0},
      tooltip: {renderMode: "richText", trigger: "axis"},
      xAxis: {type: "category", data: categories},
      yAxis: [
        {type: "value", name: barAxis, splitLine: {lineStyle: {color: "#eceff3"}}},
        {type: "value", name: lineAxis, splitLine: {show: false}}
      ],
      series: [
        {name: barName, type: "bar", barMaxWidth: 36, data: bars},
        {name: lineName, type: "line", yAxisIndex: 1, symbolSize: 8, data: line}
      ]
    });
    return chart;
  }
  var charts = [
    draw("plan-methods-chart", data.methods, data.lifted, L.lifted, wan(data.capital), L.capital,
         L.lifted, L.wan_yuan),
    draw("plan-parks-chart", data.parks, wan(data.park_capital), L.capital, data.park_villages,
         L.villages, L.wan_yuan, L.villages)
  ];
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { if (chart) chart.resize(); });
  });
})();
