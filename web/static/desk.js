// 座席工作台: the signed-in agent's seat (sign in to the chosen seat, ready, pause with one
// of the configured reasons, wrap-up with its countdown), the screen-pop of the call the seat
// is on (caller, history), the order form saved as 受理 or closed at once as 直办, and the
// missed calls to return (我的回拨). Live over /ws: seat, screen_pop, call and callback events.
"use strict";

const POLL_MS = 2000;
const OPEN_TASK = new Set(["pending", "calling"]);
const CALLBACK_RESULTS = ["reached", "unreachable", "not_needed", "cancelled"];
const CALLBACK_HEAD = ["h_caller", "h_line", "h_reason", "h_due", "h_attempt", "h_state", "h_action"];
const REVISIT_HEAD = ["h_number", "h_line", "h_category", "h_address", "h_status", "h_deadline"];
const desk = {
  pop: null, order: null, line: null, saved: false,
  seat: null, seats: new Map(), offset: 0, callbacks: new Map(), dialled: null,
};

function seatId() { return document.getElementById("seat").value.trim(); }
function seatPath(rest) { return `/api/seats/${encodeURIComponent(seatId())}${rest}`; }
function mySeat() { return Boolean(desk.seat && desk.seat.agent && desk.seat.agent === myId()); }
function serverNow() { return Date.now() + desk.offset; }
// The centre's clock (the moment of its figures or lists): seat times and the wrap-up end
// are on it, and a demo's simulated time runs faster than this browser's.
function noteClock(at) { if (at && !Number.isNaN(Date.parse(at))) desk.offset = Date.parse(at) - Date.now(); }
function secondsUntil(iso) { return (Date.parse(iso) - serverNow()) / 1000; }

// -- the screen-pop and the order form ------------------------------------------------

// The pop of the call the seat talks on (asked for only then: after the call the server has
// none, and in wrap-up the caller stays on screen with the form).
async function pollScreenPop(announced) {
  if (!seatId() || !mySeat() || !(announced || desk.seat.state === "talking")) return;
  const result = await api("GET", seatPath("/screen-pop"));
  if (!result.ok) return;
  desk.pop = result.data;
  if (desk.pop.order && desk.pop.order !== desk.order) startOrder(desk.pop);
  renderCall();
}
// Poll only while the seat talks on a call whose pop is not on screen yet (events come first).
function popMissing() {
  const seat = desk.seat;
  if (!seat || seat.state !== "talking" || !mySeat()) return false;
  return !desk.pop || desk.pop.call.call_id !== seat.call_id;
}

// The form stays after the call ends: the agent finishes it in wrap-up.
function startOrder(pop) {
  desk.order = pop.order;
  desk.line = pop.call.line;
  desk.saved = false;
  const form = document.getElementById("order-form");
  form.reset();
  form.hidden = false;
  document.getElementById("of-caller-name").value = pop.call.caller_name || "";
  document.getElementById("form-error").textContent = "";
  fillCategories(document.getElementById("of-category"), desk.line);
  document.getElementById("draft-number").textContent = pop.order;
}

function renderCall() {
  const pop = desk.pop;
  document.getElementById("no-call").hidden = Boolean(pop);
  const box = document.getElementById("call");
  box.replaceChildren();
  const history = (pop && pop.history) || { orders: [], calls: [] };
  if (pop) {
    const pairs = [["caller", `${pop.call.caller_number} ${pop.call.caller_name || ""}`.trim()],
      ["h_line", pop.call.line], ["answered_at", when(pop.call.answered_at)], ["draft_no", pop.order || "–"]];
    for (const [key, value] of pairs) box.append(i18nEl("dt", key), el("dd", "", value));
  }
  document.getElementById("history-orders").replaceChildren(
    table(["h_number", "h_line", "h_category", "h_address", "h_status", "h_deadline"], history.orders.map(orderRow)),
  );
  // the calls before this one (the history is read while this call is already stored)
  const earlier = history.calls.filter((c) => !pop || c.call_id !== pop.call.call_id || c.server !== pop.call.server);
  const calls = earlier.map((c) => {
    const row = el("tr");
    const outcome = c.outcome ? t(`outcome_${c.outcome}`) : "–";
    for (const value of [when(c.queued_at), c.line, t(`direction_${c.direction}`), c.seat || "–", c.agent || "–", outcome]) {
      row.append(el("td", "", value));
    }
    return row;
  });
  document.getElementById("history-calls").replaceChildren(
    table(["h_time", "h_line", "h_direction", "h_seat", "h_agent", "h_result"], calls),
  );
}

function formBody(withAnswer) {
  const value = (id) => document.getElementById(id).value.trim();
  const body = {
    category: value("of-category"), content: value("of-content"), address: value("of-address"),
    caller_name: value("of-caller-name"), confidential: document.getElementById("of-confidential").checked,
  };
  if (value("of-urgency")) body.urgency = value("of-urgency");
  if (withAnswer) body.answer = value("of-answer");
  return body;
}
async function saveOrder(step) {
  const error = document.getElementById("form-error");
  error.className = "error";
  error.textContent = "";
  if (!desk.order) return;
  const result = await api("POST", `/api/orders/${encodeURIComponent(desk.order)}/${step}`, formBody(step === "answer"));
  if (!result.ok) { error.textContent = result.message; return; }
  desk.saved = true;
  error.className = "error ok";
  error.replaceChildren(i18nEl("span", "saved"), " ", orderLink(desk.order));
}

// -- the seat -------------------------------------------------------------------------

async function loadSeats() {
  const result = await api("GET", "/api/seats");
  if (!result.ok) { document.getElementById("seat-error").textContent = result.message; return; }
  desk.seats = new Map(result.data.seats.map((seat) => [seat.seat, seat]));
  fillSeatChoice();
  renderSeat(desk.seats.get(seatId()) || null);
}
// The seat this agent is signed in to (fixed until they sign out of it), else the one typed
// or chosen from the list, else the one chosen last time on this browser.
function fillSeatChoice() {
  const input = document.getElementById("seat");
  const signedInTo = [...desk.seats.values()].find((seat) => seat.agent && seat.agent === myId());
  if (signedInTo) input.value = signedInTo.seat;
  else if (!input.value) input.value = localStorage.getItem("hotline.seat") || "";
  input.readOnly = Boolean(signedInTo);
  const seats = [...desk.seats.values()].sort((a, b) => a.seat.localeCompare(b.seat));
  document.getElementById("seat-choices").replaceChildren(...seats.map(seatOption));
}
function seatOption(seat) {
  const option = el("option");
  option.value = seat.seat;
  option.label = seatOptionText(seat);
  return option;
}
function seatOptionText(seat) {
  const who = seat.agent ? `${seat.agent_name || ""} ${seat.agent}`.trim() : t("seat_free");
  return `${seat.name && seat.name !== seat.seat ? `${seat.name} · ` : ""}${who}`;
}
function seatChanged(seat) {
  const wasMine = Boolean(desk.seats.get(seat.seat) && desk.seats.get(seat.seat).agent === myId());
  desk.seats.set(seat.seat, seat);
  if (wasMine !== (seat.agent === myId())) fillSeatChoice();
  else {
    const option = [...document.getElementById("seat-choices").options].find((o) => o.value === seat.seat);
    if (option) option.label = seatOptionText(seat);
    else document.getElementById("seat-choices").append(seatOption(seat));
  }
  if (seat.seat === seatId()) renderSeat(seat);
}

function renderSeat(seat) {
  const before = desk.seat;
  desk.seat = seat;
  const state = document.getElementById("seat-state");
  const mine = mySeat();
  for (const id of ["ready", "pause", "pause-reason"]) document.getElementById(id).disabled = !mine;
  document.getElementById("login").disabled = !seat || Boolean(seat.agent);
  document.getElementById("logout").disabled = !mine;
  for (const id of ["wrapup-end", "wrapup-extend"]) document.getElementById(id).disabled = !mine || seat.state !== "wrapup";
  if (seat && seat.wrapup_extended) document.getElementById("wrapup-extend").disabled = true;
  if (!seat) { state.textContent = "–"; state.className = "seat-state"; tickSeat(); return; }
  let text = t(`state_${seat.state}`) + (seat.state === "paused" && seat.reason ? ` · ${seat.reason}` : "");
  if (seat.pause_after_call) text += ` · ${t("pause_next")}: ${seat.pause_after_call}`;
  state.textContent = text;
  state.className = `seat-state ${seat.state}`;
  state.dataset.state = seat.state;
  tickSeat();
  const callChanged = !before || before.call_id !== seat.call_id || before.state !== seat.state;
  if (callChanged && popMissing()) pollScreenPop();
  if (callChanged && !["talking", "wrapup", "ringing", "reserved"].includes(seat.state) && desk.pop) {
    desk.pop = null;
    renderCall();
  }
  renderCallbacks();
}

// The time in the current state, and the wrap-up countdown to the seat's wrap-up end.
function tickSeat() {
  const seat = desk.seat;
  const clock = document.getElementById("state-clock");
  clock.textContent = seat && seat.since ? `${t("state_for")} ${duration(Math.max(0, -secondsUntil(seat.since)))}` : "";
  const timer = document.getElementById("wrapup-timer");
  const ends = seat && seat.state === "wrapup" ? seat.wrapup_ends_at : null;
  timer.hidden = !ends;
  if (!ends) { timer.textContent = ""; delete timer.dataset.endsAt; return; }
  const left = Math.max(0, secondsUntil(ends));
  timer.dataset.endsAt = ends;
  timer.dataset.secondsLeft = String(Math.ceil(left));
  timer.textContent = `${t("wrapup_left")} ${duration(Math.ceil(left))}`;
  timer.classList.toggle("late", left <= 10);
}

async function seatCommand(rest, body) {
  const error = document.getElementById("seat-error");
  error.textContent = "";
  if (!seatId()) { error.textContent = t("need_seat"); return null; }
  const result = await api("POST", seatPath(rest), body || {});
  if (!result.ok) { error.textContent = result.message; return null; }
  seatChanged(result.data);
  return result.data;
}
async function signInToSeat() {
  await signedIn();
  const seat = await seatCommand("/login", { agent: myId() });
  if (!seat) return;
  localStorage.setItem("hotline.seat", seat.seat);
  fillSeatChoice();
  loadCallbacks();
}
async function signOutOfSeat() {
  if (await seatCommand("/logout", {})) fillSeatChoice();
}

// The reasons an agent may pause with, from the live figures (the routing rules are for
// supervisors to read), and the centre's clock.
async function loadPauseReasons() {
  const select = document.getElementById("pause-reason");
  const result = await api("GET", "/api/stats/today");
  if (result.ok) noteClock(result.data.at);
  const reasons = result.ok ? result.data.pause_reasons || [] : [];
  select.replaceChildren(...reasons.map((reason) => { const o = el("option", "", reason); o.value = reason; return o; }));
}
function fillUrgencies() {
  const select = document.getElementById("of-urgency");
  const current = select.value;
  const blank = el("option", "", `— ${t("f_pick")} —`);
  blank.value = "";
  const options = mapOptions("urgency", configCache ? configCache.urgencies : {}).map(([code, text]) => {
    const o = el("option", "", text);
    o.value = code;
    return o;
  });
  select.replaceChildren(blank, ...options);
  select.value = current;
}

// -- my callbacks (漏接回拨) ------------------------------------------------------------

async function loadCallbacks() {
  const result = await api("GET", "/api/callbacks");
  const error = document.getElementById("callbacks-error");
  error.textContent = result.ok ? "" : result.message;
  if (!result.ok) return;
  noteClock(result.data.now);
  desk.callbacks = new Map(result.data.callbacks.map((task) => [task.task_id, task]));
  renderCallbacks();
}
function callbackChanged(task) {
  if (OPEN_TASK.has(task.status)) desk.callbacks.set(task.task_id, task);
  else desk.callbacks.delete(task.task_id);
  renderCallbacks();
}
// The tasks this agent called already, then the untouched ones of the seat's lines.
function myCallbacks() {
  const me = myId();
  const lines = desk.seat ? new Set(desk.seat.lines) : null;
  const mine = (task) => Boolean(me) && task.agent === me;
  return [...desk.callbacks.values()]
    .filter((task) => mine(task) || (!task.agent && (!lines || lines.has(task.line))))
    .sort((a, b) => Number(mine(b)) - Number(mine(a)) || a.due_at.localeCompare(b.due_at));
}
function renderCallbacks() {
  const tasks = myCallbacks();
  document.getElementById("callbacks-count").textContent = String(tasks.length);
  const box = document.getElementById("my-callbacks");
  const list = table(CALLBACK_HEAD, tasks.map(callbackRow));
  list.id = "callbacks-table";
  if (!tasks.length) {
    const empty = list.querySelector("tbody td");
    empty.dataset.i18n = "cb_none";
    empty.textContent = t("cb_none");
  }
  box.replaceChildren(list);
}
function callbackRow(task) {
  const row = el("tr", "callback-row");
  row.dataset.task = task.task_id;
  const who = el("td", "", task.caller_number);
  if (task.agent && task.agent === myId()) who.append(el("span", "badge", t("cb_mine")));
  const state = el("td", "", t(`cb_state_${task.status}`));
  if (desk.dialled === task.task_id && task.status === "calling") state.textContent = t("cb_dialled");
  row.append(
    who, el("td", "", task.line), el("td", "", t(`outcome_${task.reason}`)),
    deadlineCell({ due_at: task.due_at, name: "missed_call", label: t("deadline_missed_call") }),
    el("td", "", String(task.attempts)), state, callbackActions(task),
  );
  return row;
}
function callbackActions(task) {
  const cell = el("td", "callback-actions");
  const dial = i18nEl("button", "cb_dial", "cb-dial");
  dial.type = "button";
  dial.disabled = !mySeat() || task.status === "calling";
  dial.addEventListener("click", () => dialCallback(task));
  const pick = el("select", "cb-status");
  pick.setAttribute("aria-label", t("cb_record"));
  for (const status of CALLBACK_RESULTS) {
    const option = el("option", "", t(`cb_status_${status}`));
    option.value = status;
    pick.append(option);
  }
  const record = i18nEl("button", "cb_record", "cb-record");
  record.type = "button";
  record.addEventListener("click", () => recordCallback(task, pick.value));
  cell.append(dial, " ", pick, " ", record);
  return cell;
}
function taskPath(task, rest) {
  return `/api/callbacks/${encodeURIComponent(task.server)}/${encodeURIComponent(task.call_id)}${rest}`;
}
async function dialCallback(task) {
  const error = document.getElementById("callbacks-error");
  error.className = "error";
  const result = await api("POST", taskPath(task, "/dial"), { seat: seatId() });
  error.textContent = result.ok ? t("cb_dialled") : result.message;
  if (result.ok) { error.className = "error ok"; desk.dialled = task.task_id; }
}
async function recordCallback(task, status) {
  const error = document.getElementById("callbacks-error");
  error.className = "error";
  const result = await api("POST", taskPath(task, "/result"), { status });
  error.textContent = result.ok ? t("saved") : result.message;
  if (!result.ok) return;
  error.className = "error ok";
  callbackChanged(result.data);
}

// -- the orders due a callback (回访), for those who may place one --------------------

async function loadRevisits() {
  const panel = document.getElementById("revisits-panel");
  panel.hidden = !mayOpen("/revisits");
  if (panel.hidden) return;
  const result = await api("GET", "/api/orders/revisits");
  if (!result.ok) return;
  document.getElementById("revisits-count").textContent = String(result.data.orders.length);
  document.getElementById("my-revisits").replaceChildren(table(REVISIT_HEAD, result.data.orders.map(orderRow)));
}

// -- start ----------------------------------------------------------------------------

function bindControls() {
  const seat = document.getElementById("seat");
  const chosen = () => {
    if (seatId()) localStorage.setItem("hotline.seat", seatId());
    if ((desk.seat && desk.seat.seat) !== seatId()) renderSeat(desk.seats.get(seatId()) || null);
  };
  seat.addEventListener("change", chosen);
  seat.addEventListener("input", chosen);
  document.getElementById("login").addEventListener("click", signInToSeat);
  document.getElementById("logout").addEventListener("click", signOutOfSeat);
  document.getElementById("ready").addEventListener("click", () => seatCommand("/ready"));
  document.getElementById("pause").addEventListener("click", () => seatCommand("/pause", { reason: document.getElementById("pause-reason").value }));
  document.getElementById("wrapup-end").addEventListener("click", () => seatCommand("/wrapup/end"));
  document.getElementById("wrapup-extend").addEventListener("click", () => seatCommand("/wrapup/extend"));
  document.getElementById("order-form").addEventListener("submit", (event) => { event.preventDefault(); saveOrder("accept"); });
  document.getElementById("answer").addEventListener("click", () => saveOrder("answer"));
}

function onLanguage() {
  renderCall();
  renderSeat(desk.seat);
  fillSeatChoice();
  fillUrgencies();
  if (desk.line) fillCategories(document.getElementById("of-category"), desk.line);
  loadRevisits();
}

async function start() {
  initHeader(onLanguage);
  bindControls();
  renderSeat(null);
  await signedIn();
  await Promise.all([orderConfig(), loadPauseReasons()]);
  fillUrgencies();
  await loadSeats();
  await Promise.all([pollScreenPop(), loadCallbacks(), loadRevisits()]);
  const mine = (seat) => Boolean(seat) && seat === seatId();
  connectLive({
    snapshot: (event) => { noteClock(event.stats && event.stats.at); for (const seat of event.seats || []) seatChanged(seat); },
    stats: (event) => noteClock(event.stats && event.stats.at),
    seat: (event) => seatChanged(event.seat),
    seat_closed: () => loadSeats(),
    call: (event) => { if (event.call && mine(event.call.seat) && popMissing()) pollScreenPop(); },
    screen_pop: (event) => { if (mine(event.seat)) pollScreenPop(true); },
    callback: (event) => callbackChanged(event.task),
    order: debounce(loadRevisits, 1000),
  });
  setInterval(() => { if (popMissing()) pollScreenPop(); }, POLL_MS);
  setInterval(tickSeat, 1000);
  setInterval(loadCallbacks, 60000);
}

start();
