/* Dashboard charts of a region and year (ECharts, served locally; no CDN).
 *
 * Data comes from the page's json_script block "dashboard-data" (analytics.views): money as
 * integer fen, scaled here for display only (万元). On the printable page
 * ("print": true) the charts are drawn as SVG without animation, so that they print sharp and at once. */
(function () {
  "use strict";
  // Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML tooltips carry
  // style="…" attributes, which the Content-Security-Policy refuses.
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var L = data.labels;
  var print = data.print === true;
  var colors = ["#b3261e", "#1f5fa8", "#3b7a57", "#d9822b"];
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el, null, {renderer: print ? "svg" : "canvas"});
    option.color = option.color || colors;
    option.animation = !print;
    chart.setOption(option);
    charts.push(chart);
  }
  function wan(fen) { return fen === null ? null : Math.round(fen / 100) / 10000; }
  function fmt(v, digits) {
    if (v === null || v === undefined || isNaN(v)) return "—";
    return Number(v).toLocaleString(undefined, {minimumFractionDigits: digits, maximumFractionDigits: digits});
  }
  // A year too few villages reported is labelled so on the axis and drawn hollow and grey:
  // its figures stand on those villages only (analytics.selectors.trend, "complete").
  var years = data.trend.map(function (row) {
    return row.complete === false ? row.year + "\n(" + L.incomplete + ")" : String(row.year);
  });
  var selected = data.trend.map(function (row) { return row.year; }).indexOf(data.year);
  function points(values) {
    return data.trend.map(function (row, i) {
      if (row.complete !== false) return values[i];
      return {value: values[i], symbol: "emptyCircle", itemStyle: {color: "#9ca3af", opacity: 0.6}};
    });
  }
  var grid = {left: 56, right: 56, top: 48, bottom: 36};
  var legend = {type: "scroll", top: 0, itemGap: 16, textStyle: {color: "#374151"}};
  var mark = selected < 0 ? undefined : {
    silent: true, symbol: "none", label: {show: false},
    lineStyle: {color: "#9ca3af", type: "dashed"}, data: [{xAxis: years[selected]}]
  };

  draw("trend-chart", {
    grid: grid, legend: legend, tooltip: {renderMode: "richText", trigger: "axis"},
    xAxis: {type: "category", data: years},
    yAxis: [
      {type: "value", name: L.wan_yuan, splitLine: {lineStyle: {color: "#eceff3"}}},
      {type: "value", name: L.villages, minInterval: 1, splitLine: {show: false}}
    ],
    series: [
      {name: L.median, type: "line", symbolSize: 7, markLine: mark,
       data: points(data.trend.map(function (row) { return wan(row.median); }))},
      {name: L.weak, type: "bar", yAxisIndex: 1, barMaxWidth: 28, itemStyle: {opacity: 0.75},
       data: points(data.trend.map(function (row) { return row.weak; }))}
    ]
  });

  var withoutReturns = data.trend.some(function (row) { return row.gini_without_returns !== null; });
  var gapSeries = [
    {name: L.gini, type: "line", symbolSize: 7, markLine: mark,
     data: points(data.trend.map(function (row) { return row.gini; }))},
    {name: L.theil_t, type: "line", symbolSize: 7,
     data: points(data.trend.map(function (row) { return row.theil_t; }))}
  ];
  if (withoutReturns) {
    gapSeries.push({name: L.gini_without_returns, type: "line", symbolSize: 7, connectNulls: false,
      lineStyle: {type: "dashed"},
      data: data.trend.map(function (row) { return row.gini_without_returns; })});
  }
  draw("gap-chart", {
    grid: grid, legend: legend,
    tooltip: {renderMode: "richText", trigger: "axis", valueFormatter: function (v) { return fmt(v, 4); }},
    xAxis: {type: "category", data: years},
    yAxis: {type: "value", min: 0, splitLine: {lineStyle: {color: "#eceff3"}}},
    series: gapSeries
  });

  var h = data.histogram;
  var bins = h.counts.map(function (count, i) {
    var low = wan(h.edges[i]), high = wan(h.edges[i + 1]);
    if (i === h.counts.length - 1 && h.open_ended) return "≥ " + fmt(low, 0);
    return fmt(low, 0) + "–" + fmt(high, 0);
  });
  draw("histogram-chart", {
    grid: {left: 48, right: 16, top: 24, bottom: 64},
    tooltip: {renderMode: "richText", trigger: "axis", axisPointer: {type: "shadow"}},
    xAxis: {type: "category", data: bins, name: L.income_bin, nameLocation: "middle", nameGap: 44,
            axisLabel: {rotate: bins.length > 8 ? 30 : 0, fontSize: 11}},
    yAxis: {type: "value", name: L.villages, minInterval: 1, splitLine: {lineStyle: {color: "#eceff3"}}},
    series: [{name: L.villages, type: "bar", barCategoryGap: "8%", data: h.counts}]
  });

  var lz = data.lorenz;
  function pairs(values) { return lz.population.map(function (p, i) { return [p, values[i]]; }); }
  var lorenzSeries = [
    {name: L.equality, type: "line", symbol: "none", lineStyle: {type: "dashed", color: "#9ca3af"},
     itemStyle: {color: "#9ca3af"}, data: [[0, 0], [1, 1]]},
    {name: L.lorenz_without, type: "line", symbol: "none", areaStyle: {opacity: 0.08},
     lineStyle: {color: "#b3261e", width: 2}, itemStyle: {color: "#b3261e"}, data: pairs(lz.without)}
  ];
  if (lz["with"]) {
    lorenzSeries.push({name: L.lorenz_with, type: "line", symbol: "none",
      lineStyle: {color: "#1f5fa8", width: 2}, itemStyle: {color: "#1f5fa8"}, data: pairs(lz["with"])});
  }
  draw("lorenz-chart", {
    color: ["#9ca3af", "#b3261e", "#1f5fa8"],
    grid: {left: 56, right: 24, top: 48, bottom: 48}, legend: legend,
    tooltip: {renderMode: "richText", trigger: "axis", valueFormatter: function (v) { return fmt(v * 100, 1) + "%"; }},
    xAxis: {type: "value", min: 0, max: 1, name: L.population_share, nameLocation: "middle", nameGap: 28,
            axisLabel: {formatter: function (v) { return Math.round(v * 100) + "%"; }}},
    yAxis: {type: "value", min: 0, max: 1, name: L.income_share,
            axisLabel: {formatter: function (v) { return Math.round(v * 100) + "%"; }},
            splitLine: {lineStyle: {color: "#eceff3"}}},
    series: lorenzSeries
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.body.setAttribute("data-charts-drawn", String(charts.length));
})();
