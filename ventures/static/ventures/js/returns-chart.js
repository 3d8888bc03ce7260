/* A venture's returns chart (ECharts, served locally).
 *
 * Data comes from the page's json_script block "returns-chart-data": money in integer fen,
 * scaled to 万元 here for display only. Bars: income received and distributed per year;
 * lines: the venture's cumulative distributions, and the selected holder's yearly and
 * cumulative returns (the holder is chosen in #holder-select among the top holders). */
(function () {
  "use strict";
  // Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML tooltips carry
  // style="…" attributes, which the Content-Security-Policy refuses.
  var el = document.getElementById("returns-chart");
  var source = document.getElementById("returns-chart-data");
  if (!el || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var L = data.labels;
  var years = data.years.map(String);
  var select = document.getElementById("holder-select");

  function wan(values) {
    return values.map(function (v) { return v === null ? null : v / 1e6; });
  }
  function fmt(v) {
    if (v === null || v === undefined || isNaN(v)) return "—";
    return v.toLocaleString(undefined, {minimumFractionDigits: 2, maximumFractionDigits: 2});
  }
  function holderSeries(index) {
    var holder = data.holders[index];
    if (!holder) return [];
    return [
      {name: holder.name + " · " + L.holder_yearly, type: "bar", barMaxWidth: 20, data: wan(holder.yearly)},
      {name: holder.name + " · " + L.holder_cumulative, type: "line", symbolSize: 6, data: wan(holder.cumulative)}
    ];
  }

  var chart = echarts.init(el, null, {renderer: "canvas"});
  function draw(index) {
    chart.setOption({
      color: ["#9ca3af", "#b3261e", "#d9822b", "#1f5fa8", "#3b7a57"],
      animationDuration: 300,
      grid: {left: 56, right: 24, top: 56, bottom: 32},
      legend: {type: "scroll", top: 0, itemGap: 16},
      tooltip: {
        renderMode: "richText",
        trigger: "axis",
        formatter: function (items) {
          if (!items.length) return "";
          var lines = [String(years[items[0].dataIndex])];
          items.forEach(function (item) {
            lines.push(item.marker + item.seriesName + ": " + fmt(item.value) + " " + L.wan_yuan);
          });
          return lines.join("\n");
        }
      },
      xAxis: {type: "category", data: years},
      yAxis: {type: "value", name: L.wan_yuan, splitLine: {lineStyle: {color: "#eceff3"}}},
      series: [
        {name: L.income, type: "bar", barMaxWidth: 20, data: wan(data.income)},
        {name: L.distributed, type: "bar", barMaxWidth: 20, data: wan(data.distributed)},
        {name: L.cumulative, type: "line", symbolSize: 6, data: wan(data.cumulative)}
      ].concat(holderSeries(index))
    }, {replaceMerge: ["series"]});
  }
  draw(0);
  if (select) select.addEventListener("change", function () { draw(Number(select.value)); });
  window.addEventListener("resize", function () { chart.resize(); });
})();
