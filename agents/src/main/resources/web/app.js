// Roam's live cluster view: one server-sent event ("cluster") per interval from /api/events
// carries the nodes, the jobs and the migrations; the page redraws from it, never reloads.
'use strict';

const palette = ['#1c7ed6', '#2f9e44', '#e8590c', '#9c36b5', '#0c8599', '#c2255c', '#5c940d', '#e67700'];
const hostColors = new Map();

function colorOf(host) {
  if (!hostColors.has(host)) hostColors.set(host, palette[hostColors.size % palette.length]);
  return hostColors.get(host);
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k === 'style') e.style.cssText = v; else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c instanceof Node ? c : String(c));
  return e;
}

function svgEl(tag, attrs) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function fmt(x, digits = 1) {
  return x == null || x < 0 || Number.isNaN(x) ? '-' : Number(x).toFixed(digits);
}

function bar(share, cls) {
  const pct = Math.max(0, Math.min(1, share || 0)) * 100;
  return el('div', { class: 'bar ' + (cls || '') }, el('div', { style: 'width:' + pct.toFixed(1) + '%' }));
}

function migratingRanks(migrations) {
  const s = new Set();
  for (const m of migrations) if (!m.finished) s.add(m.jobId + '/' + m.rank);
  return s;
}

function nodeCard(n, migrating) {
  const host = n.node.host;
  const cls = 'node' + (n.reachable ? '' : ' down') + (n.drained ? ' drained' : '');
  const card = el('div', { class: cls, 'data-host': host, 'data-address': n.node.address });
  card.append(el('h4', {}, el('i', { style: 'color:' + colorOf(host) }, '\u25CF '), host));
  const tags = el('div', { class: 'tags' });
  if (n.manager) tags.append(el('span', {}, 'manager'));
  if (!n.reachable) tags.append(el('span', {}, 'unreachable'));
  if (n.drained) tags.append(el('span', {}, 'drained'));
  tags.append(el('span', {}, n.slots + ' slots'));
  card.append(tags);
  const p = n.profile;
  if (p) {
    const kv = el('div', { class: 'kv' });
    kv.append(el('span', {}, 'load'), el('span', {},
      fmt(p.utilization * p.cpuLimit, 2) + ' of ' + fmt(p.cpuLimit, 2) + ' cores'));
    card.append(kv, bar(p.utilization, 'load'));
    const kv2 = el('div', { class: 'kv' });
    kv2.append(el('span', {}, 'available'), el('span', {},
      fmt(p.available / 1e9, 2) + ' G updates/s (' + fmt(100 * Math.min(1, p.available / (p.speedPerCore * p.cpuLimit)), 0) + ' %)'));
    card.append(kv2, bar(p.available / (p.speedPerCore * p.cpuLimit)));
  }
  const ranks = el('div', { class: 'ranks' });
  const procs = [...n.processes].sort((a, b) => a.jobId.localeCompare(b.jobId) || a.rank - b.rank);
  for (const pr of procs) {
    const moving = migrating.has(pr.jobId + '/' + pr.rank);
    ranks.append(el('span', {
      class: 'rank' + (moving ? ' migrating' : '') + (pr.stalled ? ' stalled' : ''), 'data-job': pr.jobId,
      'data-rank': pr.rank,
      title: pr.jobId + ' rank ' + pr.rank + ', pid ' + pr.pid + ', moves ' + pr.moves
        + (pr.stalled ? '\nSTALLED ' + pr.stalled : ''),
      style: 'background:' + colorOf(host),
    }, pr.jobId + ' #' + pr.rank));
  }
  if (!procs.length) ranks.append(el('span', { class: 'muted' }, 'no processes'));
  card.append(ranks);
  return card;
}

function drawNodes(nodes, migrations) {
  const byCluster = new Map();
  for (const n of nodes) {
    const c = n.node.cluster;
    if (!byCluster.has(c)) byCluster.set(c, []);
    byCluster.get(c).push(n);
  }
  const migrating = migratingRanks(migrations);
  const root = el('div', { id: 'clusters' });
  for (const [c, ns] of [...byCluster.entries()].sort()) {
    const box = el('div', { class: 'cluster', 'data-cluster': c }, el('h3', {}, 'cluster ' + c));
    const list = el('div', { class: 'nodes' });
    for (const n of ns) list.append(nodeCard(n, migrating));
    box.append(list);
    root.append(box);
  }
  document.getElementById('clusters').replaceWith(root);
}

// The communication graph of a job: ranks on a circle, coloured by node, edges as thick as
// the bytes sent between the two ranks (both directions added).
function jobGraph(job) {
  const size = 260, r = 95, c = size / 2;
  const svg = svgEl('svg', { width: size, height: size, viewBox: `0 0 ${size} ${size}`, 'data-job': job.jobId });
  const n = Math.max(job.size, job.ranks.length, 1);
  const pos = new Map();
  job.ranks.forEach(rk => {
    const a = -Math.PI / 2 + 2 * Math.PI * rk.rank / n;
    pos.set(rk.rank, [c + r * Math.cos(a), c + r * Math.sin(a)]);
  });
  const pair = new Map();
  for (const e of job.edges) {
    const k = Math.min(e.from, e.to) + '-' + Math.max(e.from, e.to);
    pair.set(k, (pair.get(k) || 0) + e.bytes);
  }
  const max = Math.max(1, ...pair.values());
  for (const [k, bytes] of pair) {
    const [a, b] = k.split('-').map(Number);
    if (!pos.has(a) || !pos.has(b)) continue;
    const [x1, y1] = pos.get(a), [x2, y2] = pos.get(b);
    const line = svgEl('line', { x1, y1, x2, y2, stroke: '#868e96', 'stroke-width': (1 + 7 * bytes / max).toFixed(2),
      'stroke-opacity': 0.7, 'data-edge': k });
    const t = svgEl('title', {}); t.textContent = `rank ${a} <-> rank ${b}: ${(bytes / 1e6).toFixed(1)} MB`;
    line.append(t);
    svg.append(line);
  }
  for (const rk of job.ranks) {
    const [x, y] = pos.get(rk.rank);
    const g = svgEl('g', { class: 'graph-rank', 'data-rank': rk.rank, 'data-host': rk.host });
    g.append(svgEl('circle', { cx: x, cy: y, r: 16, fill: colorOf(rk.host) }));
    const label = svgEl('text', { x, y: y + 4, 'text-anchor': 'middle', fill: '#fff', 'font-size': 12 });
    label.textContent = rk.rank;
    const t = svgEl('title', {});
    t.textContent = `rank ${rk.rank} on ${rk.host}, ${rk.iterations} iterations, ${fmt(rk.iterationMs, 2)} ms/iteration`;
    g.append(label, t);
    svg.append(g);
  }
  return svg;
}

function drawJobs(jobs) {
  const root = el('div', { id: 'jobs' });
  if (!jobs.length) root.append(el('p', { class: 'muted' }, 'no job is running'));
  for (const job of jobs) {
    const box = el('div', { class: 'job', 'data-job': job.jobId, 'data-size': job.size });
    const left = el('div', {}, el('h4', {}, job.jobId + ' (' + job.size + ' ranks)'));
    // a reconfiguration that made no progress within libpcm's bound: the job is about to end
    if (job.stalled && job.stalled.length) {
      box.classList.add('stalled');
      const why = el('div', { class: 'stall' }, el('b', {}, 'STALLED: the reconfiguration made no progress; libpcm ends the job'));
      for (const d of job.stalled) why.append(el('div', {}, d));
      left.append(why);
    }
    const hosts = [...new Set(job.ranks.map(r => r.host))].sort();
    const legend = el('div', { class: 'legend' });
    for (const h of hosts) legend.append(el('span', {}, el('i', { style: 'background:' + colorOf(h) }), h));
    const t = el('table', {}, el('tr', {}, ...['rank', 'node', 'moves', 'iterations', 'ms/it', 'local MB', 'remote MB']
      .map(h => el('th', h === 'node' ? { class: 'l' } : {}, h))));
    for (const rk of job.ranks) {
      let remote = 0;
      for (const [h, b] of Object.entries(rk.bytesByNode || {})) if (h !== rk.host) remote += b;
      t.append(el('tr', {}, el('td', {}, rk.rank), el('td', { class: 'l' }, rk.host), el('td', {}, rk.moves),
        el('td', {}, rk.iterations), el('td', {}, fmt(rk.iterationMs, 2)), el('td', {}, fmt(rk.localBytes / 1e6)),
        el('td', {}, fmt(remote / 1e6))));
    }
    left.append(legend, t);
    box.append(left, jobGraph(job));
    root.append(box);
  }
  document.getElementById('jobs').replaceWith(root);
}

function drawMigrations(migrations) {
  const body = el('tbody');
  if (!migrations.length) {
    body.append(el('tr', {}, el('td', { class: 'l muted', colspan: 14 }, 'no migration yet')));
  }
  for (const m of migrations) {
    const ms = m.phaseMillis || {};
    const started = new Date(m.startedAtMillis).toLocaleTimeString();
    const running = m.finished ? '' : ' (' + ((Date.now() - m.startedAtMillis) / 1000).toFixed(1) + ' s)';
    const last = m.events.length ? m.events[m.events.length - 1] : null;
    // while the state moves, the last TRANSFER event says "<sent> of <total> bytes"
    const moved = last && last.phase === 'TRANSFER' ? /^(\d+) of (\d+) bytes$/.exec(last.detail) : null;
    const share = moved && Number(moved[2]) > 0 ? ' ' + Math.round(100 * Number(moved[1]) / Number(moved[2])) + ' %' : '';
    body.append(el('tr', { class: m.phase + (m.finished ? '' : ' live'), 'data-migration': m.id,
        'data-job': m.jobId, 'data-rank': m.rank, 'data-phase': m.phase, title: last ? last.detail : '' },
      el('td', { class: 'l' }, m.jobId), el('td', {}, m.rank), el('td', { class: 'l' }, m.source),
      el('td', { class: 'l' }, m.target), el('td', { class: 'l' }, m.phase + share + running), el('td', {}, started),
      ...['decide', 'spawn', 'merge', 'transfer', 'resume', 'total'].map(p => el('td', {}, ms[p] == null ? '' : fmt(ms[p]) + ' ms')),
      el('td', {}, m.stateBytes ? fmt(m.stateBytes / 1e6) + ' MB' : ''),
      el('td', { class: 'l effect' + (m.effect ? ' ' + m.effect.verdict : ''), 'data-effect': m.effect ? m.effect.verdict : '' },
        m.effect ? m.effect.text : (m.phase === 'DONE' ? 'measuring' : ''))));
  }
  document.querySelector('#migrations tbody').replaceWith(body);
}

function render(s) {
  document.getElementById('agent').textContent = 'asked ' + s.askedAgent;
  document.getElementById('updated').textContent = 'updated ' + new Date(s.atMillis).toLocaleTimeString();
  drawNodes(s.nodes, s.migrations);
  drawJobs(s.jobs);
  drawMigrations(s.migrations);
  document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
}

function connect() {
  const live = document.getElementById('live');
  const source = new EventSource('/api/events');
  source.addEventListener('cluster', ev => {
    live.textContent = 'live';
    live.className = 'badge on';
    render(JSON.parse(ev.data));
  });
  source.onerror = () => {
    live.textContent = 'reconnecting';
    live.className = 'badge off';
  };
}

connect();
