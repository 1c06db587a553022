// The QA pages share: an evaluation form rendered from its definition (points per item,
// N/A where the item allows it, red-line toggles), the live score, and small views.
"use strict";

let qaFieldCount = 0;

// The score as the service computes it: 100 × points / possible over the applicable items;
// any failed red line makes it 0. Returns {score, points, possible, redLines} or null.
function qaScore(definition, answers) {
  let points = 0;
  let possible = 0;
  const redLines = [];
  for (const section of definition.sections) {
    for (const item of section.items) {
      const answer = answers[item.code] || {};
      if (answer.failed) redLines.push(item.code);
      if (answer.score === null || answer.score === undefined || Number.isNaN(answer.score)) continue;
      points += answer.score;
      possible += item.weight;
    }
  }
  if (possible <= 0) return null;
  const score = redLines.length ? 0 : Math.round((10000 * points) / possible) / 100;
  return { score, points, possible, redLines };
}

// One item's row: label and hint, points (0..weight), N/A, red line, comment.
function qaItemRow(item, previous, onChange) {
  const row = el("div", `qa-item${item.red_line ? " red-line" : ""}`);
  row.dataset.item = item.code;
  const id = `qa${++qaFieldCount}`;
  const caption = el("label", "qa-item-label", item.label);
  caption.htmlFor = id;
  row.append(caption);
  if (item.hint) row.append(el("span", "muted qa-hint", item.hint));
  const controls = el("div", "toolbar");
  const inputs = { item };
  if (item.red_line) {
    inputs.failed = qaCheckbox(controls, `${id}`, "qa_red_line_failed", Boolean(previous && previous.failed));
  } else {
    inputs.score = el("input");
    inputs.score.type = "number";
    inputs.score.id = id;
    inputs.score.min = "0";
    inputs.score.max = String(item.weight);
    inputs.score.step = "0.5";
    inputs.score.className = "short";
    const given = previous ? previous.score : item.weight;
    inputs.score.value = given === null || given === undefined ? "" : String(given);
    controls.append(inputs.score, el("span", "muted", `/ ${item.weight}`));
    if (item.allow_na) {
      inputs.na = qaCheckbox(controls, `${id}-na`, "qa_na", Boolean(previous && previous.score === null));
      inputs.score.disabled = inputs.na.checked;
      inputs.na.addEventListener("change", () => { inputs.score.disabled = inputs.na.checked; });
    }
  }
  inputs.comment = el("input");
  inputs.comment.id = `${id}-comment`;
  inputs.comment.className = "qa-comment";
  inputs.comment.value = (previous && previous.comment) || "";
  const commentLabel = i18nEl("label", "qa_item_comment", "muted");
  commentLabel.htmlFor = inputs.comment.id;
  controls.append(commentLabel, inputs.comment);
  row.append(controls);
  row.addEventListener("input", onChange);
  row.addEventListener("change", onChange);
  return [row, inputs];
}

function qaCheckbox(parent, id, key, checked) {
  const box = el("input");
  box.type = "checkbox";
  box.id = id;
  box.checked = checked;
  const caption = i18nEl("label", key);
  caption.htmlFor = id;
  parent.append(box, caption);
  return box;
}

function qaAnswer(inputs) {
  const answer = { comment: inputs.comment.value.trim() };
  if (inputs.failed) {
    answer.failed = inputs.failed.checked;
    return answer;
  }
  if (inputs.na && inputs.na.checked) answer.score = null;
  else answer.score = inputs.score.value === "" ? Number.NaN : Number(inputs.score.value);
  return answer;
}

// Renders the form into `box`; returns {answers(), score()}. `previous`: answers to start from.
function qaRenderForm(box, definition, previous, onChange) {
  const all = [];
  const changed = () => { if (onChange) onChange(); };
  box.replaceChildren(el("h3", "", definition.title));
  for (const section of definition.sections) {
    const part = el("fieldset", "qa-section");
    const weight = section.items.reduce((sum, item) => sum + item.weight, 0);
    part.append(el("legend", "", `${section.label} (${weight})`));
    for (const item of section.items) {
      const [row, inputs] = qaItemRow(item, previous ? previous[item.code] : null, changed);
      all.push(inputs);
      part.append(row);
    }
    box.append(part);
  }
  const answers = () => Object.fromEntries(all.map((inputs) => [inputs.item.code, qaAnswer(inputs)]));
  return { answers, score: () => qaScore(definition, answers()) };
}

function qaScoreText(result) {
  if (!result) return t("qa_score_none");
  const text = `${result.score.toFixed(2)} (${result.points} / ${result.possible})`;
  return result.redLines.length ? `${text} · ${t("qa_red_line")}: ${result.redLines.join(", ")}` : text;
}

function qaReasons(reasons) {
  const box = el("span", "qa-reasons");
  for (const reason of reasons) box.append(el("span", `badge reason-${reason.code}`, label("qa_reason", reason.code, reason.label)));
  return box;
}

// An appeal's state (pending, upheld, overturned) as the service labels it.
function qaAppealState(appeal) {
  if (!appeal) return t("qa_appeal_none");
  return label("qa_appeal", appeal.state, appeal.label);
}

function qaToday() {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 10);
}

function qaDaysAgo(days) {
  const then = new Date(Date.now() - days * 86400000);
  then.setMinutes(then.getMinutes() - then.getTimezoneOffset());
  return then.toISOString().slice(0, 10);
}
