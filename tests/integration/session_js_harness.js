// Runs web/static/session.js as a page would, in node, against a real HTTP server:
// node session_js_harness.js <session.js> <page address> <cookies> <another origin> <steps JSON>
// The page's window has a real fetch (node's); its location records where the script sends
// the browser. Each step is one request; the answer is printed as JSON on stdout.
"use strict";

const fs = require("fs");
const vm = require("vm");

async function main() {
  const [script, pageAddress, cookies, otherOrigin, stepsJson] = process.argv.slice(2);
  const page = new URL(pageAddress);
  const assigned = [];
  const location = {
    href: page.href, origin: page.origin, pathname: page.pathname, search: page.search,
    assign(address) { assigned.push(String(address)); },
  };
  const context = {
    location, fetch, Request, Headers, Response, URL, URLSearchParams, console, CustomEvent,
    document: { cookie: cookies, readyState: "loading", addEventListener() {} },
    localStorage: { getItem: () => null, setItem() {} },
  };
  context.window = context;
  vm.createContext(context);
  vm.runInContext(fs.readFileSync(script, "utf8"), context, { filename: script });

  // the page asks for its session at once; the steps come after its answer
  const session = await context.window.hotlineSession.then((value) => value, (err) => ({ rejected: String(err) }));
  const results = [];
  for (const step of JSON.parse(stepsJson)) {
    const base = step.other ? otherOrigin : "";
    const before = assigned.length;
    const input = step.asRequest
      ? new Request(new URL(base + step.path, page), { method: step.method })
      : base + step.path;
    const init = step.asRequest ? undefined : { method: step.method || "GET", headers: step.headers || {} };
    const response = await context.window.fetch(input, init);
    results.push({ path: step.path, status: response.status, assigned: assigned.slice(before) });
  }
  const tools = context.window.hotlineSessionTools;
  const nexts = {};
  for (const next of ["/desk?seat=8001", "/orders/12345-1#t", "//evil.example/x", "/\\evil.example", "https://evil.example/",
    "desk", "/signin?next=/", "/%2F%2Fevil.example", "/\tx", ""]) {
    nexts[next] = tools.safeNext(next, page.origin);
  }
  process.stdout.write(JSON.stringify({ results, session, nexts, csrf: tools.cookieValue(cookies, "hotline_csrf") }));
}

main().catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); });
