// 座席工作台: the seat's state and commands, the screen-pop of the call the seat is on
// (caller, history) and the order form saved as 受理 or closed at once as 直办.
"use strict";

const POLL_MS = 2000;
const desk = { pop: null, order: null, line: null, saved: false, seat: null };

function seatId() { return document.getElementById("seat").value.trim(); }
function seatPath(rest) { return `/api/seats/${encodeURIComponent(seatId())}${rest}`; }

async function pollScreenPop() {
  if (!seatId()) return;
  const result = await api("GET", seatPath("/screen-pop"));
  desk.pop = result.ok ? result.data : null;
  if (desk.pop && desk.pop.order !== desk.order) startOrder(desk.pop);
  renderCall();
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
  if (!pop) return;
  const pairs = [["caller", `${pop.call.caller_number} ${pop.call.caller_name || ""}`.trim()],
    ["h_line", pop.call.line], ["answered_at", when(pop.call.answered_at)], ["draft_no", pop.order]];
  for (const [key, value] of pairs) box.append(i18nEl("dt", key), el("dd", "", value));
  const history = pop.history || { orders: [], calls: [] };
  const orders = history.orders.map(orderRow);
  document.getElementById("history-orders").replaceChildren(
    table(["h_number", "h_line", "h_category", "h_address", "h_status", "h_deadline"], orders),
  );
  const calls = history.calls.map((c) => {
    const row = el("tr");
    for (const value of [when(c.queued_at), c.line, t(`direction_${c.direction}`), c.seat || "–", c.agent || "–", c.outcome || "–"]) {
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
  if (!staffNumber()) { error.textContent = t("need_staff"); return; }
  if (!desk.order) return;
  const result = await api("POST", `/api/orders/${encodeURIComponent(desk.order)}/${step}`, formBody(step === "answer"));
  if (!result.ok) { error.textContent = result.message; return; }
  desk.saved = true;
  error.className = "error ok";
  error.replaceChildren(i18nEl("span", "saved"), " ", orderLink(desk.order));
}

// -- the seat -------------------------------------------------------------------------

async function loadSeat() {
  if (!seatId()) return;
  const result = await api("GET", "/api/seats");
  if (!result.ok) return;
  const seat = result.data.seats.find((s) => s.seat === seatId());
  renderSeat(seat || null);
}
function renderSeat(seat) {
  desk.seat = seat;
  const state = document.getElementById("seat-state");
  if (!seat) { state.textContent = "–"; return; }
  let text = t(`state_${seat.state}`) + (seat.state === "paused" && seat.reason ? ` · ${seat.reason}` : "");
  if (seat.pause_after_call) text += ` · ${t("pause_next")}: ${seat.pause_after_call}`;
  state.textContent = text;
  state.className = `seat-state ${seat.state}`;
}
async function seatCommand(rest, body) {
  const error = document.getElementById("seat-error");
  error.textContent = "";
  if (!seatId()) { error.textContent = t("need_seat"); return; }
  const result = await api("POST", seatPath(rest), body || {});
  if (!result.ok) { error.textContent = result.message; return; }
  renderSeat(result.data);
}
async function loadPauseReasons() {
  const select = document.getElementById("pause-reason");
  const result = await api("GET", "/api/routing/rules");
  const reasons = result.ok ? result.data.pause_reasons : [];
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

function bindControls() {
  const seat = document.getElementById("seat");
  seat.value = localStorage.getItem("hotline.seat") || "";
  seat.addEventListener("change", () => { localStorage.setItem("hotline.seat", seatId()); loadSeat(); pollScreenPop(); });
  document.getElementById("ready").addEventListener("click", () => seatCommand("/ready"));
  document.getElementById("pause").addEventListener("click", () => seatCommand("/pause", { reason: document.getElementById("pause-reason").value }));
  document.getElementById("wrapup-end").addEventListener("click", () => seatCommand("/wrapup/end"));
  document.getElementById("wrapup-extend").addEventListener("click", () => seatCommand("/wrapup/extend"));
  document.getElementById("order-form").addEventListener("submit", (event) => { event.preventDefault(); saveOrder("accept"); });
  document.getElementById("answer").addEventListener("click", () => saveOrder("answer"));
}

async function start() {
  initHeader(() => { renderCall(); renderSeat(desk.seat); fillUrgencies(); if (desk.line) fillCategories(document.getElementById("of-category"), desk.line); });
  bindControls();
  await Promise.all([orderConfig(), loadPauseReasons()]);
  fillUrgencies();
  await Promise.all([loadSeat(), pollScreenPop()]);
  const mine = (seat) => seat === seatId();
  connectLive({
    seat: (event) => { if (mine(event.seat.seat)) { renderSeat(event.seat); pollScreenPop(); } },
    call: (event) => { if (event.call && mine(event.call.seat)) pollScreenPop(); },
    screen_pop: (event) => { if (mine(event.seat)) pollScreenPop(); },
  });
  setInterval(pollScreenPop, POLL_MS);
}

start();
