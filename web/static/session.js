// The signed-in session, on every page and loaded first: every change sent carries the
// CSRF token, a request the server answers 401 leads to the sign-in page, and a bar at
// the top shows who is signed in, their roles, the pages they may open, the language
// switch and 退出. Everything stays inside this function except window.hotlineSession
// (a promise of GET /api/session's JSON) and window.hotlineSessionTools.
"use strict";
(() => {
  const SIGNIN_PATH = "/signin";
  const CSRF_COOKIE = "hotline_csrf";
  const CSRF_HEADER = "X-CSRF-Token";
  const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
  const LANG_KEY = "hotline.lang";
  // role -> [Chinese, English]
  const ROLES = {
    agent: ["座席", "Agent"],
    dispatcher: ["派单员", "Dispatcher"],
    callback: ["回访员", "Callback agent"],
    qa: ["质检员", "QA reviewer"],
    supervisor: ["班长/主管", "Supervisor"],
    admin: ["管理员", "Administrator"],
    auditor: ["审计（只读）", "Auditor (read-only)"],
    unit: ["承办单位", "Handling unit"],
    integration: ["对接系统", "Integration"],
  };
  const TEXTS = {
    "zh-CN": { lang_other: "English", sign_out: "退出", pages: "页面", roles: "角色", sign_out_failed: "退出失败，请重试" },
    en: { lang_other: "中文", sign_out: "Sign out", pages: "Pages", roles: "Roles", sign_out_failed: "Could not sign out, try again" },
  };

  // -- the rules (no page needed: the tests run them in node) ---------------------------

  function cookieValue(cookies, name) {
    for (const part of String(cookies || "").split(";")) {
      const at = part.indexOf("=");
      if (at < 0 || part.slice(0, at).trim() !== name) continue;
      try { return decodeURIComponent(part.slice(at + 1).trim()); } catch (err) { return part.slice(at + 1).trim(); }
    }
    return "";
  }

  // A place on this site to go back to after signing in: a path starting with one "/",
  // never "//host" or "/\host" (browsers read both as another site), never the sign-in page.
  function safeNext(next, origin) {
    if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//")) return null;
    if (/[\\\u0000-\u001f\u007f]/.test(next)) return null;
    const base = origin || "http://hotline.invalid";
    let url;
    try { url = new URL(next, base); } catch (err) { return null; }
    if (url.origin !== new URL(base).origin || url.pathname === SIGNIN_PATH) return null;
    return url.pathname + url.search + url.hash;
  }

  function signinAddress(place) {
    const here = `${place.pathname}${place.search || ""}`;
    return `${SIGNIN_PATH}?next=${encodeURIComponent(here)}`;
  }

  function requestParts(input, init, base) {
    const isRequest = typeof Request !== "undefined" && input instanceof Request;
    const method = String((init && init.method) || (isRequest ? input.method : "GET")).toUpperCase();
    const url = new URL(isRequest ? input.url : String(input), base);
    return { isRequest, method, url };
  }

  // fetch as before, plus: the CSRF header on every unsafe same-origin request, and the way
  // to the sign-in page on a 401 (except on that page, and for a sign-in attempt itself).
  function wrapFetch(send, place, readCookies) {
    return async function sessionFetch(input, init) {
      const { isRequest, method, url } = requestParts(input, init, place.href);
      const sameOrigin = url.origin === new URL(place.href).origin;
      let target = isRequest ? input : url.href;
      let options = init;
      if (sameOrigin && !SAFE_METHODS.has(method)) {
        const headers = new Headers((init && init.headers) || (isRequest ? input.headers : undefined));
        const token = cookieValue(readCookies(), CSRF_COOKIE);
        if (token) headers.set(CSRF_HEADER, token);
        options = { ...(init || {}), headers };
      }
      const response = await send(target, options);
      const signingIn = url.pathname === "/api/session" && method === "POST";
      if (response.status === 401 && sameOrigin && !signingIn && place.pathname !== SIGNIN_PATH) {
        place.assign(signinAddress(place));
      }
      return response;
    };
  }

  window.hotlineSessionTools = { cookieValue, safeNext, signinAddress, wrapFetch, ROLES };
  window.fetch = wrapFetch(window.fetch.bind(window), window.location, () => document.cookie);

  // -- the session ----------------------------------------------------------------------

  const onSigninPage = window.location.pathname === SIGNIN_PATH;

  async function loadSession() {
    const response = await window.fetch("/api/session", { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`GET /api/session: ${response.status}`);
    return response.json();
  }
  window.hotlineSession = onSigninPage ? Promise.resolve(null) : loadSession();

  // -- the bar --------------------------------------------------------------------------

  let lang = localStorage.getItem(LANG_KEY) || "zh-CN";
  let current = null;

  function text(key) { return (TEXTS[lang] || TEXTS["zh-CN"])[key]; }
  function roleLabel(role) {
    const names = (current && current.role_labels && current.role_labels[role]) || ROLES[role];
    return names ? names[lang === "en" ? 1 : 0] : role;
  }
  function node(tag, id, cls, content) {
    const made = document.createElement(tag);
    if (id) made.id = id;
    if (cls) made.className = cls;
    if (content !== undefined) made.textContent = content;
    return made;
  }

  const STYLE = `
.session-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 16px; padding: 6px 20px;
  background: #0b1118; color: #e6edf3; font: 13px/1.4 "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", system-ui, sans-serif; }
.session-bar nav { display: flex; flex-wrap: wrap; gap: 4px 14px; }
.session-bar nav a { color: #cfe0f5; text-decoration: none; }
.session-bar nav a[aria-current="page"] { color: #fff; font-weight: 600; border-bottom: 2px solid #cfe0f5; }
.session-bar nav a:hover, .session-bar nav a:focus { text-decoration: underline; }
.session-bar .session-who { margin-left: auto; display: flex; gap: 10px; align-items: center; }
.session-bar .session-roles { color: #8b9bab; }
.session-bar button { background: transparent; color: #e6edf3; border: 1px solid #3a4a5c; border-radius: 4px;
  padding: 2px 10px; cursor: pointer; font: inherit; }
.session-bar .session-error { color: #ff8a80; }
.session-bar .session-error:empty { display: none; }`;

  function drawBar() {
    const style = node("style", "session-style");
    style.textContent = STYLE;
    document.head.append(style);
    const bar = node("div", "session-bar", "session-bar");
    const nav = node("nav", "session-nav");
    const who = node("div", "", "session-who");
    who.append(node("span", "session-user"), node("span", "session-roles", "session-roles"));
    const langButton = node("button", "lang");
    langButton.type = "button";
    langButton.addEventListener("click", switchLanguage);
    who.append(langButton);
    if (!onSigninPage) {
      const out = node("button", "signout");
      out.type = "button";
      out.addEventListener("click", signOut);
      who.append(out, node("span", "session-error", "session-error"));
    }
    bar.append(nav, who);
    bar.setAttribute("role", "navigation");
    document.body.prepend(bar);
    fillBar();
  }

  function fillBar() {
    document.getElementById("lang").textContent = text("lang_other");
    const out = document.getElementById("signout");
    if (out) out.textContent = text("sign_out");
    const nav = document.getElementById("session-nav");
    nav.setAttribute("aria-label", text("pages"));
    if (!current) return;
    const user = current.user || {};
    document.getElementById("session-user").textContent = `${user.name || ""} ${user.id || ""}`.trim();
    const roles = document.getElementById("session-roles");
    roles.textContent = (user.roles || []).map(roleLabel).join(" · ");
    roles.title = text("roles");
    nav.replaceChildren(...(current.pages || []).filter((page) => !page.path.includes("{")).map(pageLink));
  }

  function pageLink(page) {
    const anchor = node("a", "", "", lang === "en" ? page.title_en || page.title_zh : page.title_zh || page.title_en);
    anchor.href = page.path;
    anchor.dataset.path = page.path;
    if (page.path === window.location.pathname) anchor.setAttribute("aria-current", "page");
    return anchor;
  }

  function switchLanguage() {
    lang = lang === "en" ? "zh-CN" : "en";
    localStorage.setItem(LANG_KEY, lang);
    fillBar();
    window.dispatchEvent(new CustomEvent("hotline:lang", { detail: { lang } }));
  }

  async function signOut() {
    const error = document.getElementById("session-error");
    error.textContent = "";
    let response = null;
    try {
      response = await window.fetch("/api/session", { method: "DELETE" });
    } catch (err) {
      response = null;
    }
    // 401: the session had ended already (and the fetch wrapper is on its way to /signin)
    if (response && response.status === 401) return;
    if (!response || !response.ok) {
      error.textContent = text("sign_out_failed");
      return;
    }
    window.location.assign(SIGNIN_PATH);
  }

  function start() {
    // the icon of every page (without it the browser asks for /favicon.ico, which is not there)
    if (!document.querySelector("link[rel~='icon']")) {
      document.head.append(Object.assign(document.createElement("link"), { rel: "icon", href: "/static/favicon.svg" }));
    }
    drawBar();
    window.hotlineSession.then((session) => { current = session; fillBar(); }, () => {});
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
