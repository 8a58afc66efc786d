// Open Pechora panel: outages and mass incidents over the JSON API (/api/outages): the list with
// ПП 354 flags, registration by street and house range, end, cancel, new expected end, and the
// tickets linked to an incident. Data is shown with textContent only.
"use strict";
(function () {
  const { $, el, api } = window.OP;
  const toIso = (local) => (local ? new Date(local).toISOString() : undefined); // datetime-local is the browser's (district) time
  const say = (box, kind, text) => {
    box.classList.remove("ok", "error");
    box.classList.add("flash", kind);
    box.textContent = text;
  };

  async function load(root) {
    const body = $("tbody", root);
    const state = $("#outage-state", root).value;
    try {
      const { items } = await api("GET", `/api/outages?state=${encodeURIComponent(state)}`);
      if (!items.length) return body.replaceChildren(el("tr", {}, el("td", { colspan: "6", class: "empty", text: "Отключений нет." })));
      const cards = await Promise.all(items.map((o) => api("GET", `/api/outages/${o.id}`).catch(() => o)));
      body.replaceChildren(...cards.map((o) => row(root, o)));
    } catch (e) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: "6", class: "empty", text: e.message })));
    }
  }

  function row(root, o) {
    const msg = $(".outage-result", root); // outside the table: a reload keeps the message
    const actions = el("div", { class: "row" });
    const open = o.state === "active" || o.state === "upcoming";
    if (open && root.dataset.canEdit === "1") {
      const end = el("button", { type: "button", text: "Подача восстановлена" });
      end.addEventListener("click", async () => {
        try {
          const r = await api("POST", `/api/outages/${o.id}/restore`, { expectedVersion: o.version });
          say(msg, "ok", `Восстановлено. Закрыто связанных заявок: ${r.resolvedTickets}.`);
          load(root);
        } catch (e) {
          say(msg, "error", e.message);
        }
      });
      const cancel = el("button", { type: "button", class: "secondary", text: "Отменить" });
      cancel.addEventListener("click", async () => {
        try {
          await api("POST", `/api/outages/${o.id}/cancel`, { expectedVersion: o.version });
          load(root);
        } catch (e) {
          say(msg, "error", e.message);
        }
      });
      const until = el("input", { type: "datetime-local", "aria-label": "Новое время окончания" });
      const extend = el("button", { type: "button", class: "secondary", text: "Изменить окончание" });
      extend.addEventListener("click", async () => {
        if (!until.value) return until.focus();
        try {
          await api("PATCH", `/api/outages/${o.id}`, { expectedEndAt: toIso(until.value), expectedVersion: o.version });
          load(root);
        } catch (e) {
          say(msg, "error", e.message);
        }
      });
      actions.append(end, cancel, until, extend);
    }
    const flags = (o.normFlags || []).map((f) =>
      el("li", { class: "red", text: `${f.rule === "single" ? "Разовое" : "За месяц"} превышение ПП 354: ${f.hours} ч при норме ${f.limitHours} ч${f.note ? " — " + f.note : ""}` }),
    );
    const children = el("details", {}, el("summary", { text: `Связанные заявки: ${o.childrenCount ?? "…"}` }));
    children.addEventListener("toggle", async () => {
      if (!children.open || children.dataset.loaded) return;
      children.dataset.loaded = "1";
      try {
        const { items } = await api("GET", `/api/outages/${o.id}/tickets`);
        children.append(
          el("ul", {}, ...items.map((t) => el("li", {}, el("a", { href: `/panel/tickets/${Number(t.id)}`, text: `№ ${t.number}` }), ` — ${t.statusLabel}, ${t.address || ""}`))),
        );
      } catch (e) {
        children.append(el("p", { class: "flash error", text: e.message }));
      }
    });
    return el(
      "tr",
      { "data-outage": String(o.id), class: o.kind === "emergency" ? "emergency" : "" },
      el("td", {}, el("b", { text: o.resourceLabel || o.resource }), el("br"), el("small", { text: `${o.kindLabel || o.kind}, ${o.org && o.org.name ? o.org.name : ""}` })),
      el("td", { text: `${o.startsAtLocal} — ${o.endedAtLocal || o.expectedEndAtLocal}` }),
      el("td", { text: o.stateLabel }),
      el("td", { text: o.reason }),
      el("td", {}, el("ul", {}, ...(o.buildings || []).slice(0, 20).map((b) => el("li", { text: b.address }))), flags.length ? el("ul", {}, ...flags) : null),
      el("td", {}, children, actions),
    );
  }

  function registerForm(root, form) {
    const out = $(".form-result", form);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const f = new FormData(form);
      const street = { street: String(f.get("street") || "").trim(), parity: String(f.get("parity") || "all") };
      if (f.get("from")) street.from = Number(f.get("from"));
      if (f.get("to")) street.to = Number(f.get("to"));
      const body = {
        resource: f.get("resource"),
        kind: f.get("kind"),
        startsAt: toIso(String(f.get("startsAt"))),
        expectedEndAt: toIso(String(f.get("expectedEndAt"))),
        reason: String(f.get("reason") || ""),
        streets: [street],
      };
      try {
        const o = await api("POST", "/api/outages", body);
        say(out, "ok", `Отключение зарегистрировано: домов — ${(o.buildings || []).length}.`);
        form.reset();
        load(root);
      } catch (e) {
        say(out, "error", e.message);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const root = $("[data-outages]");
    if (!root) return;
    $("#outage-state", root).addEventListener("change", () => load(root));
    const form = $("#outage-form");
    if (form) registerForm(root, form);
    load(root);
  });
})();
