// 我的质检结果: the signed-in agent sees their grades item by item,
// the reviewer's comments and any appeal, and may appeal each grade once.
"use strict";

const RESULT_HEAD = ["h_time", "h_number", "h_line", "h_score", "h_red_lines", "h_actor", "h_appeal", "h_action"];
const DETAIL_HEAD = ["h_item", "h_score", "h_note"];
let results = [];
let picked = null;

async function loadResults() {
  const agent = myId();
  const error = document.getElementById("page-error");
  if (!agent) return;
  const params = new URLSearchParams();
  for (const name of ["from", "to"]) {
    const value = document.getElementById(name).value;
    if (value) params.set(name, value);
  }
  const result = await api("GET", `/api/qa/agents/${encodeURIComponent(agent)}/results?${params}`);
  error.textContent = result.ok ? "" : result.message;
  if (!result.ok) return;
  results = result.data.results;
  document.getElementById("results").replaceChildren(table(RESULT_HEAD, results.map(resultRow)));
  const average = results.length ? results.reduce((sum, r) => sum + r.score, 0) / results.length : null;
  document.getElementById("average").textContent = average === null ? "–" : average.toFixed(2);
  document.getElementById("red-count").textContent = String(results.filter((r) => r.red_lines.length).length);
  if (picked) showDetail(results.find((r) => r.review_id === picked.review_id) || null);
}

function resultRow(item) {
  const row = el("tr", item.red_lines.length ? "qa-failed" : "");
  const number = el("td");
  if (item.order_number) number.append(orderLink(item.order_number));
  else number.textContent = "–";
  const open = i18nEl("button", "qa_open");
  open.type = "button";
  open.addEventListener("click", () => showDetail(item));
  const action = el("td");
  action.append(open);
  row.append(el("td", "", when(item.submitted_at)), number, el("td", "", item.line),
    el("td", "", item.score.toFixed(2)), el("td", "", item.red_lines.join(", ") || "–"),
    el("td", "", item.reviewer), el("td", "", qaAppealState(item.appeal)), action);
  return row;
}

async function showDetail(item) {
  picked = item;
  const panel = document.getElementById("detail-panel");
  panel.hidden = !item;
  if (!item) return;
  document.getElementById("detail-title").textContent =
    `#${item.review_id} · ${item.form.title} v${item.form.version} · ${item.score.toFixed(2)}`;
  const labels = await itemLabels(item.form.id);
  const rows = Object.entries(item.answers).map(([code, answer]) => {
    const row = el("tr", answer.failed ? "qa-failed" : "");
    const score = answer.failed ? t("qa_red_line") : answer.score === null ? t("qa_na") : String(answer.score);
    row.append(el("td", "", labels[code] || code), el("td", "", score), el("td", "", answer.comment || "–"));
    return row;
  });
  const box = document.getElementById("detail");
  box.replaceChildren(table(DETAIL_HEAD, rows));
  if (item.comment) box.append(el("p", "", item.comment));
  if (item.amend_reason) box.append(el("p", "muted", `${t("h_amend_reason")}：${item.amend_reason}`));
  if (item.appeal && item.appeal.decision_note) {
    box.append(el("p", "muted", `${t("qa_decision_note")}：${item.appeal.decision_note}`));
  }
  document.getElementById("appeal-form").hidden = !item.can_appeal;
}

const labelCache = {};
async function itemLabels(formId) {
  if (labelCache[formId]) return labelCache[formId];
  const result = await api("GET", `/api/qa/forms/${formId}`);
  const labels = {};
  if (result.ok) {
    for (const section of result.data.definition.sections) {
      for (const item of section.items) labels[item.code] = item.label;
    }
  }
  labelCache[formId] = labels;
  return labels;
}

async function appeal(event) {
  event.preventDefault();
  const error = document.getElementById("appeal-error");
  error.className = "error";
  const reason = document.getElementById("appeal-reason").value.trim();
  if (!reason) { error.textContent = t("qa_need_reason"); return; }
  const result = await api("POST", `/api/qa/reviews/${picked.review_id}/appeal`, { reason });
  error.textContent = result.ok ? t("sent") : result.message;
  if (!result.ok) return;
  error.className = "error ok";
  document.getElementById("appeal-reason").value = "";
  await loadResults();
}

async function start() {
  initHeader(() => { loadResults(); });
  document.getElementById("from").value = qaDaysAgo(30);
  document.getElementById("to").value = qaToday();
  document.getElementById("period").addEventListener("submit", (event) => { event.preventDefault(); loadResults(); });
  document.getElementById("appeal-form").addEventListener("submit", appeal);
  await signedIn();
  loadResults();
}

start();
