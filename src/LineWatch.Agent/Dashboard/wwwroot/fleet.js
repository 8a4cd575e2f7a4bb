'use strict';
// LineWatch fleet page: every agent the central broker has heard of, from /api/fleet every 2 s. Everything shown
// comes from MQTT payloads that any client of the broker could have written, so it is set as text, never as HTML.

const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};
const time = iso => new Date(iso).toLocaleTimeString();
const ms = value => value == null ? '–' : `${value.toFixed(0)} ms`;

function cameraCell(cameras) {
  const cell = el('td');
  for (const camera of cameras) {
    const item = el('div', 'fleet-camera');
    item.dataset.camera = camera.name;
    item.append(el('span', `badge ${camera.state}`, camera.state), ' ', el('span', null, camera.name));
    if (camera.score != null) item.append(el('span', 'muted', ` ${camera.score.toFixed(2)}`));
    cell.append(item);
  }
  return cell;
}

function alertCell(alerts) {
  const cell = el('td');
  for (const alert of alerts.slice(0, 5)) {
    const item = el('div', 'fleet-alert', `${time(alert.time)} ${alert.camera} ${alert.type} (peak ${alert.peak.toFixed(2)}, ${alert.severity})`);
    item.dataset.alert = alert.id;
    cell.append(item);
  }
  return cell;
}

function row(agent) {
  const tr = el('tr', 'agent-row');
  tr.dataset.agent = agent.id;
  tr.dataset.online = agent.online;
  tr.append(el('td', 'name', agent.id));
  const status = el('td');
  status.append(el('span', `badge ${agent.online ? 'normal' : 'offline'}`, agent.online ? 'online' : 'offline'));
  if (agent.uplink === '0') status.append(el('div', 'muted', 'uplink down'));
  tr.append(status);
  tr.append(el('td', null, agent.version ?? '–'));
  tr.append(el('td', null, `${ms(agent.inference_p50_ms)} / ${ms(agent.inference_p99_ms)}${agent.execution_provider ? ` (${agent.execution_provider})` : ''}`));
  tr.append(cameraCell(agent.cameras));
  tr.append(alertCell(agent.last_alerts));
  tr.append(el('td', 'muted', time(agent.last_seen)));
  return tr;
}

async function refresh() {
  const link = document.getElementById('link');
  try {
    const response = await fetch('/api/fleet');
    if (!response.ok) throw new Error(`${response.status}`);
    const report = await response.json();
    const agents = report.fleet.agents;
    document.querySelector('#agents tbody').replaceChildren(...agents.map(row));
    document.getElementById('empty').hidden = agents.length > 0;
    const online = agents.filter(a => a.online).length;
    document.getElementById('summary').textContent = `${agents.length} agents, ${online} online`;
    link.textContent = report.connected ? 'central broker' : 'central broker unreachable';
    link.className = `pill ${report.connected ? 'ok' : 'bad'}`;
  } catch (error) {
    link.textContent = 'fleet view unreachable';
    link.className = 'pill bad';
  }
}

refresh();
setInterval(refresh, 2000);
