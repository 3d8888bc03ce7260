/* The income history chart of a village page (ECharts, served locally).
 *
 * Data comes from the page's json_script block "income-chart-data": money as integer fen,
 * scaled here for display only (bars in 万元, the per-capita line in 元). */
(function () {
  "use strict";
  // Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML tooltips carry
  // style="…" attributes, which the Content-Security-Policy refuses.
  var el = document.getElementById("income-chart");
  var source = document.getElementById("income-chart-data");
  if (!el || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var L = data.labels;

  function scale(values, divisor) {
    return values.map(function (v) { return v === null ? null : v / divisor; });
  }
  // Illustrative (示例) years get hatched bars, so a generated figure never looks published.
  var hatch = {symbol: "rect", dashArrayX: [1, 0], dashArrayY: [3, 4], rotation: -Math.PI / 4,
               color: "rgba(255, 255, 255, 0.65)"};
  function bars(values) {
    return scale(values, 1e6).map(function (v, i) {
      return data.illustrative[i] ? {value: v, itemStyle: {decal: hatch}} : v;
    });
  }
  function fmt(v, digits) {
    if (v === null || v === undefined || isNaN(v)) return "—";
    return v.toLocaleString(undefined, {minimumFractionDigits: digits, maximumFractionDigits: digits});
  }

  var years = data.years.map(String);
  var colors = ["#b3261e", "#d9822b", "#3b7a57", "#1f5fa8"];
  var chart = echarts.init(el, null, {renderer: "canvas"});
  chart.setOption({
    color: colors,
    animationDuration: 400,
    grid: {left: 56, right: 64, top: 56, bottom: 32, containLabel: false},
    // One scrolling line, so the legend never runs into the axis names on a phone.
    legend: {type: "scroll", top: 0, itemGap: 16, textStyle: {color: "#374151"}},
    tooltip: {
      renderMode: "richText",
      trigger: "axis",
      axisPointer: {type: "shadow"},
      formatter: function (items) {
        if (!items.length) return "";
        var i = items[0].dataIndex;
        var lines = [years[i] + (data.illustrative[i] ? " · " + L.illustrative : "")];
        items.forEach(function (item) {
          var isLine = item.seriesIndex === 3;
          lines.push(item.marker + item.seriesName + ": " + fmt(item.value, 2) + " " + (isLine ? L.yuan : L.wan_yuan));
        });
        return lines.join("\n");
      }
    },
    xAxis: {type: "category", data: years, axisTick: {alignWithLabel: true}},
    yAxis: [
      {type: "value", name: L.wan_yuan, nameTextStyle: {align: "right"}, splitLine: {lineStyle: {color: "#eceff3"}}},
      {type: "value", name: L.yuan, nameTextStyle: {align: "left"}, splitLine: {show: false}}
    ],
    series: [
      {name: L.total_income, type: "bar", barMaxWidth: 28, data: bars(data.total_income)},
      {name: L.operating_income, type: "bar", barMaxWidth: 28, data: bars(data.operating_income)},
      {name: L.recurring_income, type: "bar", barMaxWidth: 28, data: bars(data.recurring_income)},
      {name: L.per_capita, type: "line", yAxisIndex: 1, smooth: false, symbolSize: 7,
       connectNulls: true, data: scale(data.per_capita, 100)}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
