// Open Pechora panel: the administrator's integration status over the notifications API —
// deliveries by status and the dead letters, with "send again". Data shown with textContent.
"use strict";
(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
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
  async function api(method, url) {
    const res = await fetch(url, { method, headers: { accept: "application/json", "x-csrf-token": csrf() }, credentials: "same-origin" });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((data.error && data.error.message) || `Ошибка ${res.status}`);
    return data;
  }
  const CHANNELS = { telegram: "Telegram", vk: "ВКонтакте", email: "e-mail" };

  async function backlog(box) {
    try {
      const { deliveries } = await api("GET", "/api/notifications/backlog");
      const body = $("tbody", box);
      if (!deliveries.length) return body.replaceChildren(el("tr", {}, el("td", { colspan: "3", class: "empty", text: "Всё отправлено." })));
      body.replaceChildren(...deliveries.map((d) => el("tr", {}, el("td", { text: d.status }), el("td", { text: CHANNELS[d.channel] || d.channel || "—" }), el("td", { text: String(d.n) }))));
    } catch (e) {
      box.replaceChildren(el("p", { class: "flash error", text: e.message }));
    }
  }

  async function deadLetters(box) {
    const body = $("tbody", box);
    try {
      const { items } = await api("GET", "/api/notifications/dead-letters");
      if (!items.length) return body.replaceChildren(el("tr", {}, el("td", { colspan: "5", class: "empty", text: "Неотправленных уведомлений нет." })));
      body.replaceChildren(
        ...items.map((d) => {
          const again = el("button", { type: "button", class: "secondary", text: "Отправить снова" });
          const row = el(
            "tr",
            {},
            el("td", { text: new Date(d.updatedAt).toLocaleString("ru-RU") }),
            el("td", { text: CHANNELS[d.channel] || d.channel || "—" }),
            el("td", { text: d.statusLabel || d.status }),
            el("td", { text: `${d.subject ? d.subject + ": " : ""}${d.lastError || ""}` }),
            el("td", {}, d.channel ? again : null),
          );
          again.addEventListener("click", async () => {
            again.disabled = true;
            try {
              await api("POST", `/api/notifications/deliveries/${d.id}/requeue`);
              row.remove();
            } catch (e) {
              again.disabled = false;
              alert(e.message);
            }
          });
          return row;
        }),
      );
    } catch (e) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: "5", class: "empty", text: e.message })));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const b = $("[data-backlog]");
    if (b) backlog(b);
    const d = $("[data-dead-letters]");
    if (d) deadLetters(d);
  });
})();
