// Open Pechora panel: the administrator's integration status over the notifications API —
// deliveries by status and the dead letters, with "send again". Data shown with textContent.
"use strict";
(function () {
  const { $, el, api } = window.OP;
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
