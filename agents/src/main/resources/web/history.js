// Roam's history view: GET /api/history every few seconds; for each job its iteration time
// over time with its moves marked (a dashed line per move, "rank from -> to"), for each node
// its available processing over time. The agents keep the points (roam.agent.history).
'use strict';

const HISTORY_EVERY_MS = 3000;

function historySvg(tag, attrs) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

// A line chart of [millis, value] points over [t0, t1]; marks: [{at, label, attrs}] as dashed lines.
function historyChart(points, t0, t1, unit, marks, attrs) {
  const w = 560, h = 150, left = 48, right = 8, top = 10, bottom = 20;
  const svg = historySvg('svg', Object.assign({ width: w, height: h, viewBox: `0 0 ${w} ${h}`,
    'data-points': points.length }, attrs));
  const max = Math.max(1e-9, ...points.map(p => p[1])) * 1.1;
  const x = t => left + (w - left - right) * (t - t0) / Math.max(1, t1 - t0);
  const y = v => top + (h - top - bottom) * (1 - v / max);
  svg.append(historySvg('line', { x1: left, y1: y(0), x2: w - right, y2: y(0), stroke: '#adb5bd' }));
  for (const v of [max / 1.1, max / 2.2]) {
    const label = historySvg('text', { x: left - 4, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#868e96' });
    label.textContent = v >= 100 ? v.toFixed(0) : v.toPrecision(2);
    svg.append(label);
  }
  const unitLabel = historySvg('text', { x: 2, y: top + 4, 'font-size': 10, fill: '#868e96' });
  unitLabel.textContent = unit;
  svg.append(unitLabel);
  for (const t of [t0, t1]) {
    const label = historySvg('text', { x: x(t), y: h - 4, 'text-anchor': t === t0 ? 'start' : 'end', 'font-size': 10,
      fill: '#868e96' });
    label.textContent = new Date(t).toLocaleTimeString();
    svg.append(label);
  }
  for (const m of marks) {
    const line = historySvg('line', Object.assign({ class: 'move', x1: x(m.at), x2: x(m.at), y1: top, y2: y(0),
      stroke: '#e8590c', 'stroke-dasharray': '4 3' }, m.attrs));
    const title = historySvg('title', {});
    title.textContent = m.label;
    line.append(title);
    const text = historySvg('text', { x: x(m.at) + 3, y: top + 10, 'font-size': 10, fill: '#e8590c' });
    text.textContent = m.short;
    svg.append(line, text);
  }
  if (points.length) {
    svg.append(historySvg('polyline', { fill: 'none', stroke: '#1c7ed6', 'stroke-width': 1.5,
      points: points.map(p => x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1)).join(' ') }));
  }
  return svg;
}

function drawHistory(hist) {
  const root = document.createElement('div');
  root.id = 'history';
  const t1 = hist.atMillis;
  let t0 = t1;
  for (const s of [...hist.nodes.map(n => n.available), ...hist.jobs.map(j => j.iterationMs)]) {
    if (s.length) t0 = Math.min(t0, s[0][0]);
  }
  for (const j of hist.jobs) t0 = Math.min(t0, ...j.moves.map(m => m.atMillis), ...(j.resizes || []).map(r => r.atMillis));
  t0 = Math.min(t0, t1 - 60000);
  if (!hist.jobs.length && !hist.nodes.length) root.innerHTML = '<p class="muted">nothing recorded yet</p>';
  for (const j of hist.jobs) {
    const box = document.createElement('div');
    box.className = 'history-job';
    box.dataset.job = j.jobId;
    const title = document.createElement('h4');
    const resizes = j.resizes || [];
    title.textContent = j.jobId + ': iteration time, ' + j.moves.length + ' move(s)'
      + (resizes.length ? ', size ' + [resizes[0].oldSize, ...resizes.map(r => r.newSize)].join(' -> ') : '');
    const marks = j.moves.map(m => ({ at: m.atMillis, short: '#' + m.rank,
      label: 'rank ' + m.rank + ' moved ' + m.from + ' -> ' + m.to + ' at ' + new Date(m.atMillis).toLocaleTimeString(),
      attrs: { 'data-rank': m.rank, 'data-from': m.from, 'data-to': m.to, 'data-at': m.atMillis } }))
      .concat(resizes.map(r => ({ at: r.atMillis, short: r.oldSize + '\u2192' + r.newSize,
        label: 'resized ' + r.oldSize + ' -> ' + r.newSize + ' processes at ' + new Date(r.atMillis).toLocaleTimeString(),
        attrs: { 'data-resize': r.oldSize + '-' + r.newSize, 'data-at': r.atMillis } })));
    box.append(title, historyChart(j.iterationMs, t0, t1, 'ms/it', marks, { class: 'history', 'data-job': j.jobId }));
    root.append(box);
  }
  for (const n of hist.nodes) {
    const box = document.createElement('div');
    box.className = 'history-node-box';
    const title = document.createElement('h4');
    title.textContent = n.host + ': available processing';
    box.append(title, historyChart(n.available.map(p => [p[0], p[1] / 1e9]), t0, t1, 'G upd/s', [],
      { class: 'history-node', 'data-host': n.host }));
    root.append(box);
  }
  document.getElementById('history').replaceWith(root);
  document.body.dataset.historyUpdates = String(Number(document.body.dataset.historyUpdates || 0) + 1);
}

async function refreshHistory() {
  try {
    const r = await fetch('/api/history');
    if (r.ok) drawHistory(await r.json());
  } catch (e) {
    // the agent is away for a moment: the next round tries again
  }
  setTimeout(refreshHistory, HISTORY_EVERY_MS);
}

refreshHistory();
