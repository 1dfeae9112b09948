// The Canary dashboard: polls this node's JSON API once a second and draws what it answers.
// Plain JS, no dependencies, no build step. Charts are hand-drawn SVG over a client-side history.
(function () {
  'use strict';
  var POLL_MS = 1000;
  var HISTORY = 180; // samples kept per chart (3 minutes at one a second)
  var TOKEN_KEY = 'canaryAdminToken';
  var history = []; // {at, versions: {name: {rate, errorRate, p50, p95, p99}}}
  var last = { state: null, rollout: null };

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function svgEl(tag, attrs) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function pct(share) { return (Math.round(share * 1000) / 10) + '%'; }
  function clock(ms) { return ms ? new Date(ms).toLocaleTimeString() : '—'; }
  function num(v, digits) { return (typeof v === 'number' && isFinite(v)) ? v.toFixed(digits) : '—'; }

  function getJson(path) {
    return fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' }).then(function (r) {
      if (!r.ok) { throw new Error(path + ': HTTP ' + r.status); }
      return r.json();
    });
  }

  function versionsOf(state, rollout) {
    var plan = rollout && rollout.plan;
    var baseline = (plan && plan.baseline) || state.baseline || '';
    var canary = (state.rollout && state.rollout.canary) || '';
    if (!canary || canary === baseline) {
      canary = Object.keys(state.weights || {}).filter(function (v) { return v !== baseline; })[0] || '';
    }
    return { baseline: baseline, canary: canary };
  }

  function renderMembers(cluster, state) {
    $('node-name').textContent = cluster.node;
    var coordination = cluster.coordinator
      ? cluster.coordinator + ' coordinates in term ' + cluster.term
      : 'no coordinator known (term ' + cluster.term + ', election running?)';
    $('coordination').textContent = coordination + (cluster.failSafe ? ' · ' + cluster.node + ' is FAIL-SAFE: ' + cluster.failSafeReason : '');
    $('coordination').className = cluster.failSafe ? 'warn' : '';
    var body = $('members').tBodies[0];
    body.textContent = '';
    (cluster.nodes || []).forEach(function (m) {
      var tr = el('tr', { 'data-node': m.id });
      var isCoordinator = m.id === cluster.coordinator;
      tr.appendChild(el('td', null, m.id + (m.id === cluster.node ? ' (this node)' : '')));
      tr.appendChild(el('td', null, isCoordinator ? 'coordinator' : 'participant'));
      tr.appendChild(el('td', { 'class': m.reachable ? 'yes' : 'no' }, m.reachable ? 'yes' : 'no'));
      tr.appendChild(el('td', null, m.committedVersion < 0 ? 'never heard' : 'v' + m.committedVersion));
      var flags = [];
      if (m.stale) { flags.push('stale'); }
      if (m.id === cluster.node && cluster.failSafe) { flags.push('fail-safe'); }
      tr.appendChild(el('td', { 'class': flags.length ? 'warn' : 'yes' }, flags.length ? flags.join(', ') : 'current'));
      body.appendChild(tr);
    });
  }

  function renderWeights(state, names) {
    $('state-version').textContent = 'committed v' + state.version + (state.failSafe ? ' · routing fail-safe' : '');
    var box = $('weights');
    box.textContent = '';
    Object.keys(state.weights || {}).sort().forEach(function (v) {
      var share = state.weights[v];
      var row = el('div', { 'class': 'bar' + (v === names.canary ? ' canary' : ''), 'data-version': v });
      row.appendChild(el('span', { 'class': 'name' }, v));
      var track = el('span', { 'class': 'track' });
      track.appendChild(el('span', { 'class': 'fill', style: 'width:' + (share * 100) + '%' }));
      row.appendChild(track);
      row.appendChild(el('span', { 'class': 'pct' }, pct(share)));
      box.appendChild(row);
    });
  }

  function renderRollout(state, status, names) {
    var r = state.rollout || {};
    var steps = r.steps || [];
    var list = $('steps');
    list.textContent = '';
    if (!r.id) {
      $('rollout-summary').textContent = 'No rollout has run. Start one with: canary rollout start --canary v2';
      return;
    }
    var reached = r.phase === 'COMPLETED' ? steps.length : r.stepIndex + 1;
    var failed = r.phase === 'ROLLED_BACK' || r.phase === 'ABORTED';
    $('rollout-summary').textContent = 'Rollout ' + r.id + ': ' + names.baseline + ' → ' + r.canary + ' · step '
      + reached + '/' + steps.length + ' (' + r.percent + '%) · ' + r.phase + (r.reason ? ' · ' + r.reason : '');
    steps.forEach(function (p, i) {
      var cls = i < r.stepIndex || r.phase === 'COMPLETED' ? 'done' : i === r.stepIndex ? (failed ? 'failed' : 'current') : '';
      list.appendChild(el('li', { 'class': cls }, 'step ' + (i + 1) + ': ' + p + '%'));
    });
    var body = $('verdicts').tBodies[0];
    body.textContent = '';
    (status.verdicts || []).slice(-20).reverse().forEach(function (v) {
      var tr = el('tr');
      tr.appendChild(el('td', null, clock(v.at)));
      tr.appendChild(el('td', { 'class': 'decision-' + v.decision }, v.decision));
      tr.appendChild(el('td', null, (v.stepIndex + 1) + '/' + steps.length));
      tr.appendChild(el('td', null, v.reason));
      tr.appendChild(el('td', null, evidence(v.baseline)));
      tr.appendChild(el('td', null, evidence(v.canary)));
      body.appendChild(tr);
    });
  }

  function evidence(s) {
    if (!s) { return '—'; }
    return s.requests + ' req · ' + num(s.errorRate * 100, 2) + '% err · p95 ' + num(s.p95Ms, 1) + ' ms';
  }

  function sample(health, windowMs) {
    var seconds = Math.max(1, (windowMs || 30000) / 1000);
    var out = {};
    Object.keys(health.versions || {}).forEach(function (v) {
      var s = health.versions[v];
      out[v] = { rate: s.requests / seconds, errorRate: s.errorRate, p50: s.p50Ms, p95: s.p95Ms, p99: s.p99Ms };
    });
    history.push({ at: health.at || Date.now(), versions: out });
    if (history.length > HISTORY) { history.shift(); }
  }

  function drawChart(svg, field, names, asPercent) {
    svg.textContent = '';
    var W = 320, H = 120, L = 34, B = 14, T = 6;
    var series = [names.baseline, names.canary].filter(function (v, i, a) { return v && a.indexOf(v) === i; });
    var max = 0;
    history.forEach(function (h) {
      series.forEach(function (v) { var s = h.versions[v]; if (s && isFinite(s[field])) { max = Math.max(max, s[field]); } });
    });
    if (max <= 0) { max = asPercent ? 0.01 : 1; }
    svg.appendChild(svgEl('line', { 'class': 'axis', x1: L, y1: H - B, x2: W, y2: H - B }));
    svg.appendChild(svgEl('line', { 'class': 'axis', x1: L, y1: T, x2: L, y2: H - B }));
    var top = svgEl('text', { x: 2, y: T + 8 });
    top.textContent = asPercent ? num(max * 100, 1) + '%' : num(max, max < 10 ? 1 : 0);
    svg.appendChild(top);
    var zero = svgEl('text', { x: 2, y: H - B });
    zero.textContent = '0';
    svg.appendChild(zero);
    series.forEach(function (v) {
      var points = [];
      history.forEach(function (h, i) {
        var s = h.versions[v];
        if (!s || !isFinite(s[field])) { return; }
        // The newest sample at the right edge; the history fills the width as it grows.
        var x = L + (W - L) * (history.length === 1 ? 1 : i / (history.length - 1));
        var y = (H - B) - (H - B - T) * (s[field] / max);
        points.push(x.toFixed(1) + ',' + y.toFixed(1));
      });
      if (points.length === 1) {
        var xy = points[0].split(',');
        svg.appendChild(svgEl('circle', { 'class': v === names.canary ? 'canary' : 'baseline', cx: xy[0], cy: xy[1], r: 2 }));
      }
      if (points.length) {
        svg.appendChild(svgEl('polyline', { 'class': v === names.canary ? 'canary' : 'baseline', points: points.join(' '), 'data-version': v }));
      }
    });
  }

  function renderCharts(names) {
    drawChart($('chart-rate'), 'rate', names, false);
    drawChart($('chart-errors'), 'errorRate', names, true);
    drawChart($('chart-p50'), 'p50', names, false);
    drawChart($('chart-p95'), 'p95', names, false);
    drawChart($('chart-p99'), 'p99', names, false);
  }

  var windowMs = null;

  function poll() {
    var reads = [getJson('/routing/state'), getJson('/cluster'), getJson('/rollout'), getJson('/health/cluster'),
      windowMs === null ? getJson('/health') : Promise.resolve(null)];
    Promise.all(reads).then(function (r) {
      var state = r[0], cluster = r[1], status = r[2], health = r[3];
      if (r[4]) { windowMs = r[4].windowMs; }
      last.state = state; last.rollout = status;
      var names = versionsOf(state, status);
      renderMembers(cluster, state);
      renderWeights(state, names);
      renderRollout(state, status, names);
      sample(health, windowMs);
      renderCharts(names);
      $('status-line').textContent = 'live · updated ' + clock(Date.now()) + ' · polling every ' + POLL_MS / 1000 + 's';
    }).catch(function (e) {
      // A node that restarts or a network blip is not a page error: say it and keep polling.
      $('status-line').textContent = 'cannot read the node: ' + e.message + ' (retrying)';
    }).then(function () { setTimeout(poll, POLL_MS); });
  }

  function control(action, retried) {
    var headers = { 'Content-Type': 'application/json' };
    var token = sessionStorage.getItem(TOKEN_KEY);
    if (token) { headers.Authorization = 'Bearer ' + token; }
    $('control-result').textContent = action + '…';
    fetch('/rollout/' + action, { method: 'POST', headers: headers, body: '{}' }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
    }).then(function (res) {
      if ((res.status === 401 || res.status === 403) && !retried) {
        var entered = window.prompt('This node needs its admin token to ' + action + ' the rollout:');
        if (entered) {
          sessionStorage.setItem(TOKEN_KEY, entered.trim());
          control(action, true);
          return;
        }
      }
      $('control-result').textContent = res.status === 200 ? action + ': done (state v' + res.body.version + ')'
        : action + ' refused: ' + (res.body.error || 'HTTP ' + res.status);
    }).catch(function (e) {
      $('control-result').textContent = action + ' failed: ' + e.message;
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('button[data-action]'), function (b) {
    b.addEventListener('click', function () { control(b.getAttribute('data-action'), false); });
  });

  // Errors the page hit, as text the browser test reads from the rendered DOM.
  setInterval(function () {
    var box = $('page-errors');
    box.textContent = window.canaryErrors.join('\n');
    box.setAttribute('data-count', String(window.canaryErrors.length));
  }, 250);

  poll();
})();
