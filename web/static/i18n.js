// Texts of the pages: Chinese first, English second.
"use strict";
const TEXTS = {
  "zh-CN": {
    title: "12345 / 962121 热线实时监控",
    recordings_backlog: "录音待转存", recordings_failed: "失败 {count}",
    waiting_now: "当前排队", longest_wait: "最长等待", offered: "今日呼入", answered: "接通",
    abandoned: "放弃", rate15: "15秒及时应答率", connection_rate: "接通率", asa: "平均应答时长",
    satisfaction: "满意率", queue: "排队中的来电", seats: "座席状态", recent_calls: "最近通话",
    col_time: "时间", col_line: "热线", col_caller: "来电号码", col_seat: "座席", col_outcome: "结果",
    col_wait: "等待", col_talk: "通话", footer: "数据每次来电变化时实时更新",
    no_waiting: "暂无排队", last30: "近30分钟", target: "目标",
    state_ready: "空闲", state_reserved: "分配中", state_ringing: "振铃", state_talking: "通话中",
    state_wrapup: "话后处理", state_paused: "暂停", state_offline: "未签入", state_unreachable: "话机离线",
    outcome_answered: "已接通", outcome_abandoned: "放弃", outcome_timeout: "超时", outcome_no_seat: "无座席",
    outcome_lost: "中断", outcome_live: "进行中",
    answered_today: "今日接听", pause_next: "话后暂停",
    link_up: "交换机已连接", link_down: "交换机断开", live: "实时连接正常", reconnecting: "正在重新连接…",
    alert_seat_no_answer: "座席 {seat} 连续 {misses} 次未接，已自动暂停",
    alert_overflow_wait: "最长等待已超过 {threshold} 秒（当前 {longest_wait_seconds} 秒），请考虑开启临时座席",
    alert_overflow_rate: "近30分钟15秒应答率 {rate_text} 低于目标 {target_text}，请考虑开启临时座席",
    callbacks: "待回拨", overdue: "超时", temporary: "临时", wrapup_left: "剩余",
    tag_emergency: "紧急", tag_repeat: "重复来电", tag_kept: "挂机等回拨", skill_dialect: "方言", skill_enterprise: "涉企",
    nobody: "无人签入",
    alert_db: "数据库写入积压：{pending} 条待写入（{reason}）",
    alert_link: "与交换机 {server} 的连接已断开",
    today: "今日", line_waiting: "排队 {count}", line_longest: "最长 {wait}", at_least: "≥ {rate}",
  },
  en: {
    title: "12345 / 962121 hotline wallboard",
    recordings_backlog: "Recordings to store", recordings_failed: "{count} failed",
    waiting_now: "Waiting now", longest_wait: "Longest wait", offered: "Offered today", answered: "Answered",
    abandoned: "Abandoned", rate15: "Answered in 15 s", connection_rate: "Connection rate", asa: "ASA",
    satisfaction: "Satisfaction", queue: "Callers waiting", seats: "Seats", recent_calls: "Recent calls",
    col_time: "Time", col_line: "Line", col_caller: "Caller", col_seat: "Seat", col_outcome: "Outcome",
    col_wait: "Wait", col_talk: "Talk", footer: "Updates live with every call",
    no_waiting: "Nobody waiting", last30: "last 30 min", target: "target",
    state_ready: "Ready", state_reserved: "Assigning", state_ringing: "Ringing", state_talking: "Talking",
    state_wrapup: "Wrap-up", state_paused: "Paused", state_offline: "Signed out", state_unreachable: "Phone offline",
    outcome_answered: "Answered", outcome_abandoned: "Abandoned", outcome_timeout: "Timed out", outcome_no_seat: "No seat",
    outcome_lost: "Lost", outcome_live: "Live",
    answered_today: "answered today", pause_next: "pause after call",
    link_up: "Asterisk connected", link_down: "Asterisk disconnected", live: "Live", reconnecting: "Reconnecting…",
    alert_seat_no_answer: "Seat {seat} missed {misses} calls in a row and was paused",
    alert_overflow_wait: "The longest wait passed {threshold} s ({longest_wait_seconds} s now): consider temporary seats",
    alert_overflow_rate: "15-second rate of the last 30 min {rate_text} is under the target {target_text}: consider temporary seats",
    callbacks: "Callbacks due", overdue: "overdue", temporary: "temporary", wrapup_left: "left",
    tag_emergency: "emergency", tag_repeat: "repeat caller", tag_kept: "waiting for callback", skill_dialect: "dialect", skill_enterprise: "enterprise",
    nobody: "nobody signed in",
    alert_db: "Database writes backed up: {pending} pending ({reason})",
    alert_link: "Link to Asterisk {server} is down",
    today: "today", line_waiting: "{count} waiting", line_longest: "longest {wait}", at_least: "≥ {rate}",
  },
};
let LANG = localStorage.getItem("hotline.lang") || "zh-CN";
function t(key, values) {
  let text = (TEXTS[LANG] && TEXTS[LANG][key]) || TEXTS["zh-CN"][key] || key;
  for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, value);
  return text;
}
function applyTexts() {
  document.documentElement.lang = LANG;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
}
