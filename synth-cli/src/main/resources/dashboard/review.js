// The review queue: GET /api/review, one sample shown at a time, decisions POSTed as JSON to
// /api/review/decision. Everything from Kafka is set with textContent, never as markup.
// Shortcuts (outside text fields): a accept, r reject (needs a reason), l relabel, e edit, n skip.
(function () {
  const TOKEN_KEY = 'synth-dashboard-token';
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  const $ = id => document.getElementById(id);
  let pending = [];
  let index = 0;

  function headers(json) {
    const h = json ? { 'Content-Type': 'application/json' } : {};
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) h.Authorization = 'Bearer ' + token;
    return h;
  }

  function age(seconds) {
    if (seconds >= 3600) return Math.floor(seconds / 3600) + ' h ' + Math.floor((seconds % 3600) / 60) + ' min';
    if (seconds >= 60) return Math.floor(seconds / 60) + ' min ' + (seconds % 60) + ' s';
    return seconds + ' s';
  }

  function row(body, name, value) {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.textContent = name;
    const td = document.createElement('td');
    td.textContent = value;
    tr.append(th, td);
    body.append(tr);
  }

  function options(select, values) {
    select.replaceChildren(...values.map(v => {
      const o = document.createElement('option');
      o.value = v;
      o.textContent = v;
      return o;
    }));
  }

  function show() {
    const item = pending[index];
    $('current').hidden = !item;
    if (!item) return;
    $('sample-id').textContent = item.sample_id;
    $('request-id').textContent = item.request_id;
    $('sample-dataset').textContent = item.dataset;
    $('waiting').textContent = age(item.waiting_seconds);
    const details = $('details');
    details.replaceChildren();
    row(details, 'why in review', (item.reasons || []).join(', '));
    if (item.blind) row(details, 'audit', item.blind);
    Object.entries(item.conditions || {}).forEach(([k, v]) => row(details, 'condition ' + k, v));
    Object.entries(item.fields || {}).forEach(([k, v]) => row(details, k, v));
    if (item.original_label && item.original_label !== item.label) row(details, 'generated label', item.original_label);
    if (item.judge_score !== undefined) row(details, 'judge', item.judge_score + ' · ' + (item.judge_rationale || ''));
    if (item.condition_adherence !== undefined) row(details, 'condition adherence', item.condition_adherence.toFixed(2));
    if (item.suggested_label) {
      row(details, 'suggested label', item.suggested_label + ' by ' + item.suggested_by
          + (item.label_confidence !== undefined ? ' (confidence ' + item.label_confidence.toFixed(2) + ')' : ''));
    }
    options($('label'), item.labels || []);
    options($('field'), Object.keys(item.fields || {}));
  }

  function showQueue(state) {
    $('queue-size').textContent = String(state.size);
    $('queue-age').textContent = age(state.oldest_seconds);
    const body = $('queue').querySelector('tbody');
    body.replaceChildren(...state.pending.map(item => {
      const tr = document.createElement('tr');
      [item.sample_id, item.dataset, item.request_id, age(item.waiting_seconds), (item.reasons || []).join(', ')]
        .forEach(v => { const td = document.createElement('td'); td.textContent = v; tr.append(td); });
      return tr;
    }));
  }

  async function load() {
    const dataset = $('dataset').value.trim();
    const response = await fetch('/api/review' + (dataset ? '?dataset=' + encodeURIComponent(dataset) : ''),
      { cache: 'no-store', headers: headers(false) });
    if (response.status === 401) {
      $('status').textContent = 'this page needs the dashboard token: open it as /review#token=<SYNTH_DASHBOARD_TOKEN>';
      return;
    }
    const state = await response.json();
    pending = state.pending;
    index = 0;
    showQueue(state);
    show();
    $('status').textContent = 'updated ' + new Date().toLocaleTimeString();
  }

  async function decide(decision) {
    const item = pending[index];
    if (!item) return;
    decision.sample_id = item.sample_id;
    decision.reviewer = $('reviewer').value.trim() || 'dashboard';
    const response = await fetch('/api/review/decision',
      { method: 'POST', headers: headers(true), body: JSON.stringify(decision) });
    const answer = await response.json();
    if (response.ok) {
      await load();
      $('message').textContent = answer.sent + ' sent for ' + item.sample_id;
      window.synthReview.sent.push(item.sample_id);
    } else {
      $('message').textContent = 'refused, nothing sent: ' + (answer.problems || [answer.error]).join('; ');
    }
  }

  $('accept').addEventListener('click', () => decide({ action: 'accept' }));
  $('reject').addEventListener('click', () => decide({ action: 'reject', reason: $('reason').value }));
  $('relabel').addEventListener('click', () => decide({ action: 'relabel', label: $('label').value }));
  $('edit').addEventListener('click', () => decide({ action: 'edit', fields: { [$('field').value]: $('value').value } }));
  $('next').addEventListener('click', () => { index = Math.min(index + 1, pending.length); show(); });
  $('dataset').addEventListener('change', load);
  document.addEventListener('keydown', event => {
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(event.target.tagName) || event.ctrlKey || event.metaKey) return;
    const button = { a: 'accept', r: 'reject', l: 'relabel', e: 'edit', n: 'next' }[event.key];
    if (button) {
      event.preventDefault();
      $(button).click();
    }
  });

  // For the browser test: what was sent, and how many samples the page shows.
  window.synthReview = { sent: [], shown: () => pending.length, reload: load };
  load().catch(e => { $('status').textContent = String(e); });
})();
