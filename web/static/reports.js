// 统计报表: statistics of a period with SVG charts, and the monthly contract assessment
// with each metric's formula, value, target, deduction and evidence. Chinese first.
"use strict";
(() => {
  const TEXTS = {
    "zh-CN": {
      title: "统计报表与合同考核", stats: "统计", from: "开始日期", to: "结束日期", line: "热线",
      agent: "座席员", category: "分类", show: "查询", excel: "导出 Excel",
      chart_days: "每日呼入与接听", chart_rates: "每日15秒及时应答率与接通率",
      chart_hours: "24小时来电分布", chart_categories: "工单分类", agents: "座席员", topics: "热点",
      not_counted: "不纳入考核工单", hanging: "挂账工单", assessment: "月度合同考核", contract: "合同",
      month: "月份", assess: "考核", offered: "呼入", answered: "接听", abandoned: "放弃",
      rate15: "15秒及时应答率", connection: "接通率", asa: "平均应答", talk: "平均通话",
      wrapup: "平均话后", per_agent: "人均日接听", accepted: "受理工单", accuracy: "派单准确率",
      response: "响应率", callback: "回访率", closure: "按时办结率", satisfaction: "满意率",
      formula: "公式", target: "目标", met: "达标", short: "未达标", no_data: "无数据",
      deduction: "扣减", evidence: "证据", days_short: "未达标天数", total: "合计扣款", score: "总分",
      fee: "月度服务费", none: "无", h_agent: "座席员", h_answered: "接听", h_days: "天数",
      h_per_day: "日均", h_below: "未达标天", h_key: "项目", h_count: "数量", h_change: "环比",
      h_order: "工单", h_reason: "原因", h_unit: "承办单位", h_progress: "本月进展", recording: "录音",
      places: "地点", words: "热词", categories: "分类", loading: "计算中…",
    },
    en: {
      title: "Reports and the contract assessment", stats: "Statistics", from: "From", to: "To",
      line: "Line", agent: "Agent", category: "Category", show: "Show", excel: "Excel",
      chart_days: "Calls offered and answered per day", chart_rates: "15-second rate and connection rate per day",
      chart_hours: "Calls by hour of the day", chart_categories: "Orders by category", agents: "Agents",
      topics: "Hot topics", not_counted: "Orders not counted", hanging: "Hanging orders",
      assessment: "Monthly contract assessment", contract: "Contract", month: "Month", assess: "Assess",
      offered: "Offered", answered: "Answered", abandoned: "Abandoned", rate15: "Answered in 15 s",
      connection: "Connection rate", asa: "ASA", talk: "Avg talk", wrapup: "Avg wrap-up",
      per_agent: "Calls/agent/day", accepted: "Orders accepted", accuracy: "Dispatch accuracy",
      response: "Response rate", callback: "Callback rate", closure: "Closed on time",
      satisfaction: "Satisfaction", formula: "Formula", target: "Target", met: "met", short: "short",
      no_data: "no data", deduction: "Deduction", evidence: "Evidence", days_short: "days short",
      total: "Total deduction", score: "Score", fee: "Monthly fee", none: "none", h_agent: "Agent",
      h_answered: "Answered", h_days: "Days", h_per_day: "Per day", h_below: "Days under",
      h_key: "Item", h_count: "Count", h_change: "Change", h_order: "Order", h_reason: "Reason",
      h_unit: "Unit", h_progress: "Progress this month", recording: "recording", places: "Places",
      words: "Words", categories: "Categories", loading: "Computing…",
    },
  };
  let lang = localStorage.getItem("hotline.lang") || "zh-CN";
  const t = (key) => (TEXTS[lang] || TEXTS["zh-CN"])[key] || TEXTS["zh-CN"][key] || key;
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  let lastStats = null;
  let lastAssessment = null;

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svgEl(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  const pct = (v) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`);
  const num = (v, d = 1) => (v === null || v === undefined ? "—" : Number(v).toFixed(d));

  function applyTexts() {
    document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
    document.documentElement.lang = lang;
    if (lastStats) drawStats(lastStats);
    if (lastAssessment) drawAssessment(lastAssessment);
  }

  function table(headers, rows) {
    const box = el("table", { class: "grid" });
    const head = el("tr");
    headers.forEach((h) => head.append(el("th", {}, h)));
    box.append(head);
    rows.forEach((row) => {
      const tr = el("tr");
      row.forEach((cell) => tr.append(el("td", {}, cell)));
      box.append(tr);
    });
    return rows.length ? box : el("p", { class: "muted" }, t("none"));
  }

  // -- charts: plain SVG -----------------------------------------------------------------
  function frame(svg, labels, max) {
    svg.replaceChildren();
    const [left, top, width, height] = [40, 10, 590, 180];
    svg.append(svgEl("line", { class: "axis", x1: left, y1: top + height, x2: left + width, y2: top + height }));
    svg.append(svgEl("line", { class: "axis", x1: left, y1: top, x2: left, y2: top + height }));
    svg.append(svgEl("text", { x: 2, y: top + 8 }, max));
    const step = width / Math.max(1, labels.length);
    const every = Math.ceil(labels.length / 12);
    labels.forEach((label, i) => {
      if (i % every === 0) svg.append(svgEl("text", { x: left + i * step + 2, y: top + height + 14 }, label));
    });
    return { left, top, width, height, step };
  }
  function bars(svg, labels, series, max) {
    const f = frame(svg, labels, max);
    const each = f.step / (series.length + 1);
    series.forEach((values, s) => values.forEach((v, i) => {
      const h = max ? (f.height * (v || 0)) / max : 0;
      svg.append(svgEl("rect", { class: `s${s}`, x: f.left + i * f.step + s * each + 1, y: f.top + f.height - h, width: Math.max(1, each - 1), height: h }));
    }));
  }
  function lines(svg, labels, series, target) {
    const f = frame(svg, labels, "100%");
    const y = (v) => f.top + f.height - f.height * v;
    if (target !== null) svg.append(svgEl("line", { class: "target", x1: f.left, x2: f.left + f.width, y1: y(target), y2: y(target) }));
    series.forEach((values, s) => {
      const points = values.map((v, i) => (v === null ? null : `${f.left + (i + 0.5) * f.step},${y(v)}`)).filter(Boolean);
      if (points.length) svg.append(svgEl("path", { class: `s${s}`, d: `M${points.join(" L")}` }));
    });
  }

  // -- statistics --------------------------------------------------------------------------
  function tile(label, value, short) {
    const box = el("div", { class: short ? "tile short" : "tile" });
    box.append(el("span", {}, label), el("b", {}, value));
    return box;
  }
  function drawStats(r) {
    const c = r.calls, o = r.orders;
    $("tiles").replaceChildren(
      tile(t("offered"), c.offered), tile(t("answered"), c.answered), tile(t("abandoned"), `${c.abandoned} (${c.short_abandoned})`),
      tile(t("rate15"), pct(c.answer_rate_in_target), c.answer_rate_in_target !== null && c.answer_rate_in_target < 0.9),
      tile(t("connection"), pct(c.connection_rate)), tile(t("asa"), `${num(c.asa_seconds)} s`),
      tile(t("talk"), `${num(c.average_talk_seconds)} s`), tile(t("wrapup"), `${num(c.average_wrapup_seconds)} s`),
      tile(t("per_agent"), `${num(c.calls_per_agent_day)} / ${c.calls_target}`, c.calls_per_agent_day !== null && c.calls_per_agent_day < c.calls_target),
      tile(t("accepted"), o.orders_accepted), tile(t("accuracy"), pct(o.dispatch_accuracy)),
      tile(t("response"), pct(o.response_rate)), tile(t("callback"), pct(o.callback_rate)),
      tile(t("closure"), pct(o.closure_rate)), tile(t("satisfaction"), pct(r.satisfaction.satisfaction_rate)),
    );
    const days = r.by_day.map((d) => d.day.slice(5));
    const top = Math.max(1, ...r.by_day.map((d) => d.offered));
    bars($("chart-days"), days, [r.by_day.map((d) => d.offered), r.by_day.map((d) => d.answered)], top);
    lines($("chart-rates"), days, [r.by_day.map((d) => d.answer_rate_in_target), r.by_day.map((d) => d.connection_rate)], 0.9);
    bars($("chart-hours"), r.by_hour.map((h) => String(h.hour)), [r.by_hour.map((h) => h.offered)], Math.max(1, ...r.by_hour.map((h) => h.offered)));
    const cats = r.topics.top_categories.slice(0, 10);
    bars($("chart-categories"), cats.map((c2) => c2.label), [cats.map((c2) => c2.count), cats.map((c2) => c2.previous)], Math.max(1, ...cats.map((c2) => Math.max(c2.count, c2.previous))));
    $("agents").replaceChildren(table([t("h_agent"), t("h_answered"), t("h_days"), t("h_per_day"), t("h_below")],
      r.agents.map((a) => [a.agent, a.answered, a.days, a.calls_per_day, a.days_below_target])));
    const change = (i) => (i.change === null ? "—" : `${(i.change * 100).toFixed(0)}%`);
    const topics = el("div");
    for (const [key, title] of [["top_categories", "categories"], ["places", "places"], ["words", "words"]]) {
      topics.append(el("h4", {}, t(title)), table([t("h_key"), t("h_count"), t("h_change")], r.topics[key].slice(0, 10).map((i) => [i.label || i.key, i.count, change(i)])));
    }
    $("topics").replaceChildren(topics);
    $("not-counted").replaceChildren(table([t("h_order"), t("h_reason"), ""], r.not_counted.map((n) => [n.order, n.reason_label, n.justification])));
    $("hanging").replaceChildren(table([t("h_order"), t("h_unit"), t("h_progress")], r.hanging.map((h) => [h.order, h.unit || "", h.progress_this_period ? "✓" : "✗"])));
  }

  function statsQuery() {
    const params = new URLSearchParams();
    for (const name of ["from", "to", "line", "agent", "category"]) {
      const value = $(name).value.trim();
      if (value) params.set(name, value);
    }
    return params.toString();
  }
  async function getJson(url) {
    const response = await fetch(url, { credentials: "same-origin" });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.message || `HTTP ${response.status}`);
    return body;
  }
  async function loadStats(event) {
    if (event) event.preventDefault();
    $("page-error").textContent = t("loading");
    try {
      lastStats = await getJson(`/api/reports/stats?${statsQuery()}`);
      $("stats-xlsx").href = `/api/reports/stats.xlsx?${statsQuery()}`;
      $("page-error").textContent = "";
      drawStats(lastStats);
    } catch (error) { $("page-error").textContent = error.message; }
  }

  // -- assessment --------------------------------------------------------------------------
  let contracts = [];
  function drawInputs() {
    const chosen = contracts.find((c) => c.file === $("contract").value);
    const box = $("inputs");
    box.replaceChildren();
    for (const input of (chosen && chosen.inputs) || []) {
      const field = el("input", { id: `in-${input.id}`, name: input.id, type: "number", class: "short", value: input.default ?? "" });
      box.append(el("label", { for: field.id }, input.label), field);
    }
  }
  function assessQuery() {
    const params = new URLSearchParams({ contract: $("contract").value, month: $("month").value });
    $("inputs").querySelectorAll("input").forEach((i) => { if (i.value !== "") params.set(i.name, i.value); });
    return params.toString();
  }
  function evidenceList(items) {
    const list = el("ul");
    items.slice(0, 200).forEach((item) => {
      const li = el("li", {}, `${item.at.slice(0, 16).replace("T", " ")} ${item.ref} — ${item.what}`);
      if (item.recording_id) {
        li.append(" ", el("a", { href: `/recordings?id=${item.recording_id}` }, `${t("recording")} #${item.recording_id}`));
      }
      list.append(li);
    });
    return list;
  }
  function drawAssessment(a) {
    const unit = a.contract.kind === "score" ? "分" : a.contract.currency;
    const box = el("div");
    box.append(el("h3", {}, `${a.contract.name} — ${a.period.label}`));
    for (const m of a.metrics) {
      const div = el("div", { class: m.met === false ? "metric short" : "metric" });
      div.append(el("strong", {}, `${m.label} [${m.id}]`));
      const formula = el("div");
      formula.append(`${t("formula")}: `, el("code", {}, m.formula), ` = ${m.substituted} = ${m.value === null ? t("no_data") : Number(m.value).toFixed(4)}`);
      div.append(formula);
      if (m.target) div.append(el("div", {}, `${t("target")}: ${m.target} → ${m.met === null ? t("no_data") : m.met ? t("met") : t("short")}`));
      if (m.per === "day") div.append(el("div", {}, `${t("days_short")}: ${m.days_short}`));
      div.append(el("div", {}, `${t("deduction")}: ${m.deduction} ${unit}`));
      const items = m.evidence.concat(...m.days.map((d) => d.evidence));
      if (items.length) {
        const details = el("details");
        details.append(el("summary", {}, `${t("evidence")} (${items.length})`), evidenceList(items));
        div.append(details);
      }
      box.append(div);
    }
    const total = a.contract.kind === "score" ? `${t("score")}: ${a.score} / ${a.contract.total_points}` : `${t("total")}: ${a.total_deduction} ${unit}`;
    box.append(el("p", { class: "total" }, total));
    if (a.fee !== null) box.append(el("p", { class: "total" }, `${t("fee")}: ${a.fee_formula} = ${a.fee_substituted} = ${a.fee} ${a.contract.currency}`));
    $("assessment").replaceChildren(box);
  }
  async function loadAssessment(event) {
    if (event) event.preventDefault();
    $("assessment").replaceChildren(el("p", { class: "muted" }, t("loading")));
    try {
      lastAssessment = await getJson(`/api/reports/assess?${assessQuery()}`);
      $("assess-xlsx").href = `/api/reports/assess.xlsx?${assessQuery()}`;
      drawAssessment(lastAssessment);
    } catch (error) { $("assessment").replaceChildren(el("p", { class: "error" }, error.message)); }
  }
  async function loadContracts() {
    try {
      contracts = (await getJson("/api/reports/contracts")).contracts;
      $("contract").replaceChildren(...contracts.map((c) => el("option", { value: c.file }, c.problems.length ? `${c.file} ⚠` : `${c.name} (${c.file})`)));
      drawInputs();
    } catch (error) { $("page-error").textContent = error.message; }
  }

  function start() {
    const today = new Date();
    const first = new Date(today.getFullYear(), today.getMonth() - 1, 1);
    const last = new Date(today.getFullYear(), today.getMonth(), 0);
    const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
    // a link may name the period: /reports?from=2026-11-01&to=2026-11-24&month=2026-11
    const asked = new URLSearchParams(window.location.search);
    const day = /^\d{4}-\d{2}-\d{2}$/;
    $("from").value = day.test(asked.get("from") || "") ? asked.get("from") : iso(first);
    $("to").value = day.test(asked.get("to") || "") ? asked.get("to") : iso(last);
    $("month").value = /^\d{4}-\d{2}$/.test(asked.get("month") || "") ? asked.get("month") : iso(first).slice(0, 7);
    $("stats-form").addEventListener("submit", loadStats);
    $("assess-form").addEventListener("submit", loadAssessment);
    $("contract").addEventListener("change", drawInputs);
    window.addEventListener("hotline:lang", (event) => { lang = event.detail.lang; applyTexts(); });
    applyTexts();
    loadContracts();
    loadStats();
  }
  start();
})();
