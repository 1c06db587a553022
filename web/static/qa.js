// 质检评分: the reviewer's queue, claiming a sample, the recording with its waveform and
// marks at moments of it, the evaluation form with the live score, submitting the grade,
// amending it (a new version, with why) and the history of its versions.
"use strict";

const QUEUE_HEAD = ["h_sample", "h_line", "h_agent", "h_reasons", "h_state", "h_action"];
const MARK_HEAD = ["h_at", "h_item", "h_note", "h_actor"];
const REVIEW_HEAD = ["h_version", "h_time", "h_actor", "h_score", "h_red_lines", "h_note", "h_amend_reason"];
let sample = null; // the open sample, with its call, recording, marks and reviews
let forms = [];
let form = null; // {row, render}
let amending = null; // the review being amended, while its amendment is being written
// who may amend a submitted grade, as the service allows
const AMEND_ROLES = ["qa", "supervisor"];

// -- the queue ------------------------------------------------------------------------

async function loadQueue() {
  const reviewer = myId();
  const query = reviewer ? `?${new URLSearchParams({ reviewer })}` : "";
  const result = await api("GET", `/api/qa/queue${query}`);
  document.getElementById("page-error").textContent = result.ok ? "" : result.message;
  if (!result.ok) return;
  document.getElementById("queue-count").textContent = String(result.data.samples.length);
  document.getElementById("queue").replaceChildren(table(QUEUE_HEAD, result.data.samples.map(queueRow)));
}

function queueRow(item) {
  const row = el("tr");
  const open = i18nEl("button", item.state === "open" && !item.calibration ? "qa_claim" : "qa_open");
  open.type = "button";
  open.addEventListener("click", () => claimAndOpen(item));
  const state = el("td", "", t(`qa_state_${item.state}`));
  if (item.calibration) state.append(el("span", "badge", t("qa_calibration")));
  const action = el("td");
  action.append(open);
  row.append(el("td", "", `#${item.id}`), el("td", "", item.line), el("td", "", item.agent || "–"));
  const reasons = el("td");
  reasons.append(qaReasons(item.reasons));
  row.append(reasons, state, action);
  return row;
}

async function claimAndOpen(item) {
  const error = document.getElementById("page-error");
  const result = await api("POST", `/api/qa/samples/${item.id}/claim`, {});
  error.textContent = result.ok ? "" : result.message;
  if (!result.ok) return;
  await openSample(item.id);
  loadQueue();
}

// -- one sample -----------------------------------------------------------------------

async function openSample(id) {
  const result = await api("GET", `/api/qa/samples/${id}`);
  document.getElementById("page-error").textContent = result.ok ? "" : result.message;
  if (!result.ok) return;
  const changed = !sample || sample.id !== id;
  sample = result.data;
  amending = null;
  if (changed) {
    resetAudio();
    document.getElementById("review-comment").value = "";
  }
  showSample();
  const graded = gradeToAmend();
  if (graded) await pickForm(graded.form_id, graded.answers);
  else if (changed || !form) await pickForm(Number(document.getElementById("form-pick").value));
  lockForm();
}

// The sample's recording in the player, not fetched until the reviewer plays it: every
// fetch from the start is logged as a play. Chromium fetches after an explicit load()
// whatever preload="none" says, so load() only empties the player.
function resetAudio() {
  const audio = document.getElementById("audio");
  audio.pause();
  const recording = sample.recording;
  if (recording && recording.state === "stored") {
    const params = new URLSearchParams({ reason: "质检" });
    audio.src = `/api/recordings/${recording.id}/audio?${params}`;
  } else {
    audio.removeAttribute("src");
    audio.load();
  }
}

function showSample() {
  document.getElementById("no-sample").hidden = true;
  document.getElementById("sample-title").textContent = `#${sample.id} · ${sample.call_id}`;
  const call = sample.call || {};
  const recording = sample.recording;
  const pairs = [["h_line", sample.line], ["h_agent", sample.agent || "–"], ["h_seat", sample.seat || "–"],
    ["h_time", when(call.queued_at)], ["h_caller", call.caller || "–"],
    ["h_duration", call.talk_seconds === null || call.talk_seconds === undefined ? "–" : duration(call.talk_seconds)],
    ["h_survey", call.survey_score ? t(`qa_survey_${call.survey_score}`) : "–"],
    ["h_recording", recording ? t(`rec_state_${recording.state}`) : t("qa_no_recording")]];
  const fields = document.getElementById("sample-fields");
  fields.replaceChildren();
  for (const [key, value] of pairs) fields.append(i18nEl("dt", key), el("dd", "", value));
  const number = el("dd");
  if (sample.order) number.append(orderLink(sample.order));
  else number.textContent = "–";
  const reasons = el("dd");
  reasons.append(qaReasons(sample.reasons));
  fields.append(i18nEl("dt", "h_number"), number, i18nEl("dt", "h_reasons"), reasons);
  showMarks();
  showReviews();
  drawWave();
  document.getElementById("submit-review").disabled = !mayGrade();
  document.getElementById("amend-start").hidden = Boolean(amending) || !gradeToAmend() || !mayAmend();
  document.getElementById("amend-box").hidden = !amending;
}

// Whether the signed-in reviewer may still submit a grade of the open sample, as the
// service decides: once per sample (once per reviewer for calibration), by who claimed it.
function mayGrade() {
  const me = myId();
  if (sample.calibration) return !sample.reviews.some((review) => review.reviewer === me);
  return sample.state === "open" || (sample.state === "claimed" && sample.claimed_by === me);
}

function showMarks() {
  const rows = sample.marks.map((mark) => {
    const row = el("tr", "order-row");
    row.append(el("td", "", duration(mark.at_seconds)), el("td", "", itemLabel(mark.item)),
      el("td", "", mark.comment), el("td", "", mark.reviewer));
    row.addEventListener("click", () => { document.getElementById("audio").currentTime = mark.at_seconds; });
    return row;
  });
  document.getElementById("marks").replaceChildren(table(MARK_HEAD, rows));
}

// Each version of each grade, oldest first: v1 is the grade submitted, v2 its first amendment…
function showReviews() {
  const versions = {};
  for (const review of sample.reviews) versions[review.id] = review.amends ? (versions[review.amends] || 1) + 1 : 1;
  const rows = sample.reviews.map((review) => {
    const row = el("tr", review.current ? "" : "muted");
    row.append(el("td", "", `v${versions[review.id]}`), el("td", "", when(review.submitted_at)), el("td", "", review.reviewer),
      el("td", "", review.score.toFixed(2)), el("td", "", review.red_lines.join(", ") || "–"),
      el("td", "", review.comment || "–"), el("td", "", review.amend_reason || "–"));
    return row;
  });
  document.getElementById("reviews").replaceChildren(table(REVIEW_HEAD, rows));
}

function itemLabel(code) {
  if (!code) return "–";
  const item = form && form.items[code];
  return item ? item.label : code;
}

// -- the waveform and marks -----------------------------------------------------------

function recordingLength() {
  const audio = document.getElementById("audio");
  return (sample && sample.recording && sample.recording.duration_seconds) || audio.duration || 0;
}

function drawWave() {
  const canvas = document.getElementById("wave");
  canvas.width = canvas.clientWidth || 600;
  const context = canvas.getContext("2d");
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  const peaks = sample && sample.recording ? sample.recording.waveform : [];
  const length = recordingLength();
  const audio = document.getElementById("audio");
  const played = length ? Math.min(1, audio.currentTime / length) : 0;
  const bar = peaks.length ? width / peaks.length : 0;
  peaks.forEach((peak, index) => {
    const tall = Math.max(1, peak * (height - 4));
    context.fillStyle = (index + 0.5) / peaks.length <= played ? "#1f5fbf" : "#9fb3c8";
    context.fillRect(index * bar, (height - tall) / 2, Math.max(1, bar - 0.5), tall);
  });
  context.fillStyle = "#b26a00";
  for (const mark of sample ? sample.marks : []) {
    if (length) context.fillRect(Math.min(width - 2, (mark.at_seconds / length) * width), 0, 2, height);
  }
  context.fillStyle = "#c62828";
  context.fillRect(Math.min(width - 2, played * width), 0, 2, height);
}

// A click on the waveform seeks there and starts a mark at that moment.
function clickWave(event) {
  if (!sample) return;
  const box = event.target.getBoundingClientRect();
  const at = ((event.clientX - box.left) / box.width) * recordingLength();
  document.getElementById("mark-at").value = at.toFixed(1);
  const audio = document.getElementById("audio");
  if (audio.src) audio.currentTime = at;
  document.getElementById("mark-comment").focus();
}

async function addMark(event) {
  event.preventDefault();
  const error = document.getElementById("mark-error");
  error.className = "error";
  if (!sample) { error.textContent = t("qa_pick_sample"); return; }
  const at = document.getElementById("mark-at").value;
  const body = {
    at_seconds: at === "" ? document.getElementById("audio").currentTime : Number(at),
    comment: document.getElementById("mark-comment").value.trim(),
    item: document.getElementById("mark-item").value || null,
  };
  const result = await api("POST", `/api/qa/samples/${sample.id}/marks`, body);
  error.textContent = result.ok ? t("saved") : result.message;
  if (!result.ok) return;
  error.className = "error ok";
  document.getElementById("mark-comment").value = "";
  await openSample(sample.id);
}

// -- the form -------------------------------------------------------------------------

async function loadForms() {
  const result = await api("GET", "/api/qa/forms");
  if (!result.ok) { document.getElementById("page-error").textContent = result.message; return; }
  forms = result.data.forms.filter((row) => row.active);
  const pick = document.getElementById("form-pick");
  pick.replaceChildren(...forms.map((row) => {
    const option = el("option", "", `${row.title} v${row.version}`);
    option.value = String(row.id);
    return option;
  }));
}

// The form `id` drawn afresh; `previous`: the answers of a submitted grade to show.
async function pickForm(id, previous) {
  if (!id) return;
  const result = await api("GET", `/api/qa/forms/${id}`);
  if (!result.ok) { document.getElementById("review-error").textContent = result.message; return; }
  const definition = result.data.definition;
  const pick = document.getElementById("form-pick");
  if ([...pick.options].some((option) => option.value === String(id))) pick.value = String(id);
  const items = {};
  for (const section of definition.sections) for (const item of section.items) items[item.code] = item;
  const render = qaRenderForm(document.getElementById("form-box"), definition, previous || null, liveScore);
  form = { row: result.data, items, render };
  const itemPick = document.getElementById("mark-item");
  const none = itemPick.firstElementChild;
  itemPick.replaceChildren(none, ...Object.values(items).map((item) => {
    const option = el("option", "", item.label);
    option.value = item.code;
    return option;
  }));
  liveScore();
  if (sample) showMarks();
}

function liveScore() {
  document.getElementById("live-score").textContent = form ? qaScoreText(form.render.score()) : "–";
}

async function submitReview() {
  const error = document.getElementById("review-error");
  error.className = "error";
  if (!sample) { error.textContent = t("qa_pick_sample"); return; }
  if (!form) { error.textContent = t("qa_pick_form"); return; }
  const body = {
    form_id: form.row.id,
    answers: form.render.answers(),
    comment: document.getElementById("review-comment").value.trim(),
  };
  const result = await api("POST", `/api/qa/samples/${sample.id}/reviews`, body);
  error.textContent = result.ok ? `${t("sent")} · ${result.data.score.toFixed(2)}` : result.message;
  if (!result.ok) return;
  error.className = "error ok";
  document.getElementById("review-comment").value = "";
  await openSample(sample.id);
  loadQueue();
}

// -- amending a submitted grade -------------------------------------------------------

// The current grade a reviewer would amend: the sample's (a calibration sample's: one's own).
function gradeToAmend() {
  if (!sample) return null;
  const current = sample.reviews.filter((review) => review.current);
  if (sample.calibration) return current.find((review) => review.reviewer === myId()) || null;
  return current[0] || null;
}

function mayAmend() {
  const roles = (SESSION && SESSION.user && SESSION.user.roles) || [];
  return roles.some((role) => AMEND_ROLES.includes(role));
}

// A submitted grade is shown as it stands: its form cannot be changed but by an amendment.
function lockForm() {
  const locked = Boolean(gradeToAmend()) && !amending;
  for (const part of document.querySelectorAll("#form-box fieldset")) part.disabled = locked;
  document.getElementById("form-pick").disabled = locked;
  document.getElementById("review-comment").disabled = locked;
  if (locked) document.getElementById("review-comment").value = gradeToAmend().comment || "";
}

function startAmend() {
  amending = gradeToAmend();
  if (!amending) return;
  document.getElementById("review-error").textContent = "";
  document.getElementById("amend-reason").value = "";
  lockForm();
  showSample();
  document.getElementById("amend-reason").focus();
}

async function cancelAmend() {
  const graded = amending;
  amending = null;
  document.getElementById("review-error").textContent = "";
  if (graded) await pickForm(graded.form_id, graded.answers);
  lockForm();
  showSample();
}

async function submitAmend() {
  const error = document.getElementById("review-error");
  error.className = "error";
  if (!amending || !form) return;
  const reason = document.getElementById("amend-reason").value.trim();
  if (!reason) { error.textContent = t("qa_need_amend_reason"); return; }
  if (!form.render.score()) { error.textContent = t("qa_score_none"); return; }
  const body = {
    answers: form.render.answers(),
    comment: document.getElementById("review-comment").value.trim(),
    reason,
  };
  const result = await api("POST", `/api/qa/reviews/${amending.id}/amend`, body);
  error.textContent = result.ok ? `${t("saved")} · ${result.data.score.toFixed(2)}` : result.message;
  if (!result.ok) return;
  error.className = "error ok";
  document.getElementById("amend-reason").value = "";
  await openSample(sample.id);
}

async function start() {
  // the form's own labels switch language in place: drawing it again would lose the points given
  initHeader(() => { loadQueue(); if (sample) showSample(); liveScore(); });
  document.getElementById("reload").addEventListener("click", loadQueue);
  document.getElementById("mark-form").addEventListener("submit", addMark);
  document.getElementById("submit-review").addEventListener("click", submitReview);
  document.getElementById("amend-start").addEventListener("click", startAmend);
  document.getElementById("amend-submit").addEventListener("click", submitAmend);
  document.getElementById("amend-cancel").addEventListener("click", cancelAmend);
  document.getElementById("form-pick").addEventListener("change", (event) => pickForm(Number(event.target.value)));
  document.getElementById("wave").addEventListener("click", clickWave);
  const audio = document.getElementById("audio");
  for (const name of ["timeupdate", "seeked", "loadedmetadata", "ended"]) audio.addEventListener(name, drawWave);
  window.addEventListener("resize", drawWave);
  await loadForms();
  await pickForm(Number(document.getElementById("form-pick").value));
  await signedIn();
  const wanted = new URLSearchParams(location.search).get("sample");
  if (wanted && /^[0-9]+$/.test(wanted)) await openSample(Number(wanted));
  loadQueue();
}

start();
