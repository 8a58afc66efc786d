// Open Pechora panel: the small DOM and JSON-API helpers every panel script uses (loaded first).
// Data is put on the page with textContent only.
"use strict";
window.OP = (function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const csrf = () => ($('meta[name="csrf-token"]') || {}).content || "";
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  };
  /** A JSON API call with the session's CSRF token; a refusal throws with the Russian message. */
  async function api(method, url, body) {
    const res = await fetch(url, {
      method,
      headers: { accept: "application/json", ...(body ? { "content-type": "application/json" } : {}), "x-csrf-token": csrf() },
      body: body ? JSON.stringify(body) : undefined,
      credentials: "same-origin",
    });
    const data = res.status === 204 ? {} : await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error((data.error && data.error.message) || `Ошибка ${res.status}`), { status: res.status, id: data.error && data.error.id });
    return data;
  }
  return Object.freeze({ $, $$, csrf, el, api });
})();
