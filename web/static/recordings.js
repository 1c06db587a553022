// 录音查询: recordings by caller, agent, seat, line, date, duration, work order and outcome;
// the player (every playback says who and why), its waveform, legal hold and who listened.
"use strict";

const RESULT_HEAD = ["h_time", "h_line", "h_kind", "h_caller", "h_seat", "h_agent", "h_duration", "h_outcome",
  "h_number", "h_state"];
const ACCESS_HEAD = ["h_time", "h_actor", "h_action", "h_source", "h_reason"];
const PAGE_SIZE = 50;
const OTHER_REASON = "其他";
let offset = 0;
let total = 0;
let current = null; // the selected recording, with its waveform and access log

// -- the list -------------------------------------------------------------------------

function searchParams() {
  const params = new URLSearchParams();
  for (const input of document.getElementById("search").querySelectorAll("input, select")) {
    const value = input.value.trim();
    if (value) params.set(input.name, value);
  }
  params.set("limit", String(PAGE_SIZE));
  params.set("offset", String(offset));
  return params;
}

async function search() {
  const result = await api("GET", `/api/recordings?${searchParams()}`);
  document.getElementById("page-error").textContent = result.ok ? "" : result.message;
  if (!result.ok) return;
  total = result.data.total;
  document.getElementById("total").textContent = String(total);
  document.getElementById("results").replaceChildren(table(RESULT_HEAD, result.data.recordings.map(resultRow)));
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  document.getElementById("page-no").textContent = `${Math.floor(offset / PAGE_SIZE) + 1} / ${pages}`;
  document.getElementById("prev").disabled = offset === 0;
  document.getElementById("next").disabled = offset + PAGE_SIZE >= total;
}

function resultRow(rec) {
  const row = el("tr", "order-row");
  row.dataset.id = String(rec.id);
  if (current && current.id === rec.id) row.classList.add("picked");
  const number = el("td");
  if (rec.order) number.append(orderLink(rec.order));
  else number.textContent = "–";
  const state = el("td", `rec-state ${rec.state}`, t(`rec_state_${rec.state}`));
  if (rec.legal_hold) state.append(el("span", "badge supervise", t("rec_held")));
  row.append(el("td", "", when(rec.started_at)), el("td", "", rec.line), el("td", "", t(`kind_${rec.kind}`)),
    el("td", "", rec.caller || "–"), el("td", "", rec.seat || "–"), el("td", "", rec.agent || "–"),
    el("td", "", seconds(rec.duration_seconds)), el("td", "", label("outcome", rec.outcome)), number, state);
  row.addEventListener("click", (event) => {
    if (event.target.closest("a")) return;
    pick(rec.id);
  });
  return row;
}

function seconds(value) { return value === null || value === undefined ? "–" : duration(value); }
function bytes(value) { return value === null || value === undefined ? "–" : `${(value / 1024).toFixed(1)} KB`; }

// -- one recording --------------------------------------------------------------------

async function pick(id) {
  const result = await api("GET", `/api/recordings/${id}`);
  document.getElementById("player-error").textContent = result.ok ? "" : result.message;
  if (!result.ok) return;
  const audio = document.getElementById("audio");
  if (!current || current.id !== id) {
    audio.pause();
    audio.removeAttribute("src");
    audio.load();
  }
  show(result.data);
  for (const row of document.querySelectorAll("#results tr[data-id]")) {
    row.classList.toggle("picked", row.dataset.id === String(id));
  }
}

function show(rec) {
  current = rec;
  const picked = document.getElementById("picked");
  picked.dataset.i18n = "rec_picked";
  picked.textContent = `${t("rec_picked")} #${rec.id} · ${rec.call_id}`;
  const order = el("dd");
  if (rec.order) order.append(orderLink(rec.order));
  else order.textContent = "–";
  const pairs = [["h_time", when(rec.started_at)], ["h_line", rec.line], ["h_kind", t(`kind_${rec.kind}`)],
    ["h_caller", rec.caller || "–"], ["h_seat", rec.seat || "–"], ["h_agent", rec.agent || "–"],
    ["h_duration", seconds(rec.duration_seconds)], ["h_size", `${bytes(rec.size)} · ${rec.format || "–"}`],
    ["h_state", t(`rec_state_${rec.state}`)], ["h_sha256", rec.sha256 || "–"],
    ["h_purge_after", rec.legal_hold ? `${t("rec_held")} · ${rec.hold_reason}` : when(rec.purge_after)]];
  const fields = document.getElementById("details");
  fields.replaceChildren();
  for (const [key, value] of pairs) fields.append(i18nEl("dt", key), el("dd", "", value));
  fields.append(i18nEl("dt", "h_number"), order);
  document.getElementById("hold").disabled = rec.legal_hold;
  document.getElementById("release").disabled = !rec.legal_hold;
  showAccess(rec.access);
  drawWave();
}

function showAccess(entries) {
  const rows = entries.map((entry) => {
    const row = el("tr");
    row.append(el("td", "", when(entry.at)), el("td", "", entry.actor), el("td", "", t(`access_${entry.action}`)),
      el("td", "", entry.source || "–"), el("td", "", entry.reason || "–"));
    return row;
  });
  document.getElementById("access").replaceChildren(table(ACCESS_HEAD, rows));
}

// -- the player -----------------------------------------------------------------------

function reasonText() {
  const why = document.getElementById("why").value;
  const note = document.getElementById("why-note").value.trim();
  if (!why) return "";
  return note ? `${why}：${note}` : why;
}

// Why the recording cannot be played yet, or "".
function notReady() {
  if (!current) return t("rec_pick_one");
  if (current.state !== "stored") return t("rec_not_stored");
  if (!reasonText()) return t("rec_need_reason");
  const why = document.getElementById("why").value;
  if (why === OTHER_REASON && !document.getElementById("why-note").value.trim()) return t("rec_need_note");
  return "";
}

function audioUrl(kind) {
  const params = new URLSearchParams({ reason: reasonText() });
  return `/api/recordings/${current.id}/${kind}?${params}`;
}

async function play() {
  const error = document.getElementById("player-error");
  error.textContent = notReady();
  if (error.textContent) return;
  const audio = document.getElementById("audio");
  audio.src = audioUrl("audio");
  try {
    await audio.play();
  } catch (err) {
    error.textContent = t("rec_play_failed");
  }
  setTimeout(() => pick(current.id), 1000);
}

function download() {
  const error = document.getElementById("player-error");
  error.textContent = notReady();
  if (error.textContent) return;
  const anchor = link(audioUrl("download"), "");
  anchor.download = "";
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => pick(current.id), 1500);
}

// The waveform from the stored peaks; the part already played in the accent colour.
function drawWave() {
  const canvas = document.getElementById("wave");
  canvas.width = canvas.clientWidth || 600;
  const context = canvas.getContext("2d");
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  const peaks = current ? current.waveform : [];
  if (!peaks.length) return;
  const audio = document.getElementById("audio");
  const length = current.duration_seconds || audio.duration || 0;
  const played = length && audio.src ? Math.min(1, audio.currentTime / length) : 0;
  const bar = width / peaks.length;
  peaks.forEach((peak, index) => {
    const tall = Math.max(1, peak * (height - 4));
    context.fillStyle = (index + 0.5) / peaks.length <= played ? "#1f5fbf" : "#9fb3c8";
    context.fillRect(index * bar, (height - tall) / 2, Math.max(1, bar - 0.5), tall);
  });
  context.fillStyle = "#c62828";
  context.fillRect(Math.min(width - 2, played * width), 0, 2, height);
}

function seek(event) {
  const audio = document.getElementById("audio");
  if (!current || !audio.src) return;
  const box = event.target.getBoundingClientRect();
  const length = audio.duration || current.duration_seconds || 0;
  audio.currentTime = ((event.clientX - box.left) / box.width) * length;
}

// -- legal hold -----------------------------------------------------------------------

async function changeHold(action) {
  const error = document.getElementById("hold-error");
  error.className = "error";
  if (!current) { error.textContent = t("rec_pick_one"); return; }
  const reason = document.getElementById("hold-reason").value.trim();
  if (!reason) { error.textContent = t("rec_need_hold_reason"); return; }
  const result = await api("POST", `/api/recordings/${current.id}/${action}`, { reason });
  error.textContent = result.ok ? t("saved") : result.message;
  if (!result.ok) return;
  error.className = "error ok";
  document.getElementById("hold-reason").value = "";
  show(result.data);
  search();
}

function start() {
  initHeader(() => { search(); if (current) show(current); });
  document.getElementById("search").addEventListener("submit", (event) => {
    event.preventDefault();
    offset = 0;
    search();
  });
  document.getElementById("search").addEventListener("reset", () => { offset = 0; setTimeout(search, 0); });
  document.getElementById("prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE_SIZE); search(); });
  document.getElementById("next").addEventListener("click", () => { offset += PAGE_SIZE; search(); });
  document.getElementById("play").addEventListener("click", play);
  document.getElementById("download").addEventListener("click", download);
  document.getElementById("hold").addEventListener("click", () => changeHold("hold"));
  document.getElementById("release").addEventListener("click", () => changeHold("release"));
  const audio = document.getElementById("audio");
  for (const name of ["timeupdate", "seeked", "loadedmetadata", "ended"]) audio.addEventListener(name, drawWave);
  audio.addEventListener("error", () => {
    if (audio.getAttribute("src")) document.getElementById("player-error").textContent = t("rec_play_failed");
  });
  document.getElementById("wave").addEventListener("click", seek);
  window.addEventListener("resize", drawWave);
  search();
}

start();
