// 回访: replied orders by callback due, the call from the agent's seat, the result form,
// and the day's callback recording ledger (回访录音台账).
"use strict";

const revisitCards = new Map(); // number -> {key, node, revisit}
const LEDGER_HEAD = ["h_number", "h_attempt", "h_time", "h_agent", "h_seat", "h_result", "f_resolved", "h_call", "h_recording"];

function seatNumber() { return document.getElementById("seat").value.trim(); }
// The seat the signed-in user is on now, if any: the callback rings it.
async function signedInSeat() {
  const result = await api("GET", "/api/seats");
  const seat = result.ok ? result.data.seats.find((s) => s.agent && s.agent === myId()) : null;
  return seat ? seat.seat : "";
}

async function loadList() {
  const result = await api("GET", "/api/orders/revisits");
  document.getElementById("page-error").textContent = result.ok ? "" : result.message;
  if (!result.ok) return;
  const nodes = result.data.orders.map(revisitCard);
  const numbers = new Set(result.data.orders.map((o) => o.number));
  for (const number of [...revisitCards.keys()]) if (!numbers.has(number)) revisitCards.delete(number);
  const box = document.getElementById("revisit-list");
  box.replaceChildren(...nodes);
  if (!nodes.length) box.append(i18nEl("p", "empty", "muted"));
}

function revisitCard(order) {
  const key = `${order.status}/${order.attempts}/${order.escalation}`;
  const known = revisitCards.get(order.number);
  if (known && known.key === key) return known.node;
  const card = el("article", "card");
  const head = el("div", "card-head");
  const deadline = deadlineCell(order.deadline);
  const due = el("span", "deadline", deadline.textContent);
  Object.assign(due.dataset, deadline.dataset);
  head.append(orderLink(order.number), " ", el("span", "muted", order.line), badges(order), due);
  const fields = el("dl", "fields");
  const pairs = [["h_category", categoryLabel(order.category)], ["h_address", order.address || "–"],
    ["h_caller", callerText(order)], ["h_unit", unitName(order.main_unit)], ["h_attempts", String(order.attempts)]];
  for (const [name, value] of pairs) fields.append(i18nEl("dt", name), el("dd", "", value));
  const entry = { key, node: card, revisit: null };
  card.append(head, fields, callForm(order, entry), resultForm(order, entry));
  revisitCards.set(order.number, entry);
  return card;
}

function callForm(order, entry) {
  return actionForm({
    i18n: "act_call",
    fields: [],
    submit: async () => {
      if (!seatNumber()) return { ok: false, message: t("need_seat") };
      return api("POST", `/api/orders/${encodeURIComponent(order.number)}/revisits`, { seat: seatNumber() });
    },
    done: (result) => {
      entry.revisit = result.data.revisit;
      entry.node.querySelector(".calling").textContent = `${t("calling")} ${t("revisit_id")} ${entry.revisit}`;
    },
  });
}
function resultForm(order, entry) {
  const form = actionForm({
    i18n: "act_result",
    fields: [
      { name: "result", i18n: "h_result", type: "select", required: true,
        options: mapOptions("result", configCache ? configCache.revisit_results : {}) },
      { name: "resolved", i18n: "f_resolved", type: "checkbox", value: true },
      { name: "note", i18n: "f_note", type: "textarea" },
    ],
    submit: (v) => {
      const body = entry.revisit ? { ...v, revisit: entry.revisit } : v;
      return api("POST", `/api/orders/${encodeURIComponent(order.number)}/revisits/result`, body);
    },
    done: () => { loadList(); loadLedger(); },
  });
  form.prepend(el("p", "calling muted"));
  return form;
}

async function loadLedger() {
  const date = document.getElementById("ledger-date").value;
  const result = await api("GET", `/api/orders/revisit-ledger${date ? `?date=${encodeURIComponent(date)}` : ""}`);
  document.getElementById("ledger-error").textContent = result.ok ? "" : result.message;
  if (!result.ok) return;
  document.getElementById("ledger-date").value = result.data.date;
  const rows = result.data.revisits.map((r) => {
    const row = el("tr");
    const number = el("td");
    number.append(orderLink(r.order));
    row.append(number);
    for (const value of [String(r.attempt), when(r.placed_at), r.agent, r.seat || "–", label("result", r.result, r.result_label),
      r.resolved === null ? "–" : t(r.resolved ? "yes" : "no"), r.call_id || "–", r.recording_path || "–"]) {
      row.append(el("td", "", value));
    }
    return row;
  });
  document.getElementById("ledger").replaceChildren(table(LEDGER_HEAD, rows));
}

async function start() {
  initHeader(loadLedger);
  const seat = document.getElementById("seat");
  seat.value = localStorage.getItem("hotline.seat") || "";
  seat.addEventListener("change", () => localStorage.setItem("hotline.seat", seat.value.trim()));
  await signedIn();
  seat.value = (await signedInSeat()) || seat.value;
  const date = document.getElementById("ledger-date");
  date.addEventListener("change", loadLedger);
  document.getElementById("ledger-load").addEventListener("click", loadLedger);
  await orderConfig();
  await Promise.all([loadList(), loadLedger()]);
  const reload = debounce(() => { loadList(); loadLedger(); }, 500);
  connectLive({ order: reload, call: (event) => { if (event.call && event.call.direction === "out") reload(); } });
  setInterval(loadList, 60000);
}

start();
