// Draws the dashboard charts from the JSON embedded in the page (no inline script: CSP).
(function () {
  'use strict';
  function draw() {
    var node = document.getElementById('dashboard-data');
    if (!node || !window.echarts) { return; }
    var data = JSON.parse(node.textContent);
    function chart(id, option) {
      var el = document.getElementById(id);
      if (!el) { return; }
      var c = window.echarts.init(el);
      c.setOption(option);
      window.addEventListener('resize', function () { c.resize(); });
    }
    chart('chart-funnel', {
      tooltip: { trigger: 'item' },
      series: [{ type: 'funnel', sort: 'none', left: '5%', width: '65%', label: { formatter: '{b}: {c}' },
        data: data.funnel.map(function (r) { return { name: r.label || r.stage, value: r.count }; }) }]
    });
    var t = data.labels || {};
    chart('chart-months', {
      tooltip: { trigger: 'axis' }, legend: { data: [t.projects || '项目数', t.investment || '投资(万元)'] },
      xAxis: { type: 'category', data: data.by_month.map(function (r) { return r.month; }) },
      yAxis: [{ type: 'value', name: t.projects_axis || '项目' }, { type: 'value', name: t.investment_axis || '万元' }],
      series: [
        { name: t.projects || '项目数', type: 'bar', data: data.by_month.map(function (r) { return r.projects; }) },
        { name: t.investment || '投资(万元)', type: 'line', yAxisIndex: 1, data: data.by_month.map(function (r) { return r.investment; }) }
      ]
    });
    chart('chart-platforms', {
      tooltip: { trigger: 'axis' }, grid: { left: 160 },
      xAxis: { type: 'value' }, yAxis: { type: 'category', data: data.by_platform.map(function (r) { return r.name; }) },
      series: [{ type: 'bar', data: data.by_platform.map(function (r) { return r.projects; }) }]
    });
    chart('chart-vacancy', {
      tooltip: { trigger: 'axis' }, grid: { left: 160 },
      xAxis: { type: 'value', name: '%' }, yAxis: { type: 'category', data: data.vacancy.map(function (r) { return r.name; }) },
      series: [{ type: 'bar', data: data.vacancy.map(function (r) { return r.rate; }) }]
    });
  }
  document.addEventListener('DOMContentLoaded', draw);
})();
