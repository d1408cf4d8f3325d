// Polls /api/state every second and redraws the charts. window.synthDashboard exposes the charts'
// data to the browser test.
(function () {
  const COLORS = ['#3b82f6', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
  const charts = {};

  function chart(id) {
    if (!charts[id]) {
      charts[id] = new Chart(document.getElementById(id), {
        type: 'line',
        data: { labels: [], datasets: [] },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false,
          spanGaps: true, elements: { point: { radius: 0 } },
          scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { beginAtZero: true } },
          plugins: { legend: { labels: { boxWidth: 10 } } }
        }
      });
    }
    return charts[id];
  }

  // series: name -> function(point) returning a number or null
  function draw(id, points, series) {
    const c = chart(id);
    c.data.labels = points.map(p => new Date(p.t).toLocaleTimeString());
    c.data.datasets = Object.keys(series).map((name, i) => ({
      label: name,
      data: points.map(p => { const v = series[name](p); return v === undefined ? null : v; }),
      borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length], borderWidth: 1.5
    }));
    c.update();
  }

  function keys(points, field) {
    const names = new Set();
    points.forEach(p => Object.keys(p[field] || {}).forEach(k => names.add(k)));
    return [...names].sort();
  }

  function perKey(points, field, pick) {
    const series = {};
    keys(points, field).forEach(k => { series[k] = p => pick((p[field] || {})[k]); });
    return series;
  }

  // A table cell showing the value as text: values from Kafka never become markup.
  function cell(value) {
    const td = document.createElement('td');
    td.textContent = value === undefined || value === null ? '' : String(value);
    return td;
  }

  function seconds(ms) {
    return `${(Number(ms) / 1000).toFixed(1)} s`;
  }

  // Tokens and cost of a request's calls; marked when some tokens were estimated or had no price.
  function spend(r) {
    if (r.tokens === undefined) return '';
    const cost = `$${Number(r.cost_usd).toFixed(4)}`;
    const notes = [];
    if (r.tokens_estimated > 0) notes.push(`${r.tokens_estimated} estimated`);
    if (r.tokens_unpriced > 0) notes.push(`${r.tokens_unpriced} unpriced`);
    if (r.budget_used_pct !== undefined) notes.push(`${Number(r.budget_used_pct).toFixed(1)} % of budget`);
    return `${r.tokens} tok · ${cost}` + (notes.length ? ` (${notes.join(', ')})` : '');
  }

  function requests(rows) {
    const body = document.querySelector('#requests tbody');
    body.replaceChildren();
    rows.forEach(r => {
      // Progress as the ledger counts it: accepted samples for a target of accepted samples,
      // else planned samples whose fate is final.
      const done = r.target === 'accepted' ? r.accepted
        : r.accepted + r.rejected + r.rejected_quality + r.failed + r.surplus;
      const pct = r.requested > 0 ? Math.min(100, 100 * done / r.requested) : 0;
      const tr = document.createElement('tr');
      const progress = document.createElement('td');
      const bar = document.createElement('span');
      bar.className = r.complete ? 'bar done' : 'bar';
      const fill = document.createElement('span');
      fill.style.width = `${Number(pct) || 0}%`;
      bar.appendChild(fill);
      progress.append(bar, ` ${done}/${r.requested}${r.complete ? ' ✓' : ''}`);
      const review = r.review_p50_ms === undefined ? ''
        : `${seconds(r.review_p50_ms)} / ${seconds(r.review_p99_ms)}`;
      tr.append(cell(r.request_id), cell(r.dataset), progress,
        cell(r.planned), cell(r.curated), cell(r.accepted), cell(r.rejected), cell(r.rejected_quality),
        cell(r.relabeled), cell(r.in_review), cell(review), cell(r.surplus), cell(r.failed), cell(r.judged),
        cell(spend(r)));
      body.appendChild(tr);
    });
  }

  // Each dataset's latest indirect evaluation: one row per trained model, and its benchmark.
  function evaluations(rows) {
    const body = document.querySelector('#evaluations tbody');
    body.replaceChildren();
    (rows || []).forEach(e => {
      const tested = e.real_test ? `${e.real_test_size} real texts (${e.real_test})` : '';
      e.scores.forEach(m => {
        const tr = document.createElement('tr');
        tr.append(cell(e.dataset), cell(m.trained_on), cell(m.features), cell(m.train_size),
          cell(Number(m.accuracy).toFixed(3)), cell(Number(m.macro_f1).toFixed(3)), cell(tested), cell(e.evaluated_at));
        body.appendChild(tr);
      });
      if (e.benchmark) {
        const tr = document.createElement('tr');
        tr.append(cell(e.dataset), cell('benchmark ' + e.benchmark.name), cell(''), cell(''), cell(''),
          cell(String(e.benchmark.score)), cell(''), cell(e.evaluated_at));
        body.appendChild(tr);
      }
    });
  }

  let updates = 0;
  // The optional bearer token: given once as #token=..., kept for this tab only and taken out of the
  // address bar, so it is neither sent to the server in a URL nor left in the history.
  const TOKEN_KEY = 'synth-dashboard-token';
  (function takeToken() {
    const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
    if (match) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
      history.replaceState(null, '', window.location.pathname + window.location.search);
    }
  })();

  async function fetchState() {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const response = await fetch('/api/state', {
      cache: 'no-store',
      headers: token ? { Authorization: 'Bearer ' + token } : {}
    });
    if (response.status === 401) {
      throw new Error('this dashboard needs its token: open it as ' + window.location.pathname + '#token=<SYNTH_DASHBOARD_TOKEN>');
    }
    return response.json();
  }

  async function refresh() {
    try {
      const state = await fetchState();
      const pts = state.points;
      draw('chart-samples', pts, {
        generated: p => p.samples_per_s.generated, curated: p => p.samples_per_s.curated,
        rejected: p => p.samples_per_s.rejected, scored: p => p.samples_per_s.scored });
      draw('chart-latency', pts, {
        p50: p => p.llm_latency_ms.p50, p90: p => p.llm_latency_ms.p90, p99: p => p.llm_latency_ms.p99 });
      draw('chart-calls', pts, { 'in flight': p => p.llm_calls.in_flight, limit: p => p.llm_calls.limit });
      draw('chart-tokens', pts, { input: p => p.tokens_per_s.input, output: p => p.tokens_per_s.output });
      draw('chart-rejections', pts, perKey(pts, 'rejections_per_s', v => v));
      draw('chart-cost', pts, perKey(pts, 'cost_per_min', v => v));
      draw('chart-tokens-model', pts, perKey(pts, 'tokens_per_s_by_model', v => v));
      draw('chart-budget', pts, perKey(pts, 'budget_left_pct', v => v));
      draw('chart-faithfulness', pts, perKey(pts, 'datasets', d => d && d.faithfulness_mean));
      draw('chart-vendi', pts, perKey(pts, 'datasets', d => d && d.vendi_score));
      draw('chart-distinct', pts, perKey(pts, 'datasets', d => d && d.distinct_2));
      requests(state.requests);
      evaluations(state.evaluations);
      updates++;
      document.getElementById('status').textContent =
        `live · ${pts.length} samples of history · ${state.requests.length} requests · updated ${new Date().toLocaleTimeString()}`;
    } catch (e) {
      document.getElementById('status').textContent = 'cannot reach the dashboard API: ' + e;
    }
  }

  window.synthDashboard = {
    updates: () => updates,
    // Data points above zero per chart: what the browser test checks.
    nonZeroPoints: () => Object.fromEntries(Object.entries(charts).map(([id, c]) =>
      [id, c.data.datasets.reduce((n, d) => n + d.data.filter(v => v !== null && v > 0).length, 0)])),
    requestRows: () => document.querySelectorAll('#requests tbody tr').length,
    evaluationRows: () => document.querySelectorAll('#evaluations tbody tr').length
  };
  refresh();
  setInterval(refresh, 1000);
})();
