/* Charts of the public showcase (ECharts, served locally).
 *
 * Data comes from the page's json_script block "showcase-data": the rank history (one line
 * per village, rank 1 at the top) and, per county receiving venture returns, the Gini of
 * its villages' collective income without and with the returns. */
(function () {
  "use strict";
  // Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML tooltips carry
  // style="…" attributes, which the Content-Security-Policy refuses.
  var source = document.getElementById("showcase-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var L = data.labels;
  var charts = [];
  var narrow = window.matchMedia("(max-width: 760px)").matches;

  var historyEl = document.getElementById("history-chart");
  if (historyEl && data.history && data.history.years.length) {
    var years = data.history.years.map(String);
    var count = data.history.series.length;
    var chart = echarts.init(historyEl, null, {renderer: "canvas"});
    chart.setOption({
      animationDuration: 400,
      grid: {left: 36, right: narrow ? 64 : 96, top: 16, bottom: 28},
      tooltip: {renderMode: "richText", trigger: "item", formatter: function (p) {
        return p.marker + p.seriesName + " · " + years[p.dataIndex] + ": " + L.rank + " " + p.value;
      }},
      xAxis: {type: "category", data: years, boundaryGap: false,
              axisTick: {alignWithLabel: true}},
      yAxis: {type: "value", inverse: true, min: 1, max: Math.max(count, 1), interval: 1,
              axisLabel: {fontSize: 10}, splitLine: {lineStyle: {color: "#eceff3"}}},
      series: data.history.series.map(function (s) {
        return {
          name: s.name, type: "line", data: s.ranks, connectNulls: false, smooth: false,
          symbol: "circle", symbolSize: narrow ? 5 : 7, lineStyle: {width: 2},
          endLabel: {show: true, formatter: "{a}", fontSize: narrow ? 10 : 11, distance: 4},
          emphasis: {focus: "series", lineStyle: {width: 4}}
        };
      })
    });
    charts.push(chart);
  }

  document.querySelectorAll(".returns-chart").forEach(function (el) {
    var county = data.returns[Number(el.dataset.index)];
    if (!county) return;
    var chart = echarts.init(el, null, {renderer: "canvas"});
    chart.setOption({
      color: ["#9ca3af", "#b3261e"],
      animationDuration: 400,
      legend: {top: 0, textStyle: {color: "#374151"}},
      grid: {left: 48, right: 16, top: 40, bottom: 28},
      tooltip: {renderMode: "richText", trigger: "axis", valueFormatter: function (v) {
        return v === null || v === undefined ? "—" : v.toFixed(4);
      }},
      xAxis: {type: "category", data: county.years.map(String)},
      yAxis: {type: "value", min: 0, splitLine: {lineStyle: {color: "#eceff3"}}},
      series: [
        {name: L.without, type: "bar", barMaxWidth: 36, data: county.without},
        {name: L.with, type: "bar", barMaxWidth: 36, data: county["with"]}
      ]
    });
    charts.push(chart);
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
