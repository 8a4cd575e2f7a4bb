'use strict';
// LineWatch dashboard: one page, live over Server-Sent Events (/api/events), commands through the JSON API.

const $ = (selector, root = document) => root.querySelector(selector);
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
};
const svg = (tag, attributes) => {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
};

let state = null;
const alerts = new Map();
const tiles = new Map();
let view = { name: 'overview', camera: null };

async function api(path, body) {
  const options = body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-LineWatch': '1' }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  const json = response.headers.get('content-type')?.includes('json') ? await response.json() : null;
  if (!response.ok) throw new Error(json?.error ?? `${response.status} ${response.statusText}`);
  return json;
}

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  view = parts[0] === 'camera' && parts[1] ? { name: 'camera', camera: decodeURIComponent(parts[1]) }
    : { name: ['health', 'history'].includes(parts[0]) ? parts[0] : 'overview', camera: null };
  for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== view.name;
  for (const link of document.querySelectorAll('nav a')) link.classList.toggle('active', link.dataset.view === view.name);
  render();
  if (view.name === 'camera') { shown.camera = 50; refreshChart(); refreshVersions(); }
  if (view.name === 'history') { cameraChoices(); refreshSummary(); searchHistory(0); }
}

function render() {
  if (!state) return;
  $('#agent').textContent = `${state.agent} · v${state.version}`;
  const mqtt = $('#mqtt');
  mqtt.textContent = state.mqtt.connected ? 'MQTT connected' : 'MQTT disconnected';
  mqtt.className = `pill ${state.mqtt.connected ? 'ok' : 'bad'}`;
  if (view.name === 'overview') renderOverview();
  if (view.name === 'camera') renderCamera();
  if (view.name === 'health') renderHealth();
}

const fixed = (value, digits = 2) => value === null || value === undefined ? '–' : Number(value).toFixed(digits);
const time = iso => iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : '–';
const duration = alert => {
  const seconds = ((alert.ended ? new Date(alert.ended) : new Date()) - new Date(alert.started)) / 1000;
  return seconds < 90 ? `${seconds.toFixed(0)} s` : `${(seconds / 60).toFixed(1)} min`;
};

function scoreBar(camera) {
  const top = Math.max(2 * state.threshold, 1);
  const fill = el('div', { class: `fill${camera.score >= state.threshold ? ' high' : ''}` });
  fill.style.width = `${Math.min(100, 100 * (camera.score ?? 0) / top)}%`;
  const threshold = el('div', { class: 'threshold', title: `threshold ${state.threshold}` });
  threshold.style.left = `${100 * state.threshold / top}%`;
  return el('div', { class: 'scorebar' }, fill, threshold);
}

/** A picture that refreshes itself (twice a second, only when the camera has a new one) with the anomaly map laid over it. */
class LivePicture {
  constructor(container, name) {
    this.name = name;
    this.image = el('img', { alt: `${name} live picture` });
    this.canvas = el('canvas');
    this.placeholder = el('div', { class: 'none' }, 'no picture yet');
    this.loading = false;
    this.shown = 0;
    this.image.addEventListener('load', () => { this.loading = false; this.placeholder.hidden = true; this.draw(); });
    this.image.addEventListener('error', () => { this.loading = false; });
    container.append(this.image, this.canvas, this.placeholder);
  }
  update(camera, overlay) {
    this.camera = camera;
    this.overlay = overlay;
    if (camera.picture > 0 && camera.picture !== this.shown && !this.loading) {
      this.loading = true;
      this.shown = camera.picture;
      this.image.src = `/api/cameras/${encodeURIComponent(this.name)}/frame.jpg?p=${camera.picture}`;
    }
    this.draw();
  }
  draw() {
    const canvas = this.canvas, box = canvas.getBoundingClientRect();
    canvas.width = box.width; canvas.height = box.height;
    const context = canvas.getContext('2d');
    context.clearRect(0, 0, canvas.width, canvas.height);
    const map = this.camera?.map ?? [];
    const grid = Math.round(Math.sqrt(map.length));
    if (!this.overlay || grid === 0 || !this.image.naturalWidth) return;
    const scale = Math.min(box.width / this.image.naturalWidth, box.height / this.image.naturalHeight);
    const width = this.image.naturalWidth * scale, height = this.image.naturalHeight * scale;
    const left = (box.width - width) / 2, top = (box.height - height) / 2;
    for (let i = 0; i < map.length; i++) {
      const alpha = Math.max(0, Math.min(0.6, (map[i] - 0.5) * 0.6));
      if (alpha <= 0) continue;
      context.fillStyle = `rgba(239, 83, 80, ${alpha})`;
      context.fillRect(left + (i % grid) * width / grid, top + Math.floor(i / grid) * height / grid, width / grid, height / grid);
    }
  }
}

function renderOverview() {
  const container = $('#tiles');
  for (const camera of state.cameras) {
    let tile = tiles.get(camera.name);
    if (!tile) {
      const picture = el('div', { class: 'picture' });
      const node = el('a', { class: 'tile', href: `#/camera/${encodeURIComponent(camera.name)}`, 'data-camera': camera.name },
        el('div', { class: 'tile-head' }, el('span', { class: 'name' }, camera.name), el('span', { class: 'badge' })), picture,
        el('div', { class: 'bar' }), el('div', { class: 'tile-foot' }, el('span', { class: 'score' }), el('span', { class: 'fps' })));
      tile = { node, picture: new LivePicture(picture, camera.name) };
      tiles.set(camera.name, tile);
      container.append(node);
    }
    tile.node.classList.toggle('anomaly', camera.state === 'anomaly');
    const badge = $('.badge', tile.node);
    badge.textContent = camera.state;
    badge.className = `badge ${camera.state}`;
    $('.bar', tile.node).replaceChildren(scoreBar(camera));
    $('.score', tile.node).textContent = `score ${fixed(camera.score)} / ${fixed(state.threshold, 1)}`;
    $('.fps', tile.node).textContent = `${fixed(camera.analysis_fps, 1)} fps analysed`;
    tile.picture.update(camera, true);
  }
  // A camera taken out of the configuration leaves the list.
  for (const [name, tile] of tiles) {
    if (state.cameras.some(c => c.name === name)) continue;
    tile.node.remove();
    tiles.delete(name);
  }
  renderAlerts($('#recent-alerts tbody'), null);
}

let cameraPicture = null, regionEditor = null;
function renderCamera() {
  const camera = state.cameras.find(c => c.name === view.camera);
  if (!camera) { $('#camera-name').textContent = `unknown camera ${view.camera}`; return; }
  if (!cameraPicture || cameraPicture.name !== camera.name) {
    $('#camera .picture').replaceChildren();
    $('#regions-panel').hidden = true;
    cameraPicture = new LivePicture($('#camera .picture'), camera.name);
    regionEditor = new RegionEditor($('#camera .picture'), camera.name);
  }
  cameraPicture.update(camera, $('#overlay-toggle').checked);
  regionEditor.draw();
  $('#camera-name').textContent = camera.name;
  const badge = $('#camera-badge');
  badge.textContent = camera.state;
  badge.className = `badge ${camera.state}`;
  $('#camera-score').textContent = `score ${fixed(camera.score)} (threshold ${fixed(state.threshold, 1)})`;
  $('#enable-button').textContent = camera.enabled ? 'Switch analysis off' : 'Switch analysis on';
  $('#learn-button').textContent = camera.learning.active ? `Stop learning (${camera.learning.windows} windows)` : 'Learn normal';
  $('#learning-info').textContent = camera.learning.last_outcome ? `Last learning: ${camera.learning.last_outcome}` : '';
  // The scorer loaded another version (a rollback, a learn, feedback, or the CLI): the panel follows.
  if (camera.profile?.version !== versions.scoring || camera.name !== versions.camera) refreshVersions();
  renderAlerts($('#camera-alerts tbody'), camera.name);
}

// The camera's profile versions, newest first: the current one marked, the others with a button to bring them back.
const versions = { camera: null, scoring: undefined, compared: null };
async function refreshVersions() {
  if (view.name !== 'camera' || !state) return;
  const name = view.camera;
  versions.camera = name;
  versions.scoring = state.cameras.find(c => c.name === name)?.profile?.version;
  let list;
  try { list = await api(`/api/cameras/${encodeURIComponent(name)}/profile`); } catch (error) { message(error.message, true); return; }
  const threshold = v => `${fixed(v.calibration.local_threshold, 3)} / ${fixed(v.calibration.motion_threshold, 3)} / ${fixed(v.calibration.speed_threshold, 3)} / ${fixed(v.calibration.lighting_threshold, 3)} / ${fixed(v.calibration.shift_threshold, 3)} / ${fixed(v.calibration.pattern_threshold, 3)}`;
  $('#profile-none').hidden = list.versions.length > 0;
  $('#profile-versions').hidden = list.versions.length === 0;
  $('#profile-versions tbody').replaceChildren(...list.versions.map(v => el('tr', { 'data-version': String(v.id), class: v.id === list.current ? 'current' : '' },
    el('td', {}, String(v.id)), el('td', {}, new Date(v.created).toLocaleString([], { hour12: false })), el('td', {}, v.source.replace('_', ' ')),
    el('td', {}, v.by), el('td', {}, String(v.windows)), el('td', {}, threshold(v)), el('td', { class: 'muted' }, v.detail),
    el('td', {}, v.id === list.current ? 'current' : el('span', {},
      el('button', { class: 'compare', onclick: () => compareVersions(name, v.id, list.current) }, 'Compare with current'), ' ',
      el('button', { class: 'rollback', onclick: () => rollback(name, v.id) }, 'Roll back to this'))))));
  // A comparison with a version that is no longer current (or of another camera) would mislead: it goes.
  if (versions.compared !== `${name}:${list.current}`) $('#profile-compare').hidden = true;
}

// Two versions side by side, the fields that differ marked: what a rollback to the older one would change.
async function compareVersions(name, a, b) {
  let result;
  try { result = await api(`/api/cameras/${encodeURIComponent(name)}/profile/compare?a=${a}&b=${b}`); } catch (error) { message(error.message, true); return; }
  versions.compared = `${name}:${b}`;
  $('#profile-compare-title').textContent = `Version ${a} against version ${b} (current)`;
  $('#profile-compare-a').textContent = `version ${a}`;
  $('#profile-compare-b').textContent = `version ${b}`;
  const change = f => f.relative_change === null || f.relative_change === undefined ? '' : `${f.relative_change >= 0 ? '+' : ''}${(100 * f.relative_change).toFixed(1)}%`;
  $('#profile-compare tbody').replaceChildren(...result.fields.map(f => el('tr', { 'data-field': f.field, class: f.differs ? 'differs' : '' },
    el('td', {}, f.field.replaceAll('_', ' ')), el('td', {}, f.a), el('td', {}, f.b), el('td', {}, change(f)))));
  $('#profile-compare').hidden = false;
}

async function rollback(name, version) {
  try {
    const result = await api(`/api/cameras/${encodeURIComponent(name)}/profile`, { action: 'rollback', version });
    message(`Rolled back: ${result.detail}.`);
    refreshVersions();
  } catch (error) { message(error.message, true); }
}

// A wrong "false alarm": the profile goes back to the version before that feedback, and the alert is unreviewed again.
async function undoFalseAlarm(alert) {
  try {
    const result = await api(`/api/cameras/${encodeURIComponent(alert.camera)}/profile`, { action: 'undo_feedback', alert_id: alert.id });
    message(`False alarm undone: ${result.detail}.`);
    refreshVersions();
    if (view.name === 'history') { searchHistory(history.offset); refreshSummary(); }
  } catch (error) { message(error.message, true); }
}

// How many alerts each table shows: the newest 50, and 50 more each time the operator asks for older ones.
const shown = { all: 50, camera: 50 };
const byStart = (a, b) => new Date(b.started) - new Date(a.started);

function renderAlerts(body, camera) {
  const list = [...alerts.values()].filter(a => !camera || a.camera === camera).sort(byStart).slice(0, camera ? shown.camera : shown.all);
  body.replaceChildren(...list.map(alert => alertRow(alert)));
}

// One alert as a table row, with the operator's buttons while it still needs them.
function alertRow(alert, withDate = false) {
  const status = alert.verdict === 'false_alarm' ? 'false alarm' : alert.verdict === 'confirmed' ? 'confirmed'
    : alert.active ? 'active' : alert.acknowledged ? 'acknowledged' : 'ended';
  const actions = el('td', {});
  if (alert.clip) actions.append(el('button', { class: 'play-clip', onclick: () => playClip(alert) }, 'Play clip'));
  if (!alert.acknowledged) actions.append(el('button', { class: 'ack', onclick: () => feedback(alert.id, 'acknowledged') }, 'Acknowledge'));
  if (alert.verdict === 'false_alarm') actions.append(el('button', { class: 'undo-false-alarm', onclick: () => undoFalseAlarm(alert) }, 'Undo false alarm'));
  if (!alert.verdict) {
    actions.append(el('button', { class: 'false-alarm danger', onclick: () => feedback(alert.id, 'false_alarm') }, 'False alarm'),
      el('button', { class: 'confirm', onclick: () => feedback(alert.id, 'confirmed') }, 'Confirm'));
  }
  return el('tr', { 'data-alert': alert.id, class: `alert-row ${status.replace(' ', '-')}` },
    el('td', {}, alert.snapshot ? el('img', { class: 'thumb', src: alert.snapshot, alt: 'snapshot' }) : ''),
    el('td', {}, alert.camera), el('td', {}, withDate ? new Date(alert.started).toLocaleString([], { hour12: false }) : time(alert.started)), el('td', {}, duration(alert)), el('td', {}, fixed(alert.peak)),
    el('td', {}, alert.severity), el('td', { class: 'status' }, status), actions);
}

// The History view: the filter form's query (times as the browser's local time, sent as ISO 8601), a page of 50 at a time.
const history = { offset: 0, total: 0 };
function historyQuery() {
  const form = new FormData($('#history-filter'));
  const query = new URLSearchParams();
  for (const [key, value] of form) {
    if (!value) continue;
    query.set(key, key === 'from' || key === 'to' ? new Date(value).toISOString() : value);
  }
  return query;
}

async function searchHistory(offset) {
  const query = historyQuery();
  $('#history-csv').href = `/api/alerts.csv?${query}`;
  query.set('limit', '50');
  query.set('offset', String(offset));
  try {
    const response = await fetch(`/api/alerts?${query}`);
    const json = await response.json();
    if (!response.ok) throw new Error(json.error);
    history.offset = offset;
    history.total = Number(response.headers.get('X-Total-Count'));
    $('#history-alerts tbody').replaceChildren(...json.map(alert => alertRow(alert, true)));
    $('#history-count').textContent = history.total === 0 ? 'No alerts match.' : `Alerts ${offset + 1}–${offset + json.length} of ${history.total}, newest first.`;
    $('#history-newer').disabled = offset === 0;
    $('#history-older').disabled = offset + 50 >= history.total;
  } catch (error) { $('#history-count').textContent = error.message; }
}

function cameraChoices() {
  const select = $('#history-filter select[name=camera]');
  if (!state || select.options.length > 1) return;
  select.append(...state.cameras.map(c => el('option', { value: c.name }, c.name)));
}

async function refreshSummary() {
  if (view.name !== 'history') return;
  let summary;
  try { summary = await api('/api/summary'); } catch { return; }
  const day = iso => new Date(iso).toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' });
  const rows = [];
  for (const [shift, label] of [[summary.current, 'now'], [summary.previous, 'previous']]) {
    for (const c of shift.cameras) {
      rows.push(el('tr', { 'data-shift': label, 'data-camera': c.camera },
        el('td', {}, `${day(shift.start)} ${shift.shift} (${label})`), el('td', {}, c.camera), el('td', { class: 'alerts' }, String(c.alerts)),
        el('td', {}, String(c.critical)), el('td', { class: 'confirmed' }, String(c.confirmed)), el('td', { class: 'false-alarms' }, String(c.false_alarms)),
        el('td', {}, String(c.unreviewed)), el('td', { class: 'uptime' }, `${(100 * c.uptime_ratio).toFixed(c.uptime_ratio < 0.1 ? 1 : 0)} %`)));
    }
  }
  $('#shift-summary tbody').replaceChildren(...rows);
}

// The next page from the history (which survives restarts): alerts that started no later than the oldest one shown.
async function olderAlerts(camera) {
  const list = [...alerts.values()].filter(a => !camera || a.camera === camera).sort(byStart);
  const count = camera ? shown.camera : shown.all;
  const query = new URLSearchParams({ limit: '50' });
  if (camera) query.set('camera', camera);
  if (list.length >= count) query.set('to', list[count - 1].started);
  try {
    for (const alert of await api(`/api/alerts?${query}`)) alerts.set(alert.id, alert);
    if (camera) shown.camera += 50; else shown.all += 50;
    render();
  } catch (error) { message(error.message, true); }
}

// The alert's event clip (H.264 MP4, from the pre-roll before it to the post-roll after it) in a player over the page.
function playClip(alert) {
  const dialog = $('#clip-dialog');
  $('#clip-title').textContent = `${alert.camera} · ${time(alert.started)} · peak ${fixed(alert.peak)}`;
  const video = $('#clip-video');
  video.src = alert.clip;
  dialog.showModal();
  video.play().catch(() => { /* the operator presses play */ });
}

async function feedback(id, verdict) {
  try {
    await api(`/api/alerts/${encodeURIComponent(id)}/feedback`, { verdict });
    message(verdict === 'false_alarm' ? 'Marked a false alarm: the camera now counts this situation as normal.' : `Alert ${verdict}.`);
    if (verdict === 'false_alarm') refreshVersions();
    if (view.name === 'history') { searchHistory(history.offset); refreshSummary(); }
  } catch (error) { message(error.message, true); }
}

function message(text, isError = false) {
  const node = $('#camera-message');
  node.textContent = text;
  node.className = `message${isError ? ' error' : ''}`;
  node.hidden = view.name !== 'camera';
}

async function refreshChart() {
  if (view.name !== 'camera' || !state) return;
  const name = view.camera;
  let points = [];
  try { points = await api(`/api/cameras/${encodeURIComponent(name)}/scores?minutes=5`); } catch { return; }
  const chart = $('#chart');
  const width = 600, height = 240, now = Date.now(), from = now - 5 * 60 * 1000;
  const top = Math.max(2 * state.threshold, Math.min(10, 1.1 * Math.max(0, ...points.map(p => p[1]))));
  const x = t => (t - from) / (now - from) * width, y = s => height - Math.min(s, top) / top * (height - 10);
  const nodes = [];
  for (const alert of alerts.values()) {
    if (alert.camera !== name) continue;
    const start = new Date(alert.started).getTime(), end = alert.ended ? new Date(alert.ended).getTime() : now;
    if (end < from) continue;
    nodes.push(svg('rect', { x: x(Math.max(start, from)), y: 0, width: Math.max(2, x(end) - x(Math.max(start, from))), height, fill: 'rgba(239,83,80,0.18)' }));
  }
  nodes.push(svg('line', { x1: 0, x2: width, y1: y(state.threshold), y2: y(state.threshold), stroke: '#e3e9ef', 'stroke-dasharray': '6 4', 'stroke-width': 1 }));
  if (points.length > 1) {
    nodes.push(svg('polyline', { points: points.map(p => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' '), fill: 'none', stroke: '#35c98f', 'stroke-width': 2 }));
  }
  const label = svg('text', { x: 4, y: Math.max(12, y(state.threshold) - 4), fill: '#8796a5', 'font-size': 12 });
  label.textContent = `threshold ${state.threshold}`;
  nodes.push(label);
  chart.replaceChildren(...nodes);
}

function renderHealth() {
  const card = (label, value) => el('div', { class: 'card' }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, value));
  const uptime = state.uptime_seconds < 3600 ? `${(state.uptime_seconds / 60).toFixed(0)} min` : `${(state.uptime_seconds / 3600).toFixed(1)} h`;
  $('#health-cards').replaceChildren(
    card('Inference p50 / p99', `${fixed(state.inference.p50_ms, 0)} / ${fixed(state.inference.p99_ms, 0)} ms`),
    card('Execution provider', (state.execution_provider ?? 'not running').replace('ExecutionProvider', '')),
    card('Inference queue', `${state.queue.depth} / ${state.queue.capacity}`),
    card('MQTT', `${state.mqtt.connected ? 'connected' : 'disconnected'} (${state.mqtt.broker})`),
    card('Outbox backlog', `${state.mqtt.outbox_pending} pending, ${state.mqtt.outbox_dropped} dropped`),
    card('Uptime / version', `${uptime} · v${state.version}`));
  $('#health-cameras tbody').replaceChildren(...state.cameras.map(c => el('tr', {},
    el('td', {}, c.name), el('td', {}, c.capture), el('td', {}, fixed(c.capture_fps, 1)), el('td', {}, fixed(c.analysis_fps, 1)),
    el('td', {}, String(c.clips_dropped)), el('td', {}, String(c.reconnects)), el('td', {}, String(c.stalls)), el('td', {}, String(c.errors)),
    el('td', {}, `${fixed(c.latency_p50_ms, 0)} / ${fixed(c.latency_p99_ms, 0)} ms`), el('td', { class: 'clips' }, clipSummary(c.clips)),
    el('td', { class: 'muted' }, c.last_error ?? ''))));
  renderWebhooks();
}

// A camera's event clips on the health view: off, or what was written and lost, and the pre-roll held in memory.
function clipSummary(clips) {
  if (!clips) return 'off';
  const lost = clips.failed + clips.skipped;
  return `${clips.recording ? 'recording · ' : ''}${clips.written} written${lost ? `, ${lost} lost` : ''}${clips.frames_dropped ? `, ${clips.frames_dropped} frames dropped` : ''}`
    + ` · ${fixed(clips.held_seconds, 1)} s held (${fixed(clips.memory_bytes / 1048576, 0)} MB)`;
}

// Each webhook's health: a URL failing now shows its failures in a row and the last error (the URL comes without its secrets).
function renderWebhooks() {
  $('#webhooks-none').hidden = state.webhooks.length > 0;
  $('#health-webhooks').hidden = state.webhooks.length === 0;
  $('#health-webhooks tbody').replaceChildren(...state.webhooks.map(w => el('tr', { 'data-webhook': w.name, class: w.consecutive_failures > 0 ? 'failing' : '' },
    el('td', {}, w.name), el('td', { class: 'muted' }, w.url), el('td', {}, w.signed ? 'yes' : 'no'), el('td', { class: 'pending' }, String(w.pending)),
    el('td', { class: 'delivered' }, String(w.delivered)), el('td', {}, String(w.dropped)),
    el('td', { class: 'last-success' }, w.last_success ? new Date(w.last_success).toLocaleString([], { hour12: false }) : 'never'),
    el('td', { class: 'failures' }, String(w.consecutive_failures)),
    el('td', { class: 'muted last-error' }, w.consecutive_failures > 0 ? w.last_error ?? '' : ''))));
}

function connect() {
  const link = $('#link');
  const events = new EventSource('/api/events');
  events.addEventListener('open', () => { link.textContent = 'live'; link.className = 'pill ok'; });
  events.addEventListener('error', () => { link.textContent = 'reconnecting…'; link.className = 'pill bad'; });
  events.addEventListener('state', e => { state = JSON.parse(e.data); render(); });
  events.addEventListener('alert', e => { const alert = JSON.parse(e.data); alerts.set(alert.id, alert); render(); });
}

async function start() {
  $('#enable-button').addEventListener('click', async () => {
    const camera = state?.cameras.find(c => c.name === view.camera);
    if (!camera) return;
    try { await api(`/api/cameras/${encodeURIComponent(camera.name)}/enabled`, { enabled: !camera.enabled }); message(`Analysis switched ${camera.enabled ? 'off' : 'on'}.`); }
    catch (error) { message(error.message, true); }
  });
  $('#learn-button').addEventListener('click', async () => {
    const camera = state?.cameras.find(c => c.name === view.camera);
    if (!camera) return;
    try {
      const result = await api(`/api/cameras/${encodeURIComponent(camera.name)}/learn`, { action: camera.learning.active ? 'stop' : 'start' });
      message(camera.learning.active ? `Learning finished: ${result.detail}.` : 'Learning: show the camera normal operation, then stop.');
    } catch (error) { message(error.message, true); }
  });
  $('#overlay-toggle').addEventListener('change', render);
  $('#regions-button').addEventListener('click', () => regionEditor?.edit(!regionEditor.editing));
  $('#region-add').addEventListener('click', () => regionEditor?.add());
  $('#region-undo').addEventListener('click', () => regionEditor?.undo());
  $('#regions-save').addEventListener('click', () => regionEditor?.save());
  $('#regions-cancel').addEventListener('click', () => regionEditor?.edit(false));
  $('#clip-close').addEventListener('click', () => $('#clip-dialog').close());
  $('#clip-dialog').addEventListener('close', () => { const video = $('#clip-video'); video.pause(); video.removeAttribute('src'); video.load(); });
  $('#older-alerts').addEventListener('click', () => olderAlerts(null));
  $('#older-camera-alerts').addEventListener('click', () => olderAlerts(view.camera));
  $('#history-filter').addEventListener('submit', event => { event.preventDefault(); searchHistory(0); });
  $('#history-newer').addEventListener('click', () => searchHistory(Math.max(0, history.offset - 50)));
  $('#history-older').addEventListener('click', () => searchHistory(history.offset + 50));
  window.addEventListener('hashchange', route);
  try { for (const alert of await api('/api/alerts?limit=100')) alerts.set(alert.id, alert); } catch { /* the live feed fills it */ }
  route();
  connect();
  setInterval(refreshChart, 2000);
  setInterval(refreshSummary, 30000);
}

start();
