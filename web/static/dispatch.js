// 派单台: the dispatcher's board (new, due soon, overdue, returned, disputed), the notices
// raised by supervision, and the form for orders from other channels.
"use strict";

const COLUMNS = ["new", "due_soon", "overdue", "returned", "disputed"];
const HEAD = ["h_number", "h_line", "h_category", "h_address", "h_status", "h_deadline"];
const NOTICE_LIMIT = 50;
const board = { columns: null, column: "new", notices: [] };

async function loadBoard() {
  const result = await api("GET", "/api/orders/board");
  const error = document.getElementById("board-error");
  error.textContent = result.ok ? "" : result.message;
  if (!result.ok) return;
  board.columns = result.data;
  renderBoard();
}

function renderBoard() {
  if (!board.columns) return;
  for (const column of COLUMNS) {
    document.getElementById(`count-${column}`).textContent = (board.columns[column] || []).length;
  }
  for (const tab of document.querySelectorAll("[data-column]")) {
    tab.setAttribute("aria-selected", String(tab.dataset.column === board.column));
  }
  const rows = (board.columns[board.column] || []).map(orderRow);
  document.getElementById("board").replaceChildren(table(HEAD, rows));
}

function renderNotices() {
  const list = document.getElementById("notices");
  list.replaceChildren();
  if (!board.notices.length) { list.append(i18nEl("li", "no_notices")); return; }
  for (const notice of board.notices) {
    const item = el("li", `notice ${notice.kind}`);
    item.append(
      el("span", "badge " + notice.kind, label("notice", notice.kind, notice.label)), " ",
      orderLink(notice.order), " ",
      el("span", "", `${label("deadline", notice.deadline, "")} ${when(notice.due_at)}`),
      notice.unit ? el("span", "muted", ` · ${unitName(notice.unit)}`) : "",
      " ", ackButton(notice),
    );
    list.append(item);
  }
}

function ackButton(notice) {
  const button = i18nEl("button", "act_ack");
  button.type = "button";
  button.addEventListener("click", async () => {
    const answer = await api("POST", `/api/orders/notices/${notice.id}/ack`, {});
    if (answer.ok || answer.status === 404) await loadNotices();
    else button.title = answer.message;
  });
  return button;
}

async function loadNotices() {
  const answer = await api("GET", "/api/orders/notices");
  if (answer.ok) { board.notices = answer.data.notices.slice(0, NOTICE_LIMIT); renderNotices(); }
}

function newOrderForm(config) {
  const lines = Object.keys(config.categories);
  const form = actionForm({
    i18n: "new_order",
    button: "submit",
    fields: [
      { name: "line", i18n: "f_line", type: "select", options: lines.map((l) => [l, l]), noBlank: true, required: true },
      { name: "channel", i18n: "f_channel", type: "select", required: true,
        options: mapOptions("channel", config.channels).filter(([code]) => code !== "phone") },
      { name: "caller_number", i18n: "f_caller_number", type: "tel", required: true },
      { name: "caller_name", i18n: "f_caller_name" },
      { name: "source_ref", i18n: "f_source_ref" },
      { name: "category", i18n: "f_category", type: "select", required: true },
      { name: "address", i18n: "f_address" },
      { name: "urgency", i18n: "f_urgency", type: "select", options: mapOptions("urgency", config.urgencies) },
      { name: "content", i18n: "f_content", type: "textarea", required: true },
      { name: "confidential", i18n: "f_confidential", type: "checkbox" },
    ],
    submit: (values) => {
      const body = { ...values };
      if (!body.source_ref) delete body.source_ref;
      if (!body.urgency) delete body.urgency;
      return api("POST", "/api/orders", body);
    },
    done: (result) => {
      const created = document.getElementById("created");
      created.replaceChildren(i18nEl("span", "created"), " ", orderLink(result.data.number));
      form.inputs.line.dispatchEvent(new Event("change"));
      loadBoard();
    },
  });
  form.querySelector("h3").remove();
  const lineSelect = form.inputs.line;
  const refill = () => fillCategories(form.inputs.category, lineSelect.value);
  lineSelect.addEventListener("change", refill);
  langHooks.push(refill);
  refill();
  const created = el("p", "created");
  created.id = "created";
  form.append(created);
  return form;
}

async function start() {
  initHeader(() => { renderBoard(); renderNotices(); });
  for (const tab of document.querySelectorAll("[data-column]")) {
    tab.addEventListener("click", () => { board.column = tab.dataset.column; renderBoard(); });
  }
  document.getElementById("refresh").addEventListener("click", loadBoard);
  const config = await orderConfig();
  if (config) document.getElementById("new-order").append(newOrderForm(config));
  await loadBoard();
  await loadNotices();
  const reload = debounce(loadBoard, 300);
  connectLive({
    order: reload,
    order_notice: () => { loadNotices(); reload(); },
  });
  setInterval(loadBoard, 60000);
}

start();
