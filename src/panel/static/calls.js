// Open Pechora panel: the call centre's telephony pieces over the JSON API (src/routes/api/calls.ts):
// a ticket created from a call is linked to it, click-to-call with the attempts log, the calls
// linked to a ticket, and the call-back list. Data is shown with textContent only.
"use strict";
(function () {
  const { $, el, api } = window.OP;
  const when = (iso) => (iso ? new Date(iso).toLocaleString("ru-RU", { dateStyle: "short", timeStyle: "short" }) : "");

  // A ticket from the screen-pop goes through POST /api/calls/:id/tickets, which links the call.
  function fromCallForm(form) {
    form.addEventListener(
      "submit",
      async (ev) => {
        const callId = form.querySelector('input[name="callId"]');
        if (!callId) return;
        ev.preventDefault();
        ev.stopImmediatePropagation();
        const f = new FormData(form);
        const body = { categoryId: Number(f.get("categoryId")), description: String(f.get("description") || "") };
        for (const k of ["buildingId", "apartmentId", "residentId"]) if (f.get(k)) body[k] = Number(f.get(k));
        for (const k of ["addressText", "contactName", "contactPhone"]) if (f.get(k)) body[k] = String(f.get(k));
        body.emergency = f.get("emergency") === "on";
        const button = form.querySelector('button[type="submit"]');
        button.disabled = true;
        try {
          const t = await api("POST", `/api/calls/${encodeURIComponent(callId.value)}/tickets`, body);
          location.assign(`/panel/tickets/${Number(t.id)}`);
        } catch (e) {
          let box = form.querySelector(".form-error");
          if (!box) form.append((box = el("div", { class: "form-error", role: "alert" })));
          box.textContent = e.message;
          button.disabled = false;
        }
      },
      true,
    );
  }

  // The ticket card: click-to-call and the calls linked to the ticket (ЦОЗ and oversight).
  async function ticketCalls(box) {
    const id = box.dataset.ticketCalls;
    const dial = box.querySelector("button[data-dial]");
    const out = box.querySelector(".dial-result");
    if (dial)
      dial.addEventListener("click", async () => {
        dial.disabled = true;
        try {
          await api("POST", `/api/tickets/${id}/call`, {});
          out.className = "dial-result flash ok";
          out.textContent = "Вызов отправлен: сначала зазвонит ваш телефон, затем АТС наберёт жителя. Результат попадёт в список звонков.";
        } catch (e) {
          out.className = "dial-result flash error";
          out.textContent = e.message;
        }
        dial.disabled = false;
      });
    try {
      const { items } = await api("GET", `/api/calls?ticketId=${encodeURIComponent(id)}`);
      const list = box.querySelector(".linked-calls");
      if (!items.length) return list.replaceChildren(el("li", { class: "muted", text: "Связанных звонков нет." }));
      list.replaceChildren(
        ...items.map((c) =>
          el("li", { text: `${when(c.startedAt)} — ${c.directionLabel}, ${c.residentNumberFormatted}, ${c.outcomeLabel || c.status}${c.operator && c.operator.name ? ", " + c.operator.name : ""}` }),
        ),
      );
    } catch {
      box.querySelector(".linked-calls")?.remove();
    }
  }

  // The call-back list: missed and abandoned calls waiting for the call centre.
  async function callbacks(box) {
    const body = box.querySelector("tbody");
    try {
      const { items } = await api("GET", "/api/callbacks");
      if (!items.length) return body.replaceChildren(el("tr", {}, el("td", { colspan: "5", class: "empty", text: "Перезвонить некому." })));
      body.replaceChildren(...items.map(callbackRow));
    } catch (e) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: "5", class: "empty", text: e.message })));
    }
  }
  function callbackRow(c) {
    const create = el("button", { type: "button", class: "secondary", text: "Создать заявку" });
    create.addEventListener("click", () => {
      sessionStorage.setItem("op_prefill", JSON.stringify({ callId: c.id, phone: c.residentNumber || "", name: "" }));
      location.assign("/panel/tickets/new");
    });
    const reason = el("input", { "aria-label": "Причина снятия", placeholder: "почему не перезваниваем", maxlength: "500" });
    const dismiss = el("button", { type: "button", class: "link", text: "Снять" });
    const row = el(
      "tr",
      { "data-call": String(c.id), class: c.callback && c.callback.overdue ? "overdue" : "" },
      el("td", { text: c.residentNumberFormatted }),
      el("td", { text: `${when(c.startedAt)} — ${c.outcomeLabel || ""}` }),
      el("td", { text: c.callback ? `${c.callback.dueLocal || ""}${c.callback.overdue ? " (просрочено)" : ""}` : "" }),
      el("td", { text: (c.callback && c.callback.reason) || "" }),
      el("td", {}, el("div", { class: "row" }, create, reason, dismiss)),
    );
    dismiss.addEventListener("click", async () => {
      if (!reason.value.trim()) {
        reason.focus();
        reason.setCustomValidity("Укажите причину");
        reason.reportValidity();
        return;
      }
      try {
        await api("POST", `/api/calls/${c.id}/callback/dismiss`, { reason: reason.value.trim() });
        row.remove();
      } catch (e) {
        alert(e.message);
      }
    });
    reason.addEventListener("input", () => reason.setCustomValidity(""));
    return row;
  }

  // Current outages at the ticket's building (the likely cause of a mass incident).
  async function buildingOutages(box) {
    try {
      const { items } = await api("GET", `/api/outages?state=current&buildingId=${encodeURIComponent(box.dataset.buildingOutages)}`);
      if (!items.length) return;
      box.querySelector("ul").replaceChildren(
        ...items.map((o) => el("li", { text: `${o.resourceLabel}: ${o.reason} (${o.kindLabel}, ${o.startsAtLocal} — ${o.expectedEndAtLocal}, ${o.stateLabel.toLowerCase()})` })),
      );
      box.hidden = false;
    } catch {
      /* outages unavailable */
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = $("#new-ticket");
    if (form) fromCallForm(form);
    const calls = $("[data-ticket-calls]");
    if (calls) ticketCalls(calls);
    const cb = $("[data-callbacks]");
    if (cb) {
      callbacks(cb);
      document.addEventListener("op:callbacks", () => callbacks(cb));
    }
    const out = $("[data-building-outages]");
    if (out) buildingOutages(out);
  });
})();
