// 工单详情: one order with its deadlines, timeline, units, replies, extensions and callbacks,
// and the steps its status allows.
"use strict";

const NUMBER = pathPart(2);
const ORDER_PATH = `/api/orders/${encodeURIComponent(NUMBER)}`;
const OPEN_STATUSES = ["pending_sign", "accepted", "dispatched", "handling", "unit_returned", "replied", "hanging"];
let detail = null;
let actionsKey = "";

async function load() {
  const result = await api("GET", ORDER_PATH);
  document.getElementById("page-error").textContent = result.ok ? "" : result.message;
  if (!result.ok) return;
  detail = result.data;
  render();
  // re-built only when the steps allowed change, so that live updates never wipe typed text
  const key = `${detail.status}/${detail.extensions.filter((x) => !x.decided_at).length}/${detail.not_counted}`;
  if (key !== actionsKey) renderActions();
  actionsKey = key;
}

function render() {
  if (!detail) return;
  document.getElementById("order-number").textContent = detail.number;
  const status = document.getElementById("order-status");
  status.textContent = label("status", detail.status, detail.status_label);
  status.className = `status ${detail.status}`;
  document.getElementById("order-badges").replaceChildren(badges(detail));
  renderFields();
  renderDeadlines();
  put("timeline", table(["h_time", "h_step", "h_actor", "h_change", "h_note"], detail.timeline.map(eventRow)));
  put("assignments", table(["h_unit", "h_role", "h_state", "h_time", "h_note"], detail.assignments.map(assignmentRow)));
  put("replies", replies());
  put("extensions", table(["h_unit", "h_time", "f_until", "f_reason", "h_result"], detail.extensions.map(extensionRow)));
  put("revisits", table(
    ["h_attempt", "h_time", "h_agent", "h_seat", "h_result", "f_resolved", "h_note", "h_call", "h_recording"],
    detail.revisits.map(revisitRow),
  ));
}
function put(id, node) { document.getElementById(id).replaceChildren(node); }
function cells(row, values) {
  for (const value of values) row.append(value instanceof Node ? wrapCell(value) : el("td", "", value ?? "–"));
  return row;
}
function wrapCell(node) { const cell = el("td"); cell.append(node); return cell; }
function yesNo(value) { return value === null || value === undefined ? "–" : t(value ? "yes" : "no"); }

function renderFields() {
  const d = detail;
  const pairs = [
    ["h_line", d.line], ["h_channel", label("channel", d.channel, d.channel_label)],
    ["h_caller", callerText(d)], ["h_category", categoryLabel(d.category)], ["h_address", d.address || "–"],
    ["h_urgency", label("urgency", d.urgency, "")], ["h_content", d.content],
    ["h_unit", d.main_unit ? unitName(d.main_unit) : "–"], ["f_result", d.result || "–"],
  ];
  if (d.satisfaction) pairs.push(["satisfaction", label("result", d.satisfaction, "")]);
  if (d.not_counted) pairs.push(["badge_not_counted", `${label("reason", d.not_counted, d.not_counted_label)} · ${d.not_counted_note || ""}`]);
  if (d.merged_into) pairs.push(["act_merge", orderLink(d.merged_into)]);
  if (d.call) pairs.push(["h_call", `${d.call.server} / ${d.call.call_id}`]);
  for (const [name, iso] of Object.entries(d.times || {})) if (iso) pairs.push([`f_times_${name}`, when(iso)]);
  const box = document.getElementById("fields");
  box.replaceChildren();
  for (const [key, value] of pairs) {
    const dd = el("dd");
    dd.append(value);
    box.append(i18nEl("dt", key), dd);
  }
}

function renderDeadlines() {
  const running = detail.deadline && detail.deadline.name;
  const rows = Object.entries(detail.deadlines || {}).filter(([, due]) => due).map(([name, due]) => {
    const row = cells(el("tr"), [label("deadline", name, ""), when(due)]);
    row.append(name === running ? deadlineCell(detail.deadline) : el("td", "", ""));
    return row;
  });
  put("deadlines", table(["h_deadline", "h_due", "h_state"], rows));
}

function eventRow(event) {
  const change = event.from === event.to || !event.from
    ? label("status", event.to, "")
    : `${label("status", event.from, "")} → ${label("status", event.to, "")}`;
  return cells(el("tr"), [when(event.at), label("step", event.step, event.step_label), event.actor, change, event.note || ""]);
}
function assignmentRow(a) {
  const note = [a.signed_at ? `${t("act_unit_sign")} ${when(a.signed_at)}` : "",
    a.returned_at ? `${t("act_unit_return")} ${when(a.returned_at)}: ${a.return_reason || ""}` : "",
    a.wrongly_assigned ? t("f_wrongly") : ""].filter(Boolean).join(" · ");
  return cells(el("tr"), [unitName(a.unit), t(`role_${a.role}`), t(`assign_${a.state}`), when(a.dispatched_at), note]);
}
function extensionRow(x) {
  const decision = x.decided_at ? `${t(x.approved ? "approved" : "refused")} ${x.decision_note || ""}` : t("extension_pending");
  return cells(el("tr"), [unitName(x.unit), when(x.asked_at), when(x.until), x.reason, decision]);
}
function revisitRow(r) {
  return cells(el("tr"), [
    String(r.attempt), when(r.placed_at), r.agent, r.seat || "–", label("result", r.result, r.result_label),
    yesNo(r.resolved), r.note || "", r.call_id ? `${r.server || ""} ${r.call_id}`.trim() : "–", r.recording_path || "–",
  ]);
}

function replies() {
  const box = el("div");
  if (!detail.replies.length) box.append(i18nEl("p", "empty", "muted"));
  for (const reply of detail.replies) {
    const card = el("div", "reply");
    card.append(el("div", "muted", `${unitName(reply.unit)} · ${reply.by} · ${when(reply.at)}`));
    const list = el("dl", "fields");
    for (const name of ["handled_at", "place", "person", "matter", "result"]) {
      const dd = el("dd", "", reply[name]);
      list.append(i18nEl("dt", `f_${name}`), dd);
    }
    list.append(i18nEl("dt", "f_resolved"), el("dd", "", yesNo(reply.resolved)));
    card.append(list, photos(detail.attachments.filter((a) => a.reply_id === reply.id)));
    box.append(card);
  }
  const loose = detail.attachments.filter((a) => !a.reply_id);
  if (loose.length) box.append(photos(loose));
  return box;
}
function photos(attachments) {
  const strip = el("div", "photos");
  for (const file of attachments) {
    const href = `${ORDER_PATH}/attachments/${file.id}`;
    const a = link(href, "");
    a.target = "_blank";
    if ((file.content_type || "").startsWith("image/")) {
      const img = el("img");
      img.src = href;
      img.alt = `${t("photo_of")} ${file.name}`;
      img.loading = "lazy";
      a.append(img);
    } else {
      a.textContent = file.name;
    }
    strip.append(a);
  }
  return strip;
}

// -- actions --------------------------------------------------------------------------

function post(step, body) { return api("POST", `${ORDER_PATH}/${step}`, body); }
function noteForm(i18n, step, field) {
  const name = field || "note";
  return actionForm({
    i18n,
    fields: [{ name, i18n: `f_${name}`, type: "textarea", required: name !== "note" }],
    submit: (v) => post(step, v),
    done: load,
  });
}

function renderActions() {
  const box = document.getElementById("actions");
  box.replaceChildren();
  const forms = actionsFor(detail.status);
  if (!forms.length) box.append(i18nEl("p", "no_actions", "muted"));
  box.append(...forms);
}

function actionsFor(status) {
  const forms = [];
  const open = OPEN_STATUSES.includes(status);
  if (status === "pending_sign") forms.push(noteForm("act_sign", "sign"), noteForm("act_return_up", "return-up", "reason"));
  if (status === "accepted") forms.push(dispatchForm(false));
  if (status === "unit_returned") forms.push(dispatchForm(true), noteForm("act_reject_return", "reject-return"));
  if (["accepted", "dispatched", "handling"].includes(status)) forms.push(noteForm("act_respond", "respond"));
  if (["pending_sign", "accepted"].includes(status)) forms.push(mergeForm());
  if (["handling", "replied"].includes(status)) forms.push(noteForm("act_hang", "hang", "reason"));
  if (status === "hanging") forms.push(noteForm("act_hanging_progress", "hanging-progress"), noteForm("act_resume", "resume"));
  if (["handling", "hanging", "replied"].includes(status) && detail.extensions.some((x) => !x.decided_at)) {
    forms.push(decideForm());
  }
  if (open) forms.push(noteForm("act_follow_up", "follow-up"), noteForm("act_urge", "urge"), noteForm("act_supervise", "supervise"));
  if (status !== "draft" && status !== "merged" && !detail.not_counted) forms.push(notCountedForm());
  return forms;
}

function dispatchForm(again) {
  const options = unitOptions(detail.line);
  const fields = [
    { name: "main_unit", i18n: "f_main_unit", type: "select", options, required: true },
    { name: "assisting", i18n: "f_assisting", type: "select", options, multiple: true },
  ];
  if (again) fields.push({ name: "wrongly_assigned", i18n: "f_wrongly", type: "checkbox" });
  fields.push({ name: "note", i18n: "f_note", type: "textarea" });
  const form = actionForm({
    i18n: again ? "act_redispatch" : "act_dispatch",
    fields,
    submit: (v) => post(again ? "redispatch" : "dispatch", { ...v, assisting: v.assisting.filter((u) => u !== v.main_unit) }),
    done: load,
  });
  const box = el("div", "suggestions");
  form.querySelector("h3").after(box);
  loadSuggestions(box, form.inputs.main_unit);
  return form;
}
async function loadSuggestions(box, select) {
  const result = await api("GET", `${ORDER_PATH}/suggestions`);
  if (!result.ok) { box.append(el("span", "error", result.message)); return; }
  if (!result.data.suggestions.length) return;
  box.append(i18nEl("span", "suggestions", "muted"));
  for (const s of result.data.suggestions) {
    const button = el("button", "chip", s.unit.name);
    button.type = "button";
    button.title = (s.reasons || []).join("；");
    button.addEventListener("click", () => { select.value = s.unit.code; });
    box.append(button);
  }
}
function mergeForm() {
  return actionForm({
    i18n: "act_merge",
    fields: [
      { name: "into", i18n: "f_into", required: true, value: detail.duplicate_of || "" },
      { name: "note", i18n: "f_note", type: "textarea" },
    ],
    submit: (v) => post("merge", v),
    done: load,
  });
}
function notCountedForm() {
  return actionForm({
    i18n: "act_not_counted",
    fields: [
      { name: "reason", i18n: "f_reason", type: "select", required: true,
        options: mapOptions("reason", configCache ? configCache.not_counted_reasons : {}) },
      { name: "justification", i18n: "f_justification", type: "textarea", required: true },
    ],
    submit: (v) => post("not-counted", v),
    done: load,
  });
}
function decideForm() {
  return actionForm({
    i18n: "act_decide_extension",
    fields: [
      { name: "approve", i18n: "f_approve", type: "checkbox", value: true },
      { name: "note", i18n: "f_note", type: "textarea" },
    ],
    submit: (v) => post("extension/decide", v),
    done: load,
  });
}

async function start() {
  initHeader(render);
  document.title = `${NUMBER} · ${document.title}`;
  await orderConfig();
  await load();
  const reload = debounce(load, 300);
  connectLive({
    order: (event) => { if (event.number === NUMBER) reload(); },
    order_notice: (event) => { if (event.order === NUMBER) reload(); },
  });
}

start();
