// 用户管理: the users and their roles (an administrator adds, changes, disables and resets
// passwords; an auditor only reads). A change of roles or a reset ends the user's sessions.
"use strict";

const USER_HEAD = ["h_user_id", "h_name", "h_roles", "h_unit_code", "h_state", "h_action"];
// the roles a person may have (an integration's token is made elsewhere)
const PERSON_ROLES = ["agent", "dispatcher", "callback", "qa", "supervisor", "admin", "auditor", "unit"];
let users = [];
let editing = null;

function isAdmin() { return Boolean(SESSION && SESSION.user.roles.includes("admin")); }
function roleName(role) {
  const names = window.hotlineSessionTools.ROLES[role];
  return names ? names[LANG === "en" ? 1 : 0] : role;
}

async function loadUsers() {
  const result = await api("GET", "/api/users");
  document.getElementById("page-error").textContent = result.ok ? "" : result.message;
  if (!result.ok) return;
  users = result.data.users;
  document.getElementById("users-count").textContent = String(users.length);
  document.getElementById("users").replaceChildren(table(USER_HEAD, users.map(userRow)));
}

function userRow(user) {
  const row = el("tr", user.disabled ? "muted" : "");
  row.dataset.user = user.id;
  const action = el("td");
  if (isAdmin()) {
    const edit = i18nEl("button", "act_edit");
    edit.type = "button";
    edit.addEventListener("click", () => startEdit(user));
    action.append(edit);
  }
  row.append(el("td", "", user.id), el("td", "", user.name), el("td", "", user.roles.map(roleName).join("、")),
    el("td", "", user.unit || "–"), el("td", "", t(user.disabled ? "user_disabled" : "user_active")), action);
  return row;
}

// One check box per role, each with its label.
function fillRoles(box, chosen) {
  const legend = box.querySelector("legend");
  box.replaceChildren(legend);
  for (const role of PERSON_ROLES) {
    const id = `${box.id}-${role}`;
    const input = el("input");
    input.type = "checkbox";
    input.id = id;
    input.value = role;
    input.checked = chosen.includes(role);
    const caption = el("label", "", roleName(role));
    caption.htmlFor = id;
    const wrap = el("span", "role-choice");
    wrap.append(input, caption);
    box.append(wrap);
  }
}
function chosenRoles(box) { return [...box.querySelectorAll("input:checked")].map((input) => input.value); }
function unitValue(id) { return document.getElementById(id).value.trim() || null; }

function startEdit(user) {
  editing = user;
  document.getElementById("edit-panel").hidden = false;
  document.getElementById("edit-id").textContent = user.id;
  document.getElementById("edit-name").value = user.name;
  document.getElementById("edit-unit").value = user.unit || "";
  document.getElementById("edit-disabled").checked = user.disabled;
  fillRoles(document.getElementById("edit-roles"), user.roles);
  for (const id of ["edit-error", "reset-error"]) document.getElementById(id).textContent = "";
  document.getElementById("edit-name").focus();
}

function showResult(id, result, okKey) {
  const error = document.getElementById(id);
  error.className = result.ok ? "error ok" : "error";
  error.textContent = result.ok ? t(okKey) : result.message;
}

async function saveEdit(event) {
  event.preventDefault();
  if (!editing) return;
  const body = { name: document.getElementById("edit-name").value.trim(), disabled: document.getElementById("edit-disabled").checked };
  // roles are sent only when they change: a change of rights ends the user's sessions
  const roles = chosenRoles(document.getElementById("edit-roles"));
  const unit = unitValue("edit-unit");
  if (roles.slice().sort().join() !== editing.roles.slice().sort().join() || unit !== (editing.unit || null)) {
    Object.assign(body, { roles, unit });
  }
  const result = await api("PUT", `/api/users/${encodeURIComponent(editing.id)}`, body);
  showResult("edit-error", result, "saved");
  if (result.ok) { editing = result.data; loadUsers(); }
}

async function resetPassword(event) {
  event.preventDefault();
  if (!editing) return;
  const input = document.getElementById("reset-password");
  const result = await api("POST", `/api/users/${encodeURIComponent(editing.id)}/password`, { password: input.value });
  showResult("reset-error", result, "saved");
  if (result.ok) input.value = "";
}

async function addUser(event) {
  event.preventDefault();
  const value = (id) => document.getElementById(id).value.trim();
  const body = {
    id: value("new-id"), name: value("new-name"), roles: chosenRoles(document.getElementById("new-roles")),
    unit: unitValue("new-unit"), password: document.getElementById("new-password").value,
  };
  const result = await api("POST", "/api/users", body);
  showResult("new-error", result, "saved");
  if (!result.ok) return;
  document.getElementById("user-new").reset();
  fillRoles(document.getElementById("new-roles"), []);
  loadUsers();
}

function onLanguage() {
  loadUsers();
  fillRoles(document.getElementById("new-roles"), chosenRoles(document.getElementById("new-roles")));
  if (editing) fillRoles(document.getElementById("edit-roles"), chosenRoles(document.getElementById("edit-roles")));
}

async function start() {
  initHeader(onLanguage);
  fillRoles(document.getElementById("new-roles"), []);
  document.getElementById("user-edit").addEventListener("submit", saveEdit);
  document.getElementById("password-reset").addEventListener("submit", resetPassword);
  document.getElementById("user-new").addEventListener("submit", addUser);
  await signedIn();
  document.getElementById("new-panel").hidden = !isAdmin();
  document.getElementById("read-only").hidden = isAdmin();
  loadUsers();
}

start();
