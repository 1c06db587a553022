// 承办单位: a unit's orders to sign for and to handle; sign, return, reply with the five
// elements and photos, ask for more time.
"use strict";

const UNIT = pathPart(2);
const UNIT_PATH = `/api/units/${encodeURIComponent(UNIT)}`;
const cards = new Map(); // number -> {key, node}: a card keeps what was typed until its order changes
let unitData = null;

async function load() {
  const result = await api("GET", `${UNIT_PATH}/orders`);
  document.getElementById("page-error").textContent = result.ok ? "" : result.message;
  if (!result.ok) return;
  unitData = result.data;
  renderHead();
  const toSign = [], handling = [];
  for (const order of unitData.orders) (order.assignment === "active" ? toSign : handling).push(cardOf(order));
  const numbers = new Set(unitData.orders.map((o) => o.number));
  for (const number of [...cards.keys()]) if (!numbers.has(number)) cards.delete(number);
  fillList("to-sign", toSign);
  fillList("handling", handling);
}
function renderHead() {
  if (!unitData) return;
  document.getElementById("unit-name").textContent = `${unitData.unit.name} (${unitData.unit.code})`;
  document.getElementById("unit-kind").textContent = unitData.unit.kind_label;
}
function fillList(id, nodes) {
  const box = document.getElementById(id);
  box.replaceChildren(...nodes);
  if (!nodes.length) box.append(i18nEl("p", "empty", "muted"));
}

function cardOf(order) {
  const key = `${order.status}/${order.assignment}/${order.escalation}/${order.deadline && order.deadline.due_at}`;
  const known = cards.get(order.number);
  if (known && known.key === key) return known.node;
  const node = buildCard(order);
  cards.set(order.number, { key, node });
  return node;
}

function buildCard(order) {
  const card = el("article", "card");
  const head = el("div", "card-head");
  const deadline = el("span", "deadline");
  if (order.deadline) {
    const cell = deadlineCell(order.deadline);
    deadline.dataset.due = cell.dataset.due;
    deadline.dataset.name = cell.dataset.name;
    deadline.dataset.label = cell.dataset.label;
    deadline.textContent = cell.textContent;
  }
  head.append(el("strong", "", order.number), " ", el("span", `status ${order.status}`, label("status", order.status, order.status_label)),
    " ", el("span", "badge", t(`role_${order.role}`)), badges(order), deadline);
  const fields = el("dl", "fields");
  const pairs = [["h_category", categoryLabel(order.category)], ["h_address", order.address || "–"],
    ["h_caller", callerText(order)], ["h_content", order.content]];
  for (const [key, value] of pairs) fields.append(i18nEl("dt", key), el("dd", "", value));
  card.append(head, fields, ...unitActions(order));
  return card;
}

function unitPost(order, step, body) {
  return api("POST", `${UNIT_PATH}/orders/${encodeURIComponent(order.number)}/${step}`, body);
}
function unitActions(order) {
  const forms = [];
  const returnForm = actionForm({
    i18n: "act_unit_return",
    fields: [{ name: "reason", i18n: "f_reason", type: "textarea", required: true }],
    submit: (v) => unitPost(order, "return", v),
    done: load,
  });
  if (order.assignment === "active") {
    forms.push(actionForm({ i18n: "act_unit_sign", fields: [], submit: () => unitPost(order, "sign", {}), done: load }));
  }
  if (order.assignment === "signed" && order.status === "handling") forms.push(replyForm(order), extensionForm(order));
  if (["dispatched", "handling"].includes(order.status)) forms.push(returnForm);
  return forms;
}

function replyForm(order) {
  const uploaded = new Map(); // a photo already stored is not sent again when the reply is retried
  return actionForm({
    i18n: "act_reply",
    fields: [
      { name: "handled_at", i18n: "f_handled_at", type: "datetime-local", required: true },
      { name: "place", i18n: "f_place", required: true, value: order.address || "" },
      { name: "person", i18n: "f_person", required: true },
      { name: "matter", i18n: "f_matter", type: "textarea", required: true },
      { name: "result", i18n: "f_result", type: "textarea", required: true },
      { name: "resolved", i18n: "f_resolved", type: "checkbox", value: true },
      { name: "photos", i18n: "f_photos", type: "file", accept: "image/*", multiple: true },
    ],
    submit: async (v) => {
      const ids = [];
      for (const file of v.photos) {
        const id = `${file.name}/${file.size}/${file.lastModified}`;
        if (!uploaded.has(id)) {
          const result = await uploadPhoto(order.number, file);
          if (!result.ok) return { ...result, message: `${t("upload_failed")}（${file.name}）: ${result.message}` };
          uploaded.set(id, result.data.id);
        }
        ids.push(uploaded.get(id));
      }
      const { photos, ...reply } = v;
      return unitPost(order, "reply", { ...reply, attachments: ids });
    },
    done: load,
  });
}
function extensionForm(order) {
  return actionForm({
    i18n: "act_extension",
    fields: [
      { name: "until", i18n: "f_until", type: "datetime-local", required: true },
      { name: "reason", i18n: "f_reason", type: "textarea", required: true },
    ],
    submit: (v) => unitPost(order, "extension", v),
    done: load,
  });
}

async function start() {
  initHeader(renderHead);
  await orderConfig();
  await load();
  const reload = debounce(load, 300);
  connectLive({ order: reload, order_notice: (event) => { if (event.unit === UNIT) reload(); } });
  setInterval(load, 60000);
}

start();
