// The supervisor's wallboard: a snapshot over /ws, then every change as it happens.
"use strict";

const state = { recordings: null, seats: new Map(), queue: [], stats: null, calls: new Map(), links: {}, alerts: [], overflow: {}, offset: 0 };
const RECENT = 20;
// the figure -> its elements: today, the last 30 minutes, the target
const RATES = {
  answer_rate: { value: "answer_rate_in_target", today: "k-rate15", recent: "k-rate15-30", target: "k-rate15-target" },
  connection_rate: { value: "connection_rate", today: "k-conn", recent: "k-conn-30", target: "k-conn-target" },
};

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}
function now() { return Date.now() + state.offset; }
function secondsSince(iso) { return iso ? Math.max(0, (now() - Date.parse(iso)) / 1000) : 0; }
function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`
    : `${m}:${String(s % 60).padStart(2, "0")}`;
}
function percent(rate) { return rate === null || rate === undefined ? "–" : `${(rate * 100).toFixed(1)}%`; }
function clockText(iso) {
  if (!iso) return "–";
  return new Date(iso).toLocaleTimeString(LANG === "en" ? "en-GB" : "zh-CN", { hour12: false });
}

function renderKpis() {
  const s = state.stats;
  if (!s) return;
  const today = s.today;
  document.getElementById("k-waiting").textContent = s.waiting_now;
  document.getElementById("k-offered").textContent = today.offered;
  document.getElementById("k-answered").textContent = today.answered;
  document.getElementById("k-abandoned").textContent = today.abandoned;
  document.getElementById("k-asa").textContent = duration(today.asa_seconds);
  const rated = today.rated;
  document.getElementById("k-sat").textContent = rated ? percent(today.satisfied / rated) : "–";
  document.getElementById("k-callbacks").textContent = s.callbacks_open ?? "–";
  document.getElementById("k-callbacks-overdue").textContent = s.callbacks_overdue ? `${t("overdue")} ${s.callbacks_overdue}` : "";
  renderRecordings();
  for (const [name, ids] of Object.entries(RATES)) renderRate(s, name, ids);
}
// A rate of today and of the last 30 minutes, each marked against the contract's target.
function renderRate(stats, name, ids) {
  const target = stats.targets ? stats.targets[name] : null;
  document.getElementById(ids.target).textContent = target ? t("at_least", { rate: percent(target) }) : "–";
  for (const [period, id] of [["today", ids.today], ["last_30_minutes", ids.recent]]) {
    const figures = stats[period] || {};
    const rate = figures[ids.value] ?? null;
    const node = document.getElementById(id);
    node.textContent = percent(rate);
    const met = targetMet(stats, period, name, rate, target);
    node.classList.toggle("good", met === true);
    node.classList.toggle("bad", met === false);
    node.dataset.met = met === null ? "" : String(met);
  }
}
function targetMet(stats, period, name, rate, target) {
  const told = stats.targets_met && stats.targets_met[period];
  if (told && name in told) return told[name];
  return rate === null || !target ? null : rate >= target;
}

// Every line the seats serve, with its callers (longest waiting first) and its longest wait.
function queueByLine() {
  const byLine = new Map();
  for (const seat of state.seats.values()) for (const line of seat.lines || []) byLine.set(line, []);
  for (const caller of state.queue) {
    if (!byLine.has(caller.line)) byLine.set(caller.line, []);
    byLine.get(caller.line).push(caller);
  }
  return [...byLine.entries()].sort((a, b) => a[0].localeCompare(b[0]));
}
function renderQueue() {
  const box = document.getElementById("queue");
  box.replaceChildren();
  const longest = state.queue.reduce((max, c) => Math.max(max, secondsSince(c.queued_at)), 0);
  document.getElementById("k-longest").textContent = duration(longest);
  const lines = queueByLine();
  if (!lines.length) { box.append(el("div", "empty", t("no_waiting"))); return; }
  for (const [line, callers] of lines) {
    const block = el("div", "line-block");
    block.dataset.line = line;
    const head = el("div", "line-head");
    const lineLongest = callers.reduce((max, c) => Math.max(max, secondsSince(c.queued_at)), 0);
    const count = el("span", "line-count", t("line_waiting", { count: callers.length }));
    const wait = el("span", "line-longest" + (lineLongest > 15 ? " long" : ""), callers.length ? t("line_longest", { wait: duration(lineLongest) }) : "");
    head.append(el("span", "line-name", line), count, wait);
    block.append(head);
    if (!callers.length) block.append(el("div", "empty", t("no_waiting")));
    for (const caller of callers) {
      const wait = secondsSince(caller.queued_at);
      const row = el("div", "caller" + (wait > 15 ? " long" : ""));
      const who = caller.offered_to ? `${caller.caller} → ${caller.offered_to}` : caller.caller;
      const tags = [];
      if (caller.emergency) tags.push(t("tag_emergency"));
      if (caller.repeat) tags.push(t("tag_repeat"));
      if (caller.kept_place) tags.push(t("tag_kept"));
      if (caller.skill) tags.push(t(`skill_${caller.skill}`));
      const label = el("span", "", who);
      for (const tag of tags) label.append(el("span", "tag", tag));
      row.append(label, el("span", "", duration(wait)));
      block.append(row);
    }
    box.append(block);
  }
}

function renderSeats() {
  const box = document.getElementById("seats");
  box.replaceChildren();
  for (const seat of [...state.seats.values()].sort((a, b) => a.seat.localeCompare(b.seat))) {
    const card = el("div", `seat ${seat.state}` + (seat.temporary ? " temporary" : ""));
    card.dataset.seat = seat.seat;
    card.dataset.state = seat.state;
    const title = seat.name !== seat.seat ? `${seat.seat} ${seat.name}` : seat.seat;
    card.append(el("div", "id", seat.temporary ? `${title} · ${t("temporary")}` : title));
    card.append(el("div", "agent", seat.agent ? `${seat.agent_name || ""} ${seat.agent}`.trim() : t("nobody")));
    const label = t(`state_${seat.state}`) + (seat.reason && seat.state === "paused" ? ` · ${seat.reason}` : "");
    let clock = duration(secondsSince(seat.since));
    if (seat.state === "wrapup" && seat.wrapup_ends_at) {
      clock += ` · ${t("wrapup_left")} ${duration(Math.max(0, (Date.parse(seat.wrapup_ends_at) - now()) / 1000))}`;
    }
    card.append(el("div", "state", label), el("div", "since", clock));
    const skills = (seat.skills || []).map((k) => t(`skill_${k}`));
    let meta = `${t("answered_today")} ${seat.answered_today} · ${[...seat.lines, ...skills].join("/")}`;
    if (seat.pause_after_call) meta += ` · ${t("pause_next")}: ${seat.pause_after_call}`;
    card.append(el("div", "meta", meta));
    box.append(card);
  }
}

function renderCalls() {
  const body = document.getElementById("calls");
  body.replaceChildren();
  const calls = [...state.calls.values()].sort((a, b) => b.queued_at.localeCompare(a.queued_at)).slice(0, RECENT);
  for (const call of calls) {
    const row = el("tr");
    const outcome = call.outcome || "live";
    row.append(
      el("td", "", clockText(call.queued_at)), el("td", "", call.line), el("td", "", call.caller_number),
      el("td", "", call.seat || "–"), el("td", `outcome-${outcome}`, t(`outcome_${outcome}`)),
      el("td", "", duration(call.wait_seconds ?? (call.ended_at ? null : secondsSince(call.queued_at)))),
      el("td", "", duration(call.talk_seconds)),
    );
    body.append(row);
  }
}

function renderLinks() {
  const box = document.getElementById("links");
  box.replaceChildren();
  for (const [server, up] of Object.entries(state.links)) {
    box.append(el("span", up ? "up" : "down", `● ${server} `));
  }
}

function renderAlerts() {
  const box = document.getElementById("alerts");
  box.replaceChildren();
  const writer = state.stats && state.stats.writer;
  if (writer && writer.alarm) box.append(el("div", "alert", t("alert_db", { pending: writer.pending, reason: writer.alarm_reason })));
  for (const [server, up] of Object.entries(state.links)) {
    if (!up) box.append(el("div", "alert", t("alert_link", { server })));
  }
  for (const alert of Object.values(state.overflow)) box.append(el("div", "alert", overflowText(alert)));
  for (const alert of state.alerts.slice(-3)) box.append(el("div", "alert", alert));
}
function overflowText(alert) {
  return t(`alert_${alert.kind}`, { ...alert, rate_text: percent(alert.rate), target_text: percent(alert.target) });
}

function renderRecordings() {
  const backlog = state.recordings;
  document.getElementById("k-recordings").textContent = backlog ? (backlog.pending || 0) + (backlog.converting || 0) : "–";
  const failed = backlog ? (backlog.failed || 0) + (backlog.missing || 0) : 0;
  document.getElementById("k-recordings-failed").textContent = failed ? t("recordings_failed", { count: failed }) : "";
}

function renderAll() { applyTexts(); renderKpis(); renderQueue(); renderSeats(); renderCalls(); renderLinks(); renderAlerts(); }

function applySnapshot(snap) {
  state.seats = new Map(snap.seats.map((s) => [s.seat, s]));
  state.queue = snap.queue;
  state.stats = snap.stats;
  state.links = snap.stats.links || {};
  state.offset = Date.parse(snap.stats.at) - Date.now();
  state.calls = new Map(snap.recent_calls.map((c) => [`${c.server}/${c.call_id}`, c]));
  state.overflow = Object.fromEntries((snap.stats.alerts || []).map((a) => [a.kind, a]));
  renderAll();
}

const HANDLERS = {
  snapshot: applySnapshot,
  seat: (e) => { state.seats.set(e.seat.seat, e.seat); renderSeats(); renderQueue(); },
  queue: (e) => { state.queue = e.queue; renderQueue(); },
  call: (e) => { state.calls.set(`${e.call.server}/${e.call.call_id}`, e.call); trimCalls(); renderCalls(); },
  stats: (e) => { state.stats = { ...e.stats, writer: state.stats && state.stats.writer }; state.links = e.stats.links || state.links; renderKpis(); renderLinks(); },
  link: (e) => { state.links[e.server] = e.up; renderLinks(); renderAlerts(); },
  alert: (e) => {
    if (e.kind === "seat_no_answer") state.alerts.push(`${clockText(e.at)} ${t("alert_seat_no_answer", e)}`);
    if (e.kind.startsWith("overflow_")) {
      if (e.state === "cleared") delete state.overflow[e.kind];
      else state.overflow[e.kind] = e;
    }
    renderAlerts();
  },
  recordings: (e) => { state.recordings = e.backlog; renderRecordings(); },
  seat_closed: (e) => { state.seats.delete(e.seat); renderSeats(); },
};
function trimCalls() {
  if (state.calls.size <= RECENT * 3) return;
  const keep = [...state.calls.entries()].sort((a, b) => b[1].queued_at.localeCompare(a[1].queued_at)).slice(0, RECENT * 2);
  state.calls = new Map(keep);
}

let retry = 1000;
function connect() {
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  ws.onopen = () => { retry = 1000; document.getElementById("conn-state").textContent = t("live"); };
  ws.onmessage = (message) => {
    const event = JSON.parse(message.data);
    const handler = HANDLERS[event.type];
    if (handler) handler(event);
  };
  ws.onclose = () => {
    document.getElementById("conn-state").textContent = t("reconnecting");
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 15000);
  };
}

async function refreshWriterHealth() {
  try {
    const response = await fetch("/api/stats/today");
    if (!response.ok) return;
    const body = await response.json();
    state.stats = body;
    const health = await fetch("/api/health");
    if (health.ok) state.recordings = (await health.json()).recordings || null;
    renderKpis();
    renderAlerts();
  } catch (err) { /* the WebSocket reconnect shows the state */ }
}

function tick() {
  document.getElementById("clock").textContent = new Date(now()).toLocaleString(LANG === "en" ? "en-GB" : "zh-CN", { hour12: false });
  renderQueue();
  renderSeats();
}

window.addEventListener("hotline:lang", (event) => {
  LANG = event.detail.lang;
  renderAll();
});
applyTexts();
connect();
setInterval(tick, 1000);
setInterval(refreshWriterHealth, 5000);
