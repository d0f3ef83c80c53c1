// charts.js draws every chart on a page with Apache ECharts. A chart is an
// element with data-chart="<kind>" and data-source="<id>", the id of a
// <script type="application/json"> block holding its data. Labels arrive
// already translated; this file holds no page text.
(function () {
  'use strict';

  var palette = ['#b4232a', '#1f5fa8', '#e39b2d', '#1d7f4e', '#7a4fa3', '#2a9bb4', '#8c6d4f', '#d35f8d', '#5d6b7a'];
  var base = {
    color: palette,
    textStyle: { fontFamily: 'system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif' },
    animation: false
  };

  function merge(a, b) {
    var out = {}, k;
    for (k in a) { out[k] = a[k]; }
    for (k in b) { out[k] = b[k]; }
    return out;
  }

  // targets: horizontal bars, latest value against target per cluster.
  function targets(d) {
    var names = d.names.slice().reverse();
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 6 },
      grid: { left: 8, right: 24, top: 40, bottom: 36, containLabel: true },
      xAxis: { type: 'value', name: d.unit, nameLocation: 'middle', nameGap: 24 },
      yAxis: { type: 'category', data: names, axisLabel: { width: 230, overflow: 'truncate' } },
      series: [
        { name: d.labels[1], type: 'bar', data: d.target.slice().reverse(), itemStyle: { color: '#d9dee5' }, barGap: '-100%', z: 1 },
        { name: d.labels[0], type: 'bar', data: d.latest.slice().reverse(), itemStyle: { color: '#b4232a' }, barWidth: '60%', z: 2 }
      ]
    };
  }

  // combo: categories on x, series as bar or line on one or two value axes.
  function combo(d) {
    var axes = (d.axes || ['']).map(function (name, i) {
      return { type: 'value', name: name, position: i === 0 ? 'left' : 'right', splitLine: { show: i === 0 } };
    });
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 6, type: 'scroll' },
      grid: { left: 12, right: 12, top: 48, bottom: 20, containLabel: true },
      xAxis: { type: 'category', data: d.categories },
      yAxis: axes,
      series: d.series.map(function (s) {
        return { name: s.name, type: s.type || 'line', yAxisIndex: s.axis || 0, data: s.values,
          connectNulls: true, smooth: false, symbolSize: 7, barMaxWidth: 48 };
      })
    };
  }

  // bar: one series of counts by name.
  function bar(d) {
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 16, top: 20, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: d.names.slice().reverse(), axisLabel: { width: 120, overflow: 'truncate' } },
      series: [{ name: d.name, type: 'bar', data: d.values.slice().reverse(), itemStyle: { color: '#1f5fa8' }, barMaxWidth: 28 }]
    };
  }

  // pie: shares by name.
  function pie(d) {
    return {
      tooltip: { trigger: 'item' },
      legend: { bottom: 0, type: 'scroll' },
      series: [{ name: d.name, type: 'pie', radius: ['35%', '65%'], center: ['50%', '45%'], data: d.items,
        label: { formatter: '{b}: {c}' } }]
    };
  }

  // nice rounds x up to one significant step: 32400 → 35000.
  function nice(x) {
    if (!(x > 0)) { return 1; }
    var step = Math.pow(10, Math.floor(Math.log10(x)));
    if (x / step < 3) { step /= 2; }
    return Math.ceil(x / step) * step;
  }

  // budget: money by category as bars (this version, and the published one
  // when given), the running total as a line, the budget as a dashed line.
  function budget(d) {
    var series = [{ name: d.labels[0], type: 'bar', data: d.draft, itemStyle: { color: '#b4232a' }, barMaxWidth: 28 }];
    if (d.published) {
      series.push({ name: d.labels[1], type: 'bar', data: d.published, itemStyle: { color: '#c5ccd6' }, barMaxWidth: 28 });
    }
    var line = { name: d.labels[2], type: 'line', yAxisIndex: 1, data: d.cumulative, symbolSize: 5, itemStyle: { color: '#1f5fa8' } };
    if (d.budget) {
      line.markLine = { symbol: 'none', lineStyle: { color: '#e39b2d', type: 'dashed', width: 2 },
        label: { formatter: d.labels[3] + ' {c}', position: 'insideEndTop' }, data: [{ yAxis: d.budget }] };
    }
    series.push(line);
    var budgetTop = d.budget ? Number(d.budget) * 1.08 : 0;
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 6 },
      grid: { left: 12, right: 24, top: 48, bottom: 20, containLabel: true },
      xAxis: { type: 'category', data: d.names, axisLabel: { interval: 0, rotate: d.names.length > 8 ? 30 : 0 } },
      // Bars on the left axis; the running total and the budget on the
      // right, so that a budget far above the total leaves the bars legible.
      yAxis: [
        { type: 'value', name: d.unit },
        { type: 'value', name: d.labels[2], splitLine: { show: false }, max: function (v) { return nice(Math.max(v.max, budgetTop)); } }
      ],
      series: series
    };
  }

  // chain: an industry chain's links placed by stage (x) and order (y),
  // supply edges as arrows, a sub-segment joined to its link by a dashed
  // line; coloured by the links' verdicts (strong, weak, missing) when the
  // chain is diagnosed, else one colour per stage.
  function chain(d) {
    var colours = ['#1f5fa8', '#b4232a', '#1d7f4e'];
    var cats = d.verdicts ? d.verdicts.map(function (v) { return { name: v.name, itemStyle: { color: v.colour } }; })
      : d.stages.map(function (name, i) { return { name: name, itemStyle: { color: colours[i] } }; });
    return {
      tooltip: { formatter: function (p) { return p.dataType === 'node' ? p.data.name : ''; } },
      legend: { top: 6, data: cats.map(function (c) { return c.name; }) },
      series: [{
        type: 'graph', layout: 'none', roam: true, top: 48, bottom: 24, left: 24, right: 140,
        categories: cats,
        label: { show: true, position: 'right', fontSize: 12, width: 120, overflow: 'truncate' },
        edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 7,
        data: d.nodes.map(function (n) {
          return { id: n.id, name: n.name, x: n.x, y: n.y, category: d.verdicts ? n.verdict : n.stage, symbolSize: n.sub ? 9 : 15 };
        }),
        links: d.edges.map(function (e) {
          return e.part ? { source: e.from, target: e.to, symbol: ['none', 'none'], lineStyle: { type: 'dashed', color: '#9aa5b1' } }
            : { source: e.from, target: e.to, lineStyle: { color: '#5d6b7a', opacity: 0.6, curveness: 0.15 } };
        })
      }]
    };
  }

  // esc makes text safe inside a tooltip's HTML.
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  // blocks: the industrial blocks as a map, from a GeoJSON FeatureCollection
  // registered under d.name (each feature named by its block's code),
  // coloured by each block's value on a scale from 0 to d.max; a block of
  // unknown value stays grey. A schematic layout says so in the map's
  // title (d.note). Each item carries the page its click opens (href).
  function blocks(d) {
    echarts.registerMap(d.name, d.geo);
    var opt = {
      tooltip: { trigger: 'item', formatter: function (p) {
        if (!p.data) { return esc(p.name); }
        return esc(p.data.label) + '<br>' + esc(d.metric) + ': ' + esc(p.data.text);
      } },
      visualMap: { type: 'continuous', min: 0, max: Number(d.max) > 0 ? Number(d.max) : 1, text: [d.high, d.low], calculable: false,
        orient: 'horizontal', left: 'center', bottom: 6, itemHeight: 140, textStyle: { color: '#1d2733' },
        inRange: { color: ['#dbe7f6', '#6f9fd8', '#1f4f8f'] } },
      series: [{
        type: 'map', map: d.name, roam: true, top: d.note ? 40 : 16, bottom: 56, selectedMode: false,
        label: { show: false }, emphasis: { label: { show: false }, itemStyle: { areaColor: '#e39b2d' } },
        itemStyle: { areaColor: '#eef2f7', borderColor: '#5d6b7a', borderWidth: 0.5 },
        data: d.items.map(function (it) {
          return { name: it.name, value: it.value === null ? '-' : Number(it.value), label: it.label, text: it.text, href: it.href };
        })
      }]
    };
    if (d.note) {
      opt.title = { text: d.note, left: 8, top: 8, textStyle: { fontSize: 13, fontWeight: 600, color: '#5c3d00' } };
    }
    return opt;
  }

  var kinds = { targets: targets, combo: combo, bar: bar, pie: pie, budget: budget, chain: chain, blocks: blocks };

  function draw(el) {
    var src = document.getElementById(el.getAttribute('data-source'));
    var make = kinds[el.getAttribute('data-chart')];
    if (!src || !make || typeof echarts === 'undefined') { return; }
    var data = JSON.parse(src.textContent);
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption(merge(base, make(data)));
    // A chart whose nodes stand for parts of the page opens them.
    if (data.linkHash) {
      chart.on('click', function (p) {
        if (p.dataType === 'node') { window.location.hash = data.linkHash + p.data.id; }
      });
    }
    // A chart whose items stand for pages opens them (the blocks' map).
    chart.on('click', function (p) {
      if (p.data && p.data.href) { window.location.href = p.data.href; }
    });
    el.setAttribute('data-rendered', 'true');
    // Follow the box, not only the window: a phone's rotation, a column
    // layout that changes at a breakpoint or a panel that opens.
    if (typeof ResizeObserver !== 'undefined') {
      new ResizeObserver(function () { chart.resize(); }).observe(el);
    } else {
      window.addEventListener('resize', function () { chart.resize(); });
    }
  }

  function start() {
    var els = document.querySelectorAll('[data-chart]');
    for (var i = 0; i < els.length; i++) { draw(els[i]); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
