// 质检管理: a day's sampling plan with the reason of each sample (made or shown again),
// the appeals to decide (uphold, or overturn with corrected answers), the spread of a
// calibration sample among reviewers, and the figures: scores per agent and team,
// red lines, the most common errors, the work-order quality score and satisfaction.
"use strict";

const PLAN_HEAD = ["h_sample", "h_line", "h_agent", "h_number", "h_reasons", "h_state", "h_actor"];
const APPEAL_HEAD = ["h_time", "h_agent", "h_score", "h_red_lines", "h_reason", "h_action"];
const CALIBRATION_HEAD = ["h_actor", "h_score", "h_red_lines"];
const ITEM_SPREAD_HEAD = ["h_item", "h_scores", "h_spread"];
const AGENT_HEAD = ["h_agent", "h_reviews", "h_average", "h_red_lines"];
const TEAM_HEAD = ["h_team", "h_reviews", "h_average", "h_red_lines"];
const ERROR_HEAD = ["h_item", "h_count", "h_lost_points"];
let deciding = null; // {appeal, render}

// -- the plan -------------------------------------------------------------------------

async function showPlan() {
  const day = document.getElementById("plan-day").value;
  const error = document.getElementById("plan-error");
  error.className = "error";
  if (!day) { error.textContent = t("qa_need_day"); return; }
  const result = await api("GET", `/api/qa/plans/${day}`);
  error.textContent = result.ok ? "" : result.status === 404 ? t("qa_no_plan") : result.message;
  renderPlan(result.ok ? result.data : null);
}

async function makePlan(event) {
  event.preventDefault();
  const error = document.getElementById("plan-error");
  error.className = "error";
  const body = { day: document.getElementById("plan-day").value };
  const seed = document.getElementById("plan-seed").value;
  if (seed !== "") body.seed = Number(seed);
  const rules = {};
  const share = document.getElementById("plan-share").value;
  if (share !== "") rules.share = Number(share) / 100;
  const minimum = document.getElementById("plan-minimum").value;
  if (minimum !== "") rules.minimum_per_agent = Number(minimum);
  if (Object.keys(rules).length) body.rules = rules;
  const result = await api("POST", "/api/qa/plans", body);
  error.textContent = result.ok ? t("saved") : result.message;
  if (!result.ok) return;
  error.className = "error ok";
  renderPlan(result.data);
}

function renderPlan(plan) {
  const info = document.getElementById("plan-info");
  if (!plan) {
    info.textContent = "";
    document.getElementById("plan").replaceChildren();
    return;
  }
  info.textContent = `${t("qa_seed")} ${plan.seed} · ${t("qa_share")} ${(plan.rules.share * 100).toFixed(1)} · ` +
    `${t("qa_minimum")} ${plan.rules.minimum_per_agent} · ${plan.created_by} · ${when(plan.created_at)}`;
  const rows = plan.samples.map((sample) => {
    const row = el("tr", "order-row");
    const number = el("td");
    if (sample.order) number.append(orderLink(sample.order));
    else number.textContent = "–";
    const reasons = el("td");
    reasons.append(qaReasons(sample.reasons));
    row.append(el("td", "", `#${sample.id}`), el("td", "", sample.line), el("td", "", sample.agent || "–"),
      number, reasons, el("td", "", t(`qa_state_${sample.state}`)), el("td", "", sample.claimed_by || "–"));
    row.addEventListener("click", (event) => {
      if (event.target.closest("a")) return;
      if (sample.calibration) showCalibration(sample.id);
      else location.href = `/qa?sample=${sample.id}`;
    });
    return row;
  });
  document.getElementById("plan").replaceChildren(table(PLAN_HEAD, rows));
}

// -- appeals --------------------------------------------------------------------------

async function loadAppeals() {
  const result = await api("GET", "/api/qa/appeals");
  if (!result.ok) { document.getElementById("page-error").textContent = result.message; return; }
  const appeals = result.data.appeals;
  document.getElementById("appeal-count").textContent = String(appeals.length);
  document.getElementById("appeals").replaceChildren(table(APPEAL_HEAD, appeals.map(appealRow)));
  if (deciding && !appeals.some((a) => a.id === deciding.appeal.id)) {
    deciding = null;
    document.getElementById("decide-box").hidden = true;
  }
}

function appealRow(appeal) {
  const row = el("tr");
  const open = i18nEl("button", "qa_decide");
  open.type = "button";
  open.addEventListener("click", () => startDecision(appeal));
  const action = el("td");
  action.append(open);
  row.append(el("td", "", when(appeal.filed_at)), el("td", "", appeal.agent),
    el("td", "", appeal.review.score.toFixed(2)), el("td", "", appeal.review.red_lines.join(", ") || "–"),
    el("td", "", appeal.reason), action);
  return row;
}

async function startDecision(appeal) {
  const result = await api("GET", `/api/qa/forms/${appeal.review.form_id}`);
  const error = document.getElementById("decide-error");
  if (!result.ok) { error.textContent = result.message; return; }
  const box = document.getElementById("decide-form");
  const definition = result.data.definition;
  const render = qaRenderForm(box, definition, appeal.review.answers, decisionScore);
  deciding = { appeal, render };
  document.getElementById("decide-title").textContent = `#${appeal.id} · ${appeal.agent}`;
  document.getElementById("decide-box").hidden = false;
  document.getElementById("upheld-yes").checked = true;
  showDecisionForm();
  decisionScore();
}

function showDecisionForm() {
  const overturn = document.getElementById("upheld-no").checked;
  document.getElementById("decide-form").hidden = !overturn;
}

function decisionScore() {
  document.getElementById("decide-score").textContent = deciding ? qaScoreText(deciding.render.score()) : "–";
}

async function decide() {
  const error = document.getElementById("decide-error");
  error.className = "error";
  if (!deciding) return;
  const upheld = document.getElementById("upheld-yes").checked;
  const body = { upheld, note: document.getElementById("decide-note").value.trim() };
  if (!upheld) body.answers = deciding.render.answers();
  const result = await api("POST", `/api/qa/appeals/${deciding.appeal.id}/decide`, body);
  error.textContent = result.ok ? t("saved") : result.message;
  if (!result.ok) return;
  error.className = "error ok";
  document.getElementById("decide-note").value = "";
  await loadAppeals();
  loadFigures();
}

// -- calibration ----------------------------------------------------------------------

async function showCalibration(id) {
  document.getElementById("calibration-sample").value = String(id);
  const result = await api("GET", `/api/qa/samples/${id}/calibration`);
  const error = document.getElementById("calibration-error");
  error.textContent = result.ok ? "" : result.message;
  const box = document.getElementById("calibration");
  if (!result.ok) { box.replaceChildren(); return; }
  const data = result.data;
  const rows = data.reviews.map((review) => {
    const row = el("tr");
    row.append(el("td", "", review.reviewer), el("td", "", review.score.toFixed(2)),
      el("td", "", review.red_lines.join(", ") || "–"));
    return row;
  });
  const items = Object.entries(data.items).map(([code, spread]) => {
    const row = el("tr", spread.spread > 0 ? "qa-failed" : "");
    const given = Object.entries(spread.scores).map(([who, score]) => `${who}: ${score}`).join(" · ");
    row.append(el("td", "", code), el("td", "", given), el("td", "", number(spread.spread)));
    return row;
  });
  const summary = el("p", "", `${t("qa_spread")}: ${number(data.spread)} (${number(data.min)} – ${number(data.max)}) · ` +
    `${t("h_average")}: ${number(data.mean)}`);
  box.replaceChildren(summary, table(CALIBRATION_HEAD, rows), table(ITEM_SPREAD_HEAD, items));
}

function number(value) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(2).replace(/\.00$/, "");
}

// -- figures --------------------------------------------------------------------------

function period() {
  const params = new URLSearchParams();
  for (const name of ["from", "to"]) {
    const value = document.getElementById(name).value;
    if (value) params.set(name, value);
  }
  return params;
}

async function loadFigures() {
  const [figures, satisfaction] = await Promise.all([
    api("GET", `/api/qa/figures?${period()}`),
    api("GET", `/api/qa/satisfaction?${period()}`),
  ]);
  const error = document.getElementById("page-error");
  error.textContent = figures.ok ? (satisfaction.ok ? "" : satisfaction.message) : figures.message;
  if (figures.ok) showFigures(figures.data);
  if (satisfaction.ok) showSatisfaction(satisfaction.data);
}

function groupRows(groups, key) {
  return groups.map((figure) => {
    const row = el("tr");
    const name = key === "agent" && figure.team ? `${figure.agent} · ${figure.team}` : figure[key];
    row.append(el("td", "", name || "–"), el("td", "", String(figure.reviews)), el("td", "", number(figure.average)),
      el("td", "", String(figure.red_lines)));
    return row;
  });
}

function showFigures(data) {
  document.getElementById("by-agent").replaceChildren(table(AGENT_HEAD, groupRows(data.agents, "agent")));
  document.getElementById("by-team").replaceChildren(table(TEAM_HEAD, groupRows(data.teams, "team")));
  const lines = data.red_line_items.map((entry) => {
    const row = el("tr", "qa-failed");
    row.append(el("td", "", `${t("qa_red_line")} · ${entry.label}`), el("td", "", String(entry.count)), el("td", "", "–"));
    return row;
  });
  const errors = data.errors.map((entry) => {
    const row = el("tr");
    row.append(el("td", "", entry.label), el("td", "", String(entry.times)), el("td", "", number(entry.lost)));
    return row;
  });
  document.getElementById("errors").replaceChildren(table(ERROR_HEAD, [...lines, ...errors]));
  const totals = document.getElementById("totals");
  totals.replaceChildren();
  const pairs = [["h_reviews", String(data.reviews)], ["h_average", number(data.average)],
    ["h_red_lines", String(data.red_lines)], ["qa_order_quality", `${number(data.work_order_quality)} / 15`]];
  for (const [key, value] of pairs) totals.append(i18nEl("dt", key), el("dd", "", value));
}

function showSatisfaction(data) {
  const box = document.getElementById("satisfaction");
  box.replaceChildren();
  const rate = (value) => (value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)}%`);
  const pairs = [["qa_rated", String(data.rated)], ["qa_satisfied", String(data.satisfied)],
    ["qa_basically_satisfied", String(data.basically_satisfied)], ["qa_unsatisfied", String(data.unsatisfied)],
    ["qa_rate", rate(data.rate)]];
  for (const [key, value] of pairs) box.append(i18nEl("dt", key), el("dd", "", value));
  for (const source of ["survey", "callback"]) {
    const part = data[source];
    if (part) box.append(i18nEl("dt", `qa_source_${source}`), el("dd", "", `${part.rated} · ${rate(part.rate)}`));
  }
}

function start() {
  initHeader(() => { showPlan(); loadAppeals(); loadFigures(); });
  const yesterday = qaDaysAgo(1);
  document.getElementById("plan-day").value = yesterday;
  document.getElementById("from").value = qaDaysAgo(30);
  document.getElementById("to").value = qaToday();
  document.getElementById("plan-form").addEventListener("submit", makePlan);
  document.getElementById("plan-show").addEventListener("click", showPlan);
  document.getElementById("upheld-yes").addEventListener("change", showDecisionForm);
  document.getElementById("upheld-no").addEventListener("change", showDecisionForm);
  document.getElementById("decide").addEventListener("click", decide);
  document.getElementById("calibration-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = document.getElementById("calibration-sample").value;
    if (id) showCalibration(Number(id));
  });
  document.getElementById("figures-form").addEventListener("submit", (event) => { event.preventDefault(); loadFigures(); });
  showPlan();
  loadAppeals();
  loadFigures();
}

start();
