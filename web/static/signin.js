// 登录: staff number and password to POST /api/session; then back to the page that sent
// the browser here (?next=, a path of this site only) or to the first page the user may open.
"use strict";

function retryAfterSeconds(header) {
  if (!header) return null;
  if (/^\s*\d+\s*$/.test(header)) return Number(header);
  const at = Date.parse(header); // Retry-After may also be an HTTP date
  return Number.isNaN(at) ? null : Math.max(1, Math.ceil((at - Date.now()) / 1000));
}

// Where to go once signed in: ?next= when it is a path of this site, else the first page.
function destination(session) {
  const next = new URLSearchParams(location.search).get("next");
  const safe = window.hotlineSessionTools.safeNext(next, location.origin);
  if (safe) return safe;
  const first = ((session && session.pages) || []).find((page) => !page.path.includes("{"));
  return first ? first.path : "/";
}

async function failureText(response) {
  if (response.status === 401) return t("signin_wrong");
  if (response.status === 429) {
    const seconds = retryAfterSeconds(response.headers.get("Retry-After"));
    return t("signin_throttled", { seconds: seconds === null ? "…" : String(seconds) });
  }
  let data = null;
  try { data = await response.json(); } catch (err) { data = null; }
  return (data && (data.message || data.error)) || `${response.status} ${response.statusText}`;
}

async function signIn(event) {
  event.preventDefault();
  const error = document.getElementById("signin-error");
  const button = document.getElementById("submit");
  const password = document.getElementById("password");
  const user = document.getElementById("user").value.trim();
  error.textContent = "";
  if (!user || !password.value) { error.textContent = t("signin_missing"); return; }
  button.disabled = true;
  let response = null;
  try {
    response = await fetch("/api/session", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ user, password: password.value }),
    });
  } catch (err) {
    error.textContent = t("network_error");
  }
  button.disabled = false;
  if (!response) return;
  if (!response.ok) {
    error.textContent = await failureText(response);
    password.value = "";
    password.focus();
    return;
  }
  location.assign(destination(await response.json()));
}

initHeader();
document.getElementById("signin").addEventListener("submit", signIn);
