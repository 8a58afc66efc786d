// Ticket list, card and action forms. Every value is escaped by html``; only legal next
// actions (from the workflow table via nextActions) get a form.
import type { OfferedAction } from "../../workflow/engine.ts";
import { DECLINE_REASON_LABELS, DECLINE_REASONS, type InputField } from "../../workflow/transitions.ts";
import type { presentTicket, presentTicketSummary } from "../../presenters/ticket.ts";
import { html, type Html } from "../html.ts";

export type Summary = ReturnType<typeof presentTicketSummary>;
export type Card = ReturnType<typeof presentTicket>;

export interface Choice {
  id: number;
  label: string;
}
export interface ActionChoices {
  uos: Choice[];
  executors: Choice[];
  staff: Choice[];
  categories: Choice[];
}

export function remaining(deadlineIso: string, now = Date.now()): string {
  const ms = new Date(deadlineIso).getTime() - now;
  const m = Math.floor(Math.abs(ms) / 60_000);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const text = `${d ? `${d} дн ` : ""}${h} ч ${m % 60} мин`;
  return ms >= 0 ? `осталось ${text}` : `просрочена на ${text}`;
}

export function ticketRows(items: Summary[]): Html {
  if (!items.length) return html`<tr><td colspan="6" class="empty">Заявок нет</td></tr>`;
  return html`${items.map(
    (t) => html`<tr data-ticket="${t.id}" data-version="${t.version}" class="${t.emergency ? "emergency" : ""} ${t.overdue ? "overdue" : ""}">
  <td><a href="/panel/tickets/${t.id}">${t.number}</a>${t.emergency ? html` <span class="badge red">авария</span>` : null}</td>
  <td class="status">${t.statusLabel}</td>
  <td>${t.category.name ?? ""}</td>
  <td>${t.address ?? "адрес не указан"}</td>
  <td>${t.uo?.name ?? "—"}${t.executor ? html`<br><small>${t.executor.name ?? ""}</small>` : null}</td>
  <td><span class="countdown" data-deadline="${t.status === "closed" ? "" : t.deadlineAt}">${t.deadlineLocal}</span>${t.overdue ? html` <span class="badge red">просрочена</span>` : null}</td>
</tr>`,
  )}`;
}

export function ticketTable(items: Summary[], fragmentUrl: string): Html {
  return html`<table class="tickets" data-live-list="${fragmentUrl}">
<caption class="sr">Список заявок</caption>
<thead><tr><th>Номер</th><th>Статус</th><th>Тип</th><th>Адрес</th><th>УО / исполнитель</th><th>Срок</th></tr></thead>
<tbody>${ticketRows(items)}</tbody>
</table>`;
}

const FIELD_LABELS: Record<InputField, string> = {
  reason: "Причина",
  comment: "Комментарий",
  until: "Отложить до",
  deadlineAt: "Новый срок",
  deadlineBasis: "Основание срока",
  dispatchDeadlineAt: "Срок выезда",
  categoryId: "Новый тип заявки",
  emergency: "Аварийная",
  uoId: "Управляющая организация",
  executorOrgId: "Исполнитель (организация)",
  executorUserId: "Сотрудник",
  worksDone: "Выполненные работы",
  workOrderAttachmentId: "Заказ-наряд (PDF или фото)",
  declineReason: "Причина отказа",
  rating: "Оценка жителя",
  publishable: "Разрешить публикацию описания",
};

const options = (list: Choice[], placeholder: string) =>
  html`<option value="">${placeholder}</option>${list.map((c) => html`<option value="${c.id}">${c.label}</option>`)}`;

function field(action: string, f: InputField, required: boolean, ch: ActionChoices): Html | null {
  const id = `${action}-${f}`;
  const req = required ? html` required` : null;
  const label = html`<label for="${id}">${FIELD_LABELS[f]}${required ? "" : " (необязательно)"}</label>`;
  switch (f) {
    case "reason":
    case "comment":
    case "worksDone":
      return html`${label}<textarea id="${id}" name="${f}" rows="2" maxlength="2000"${req}></textarea>`;
    case "until":
    case "deadlineAt":
      return html`${label}<input id="${id}" name="${f}" type="datetime-local"${req}>`;
    case "categoryId":
      return html`${label}<select id="${id}" name="${f}"${req}>${options(ch.categories, "— выберите —")}</select>`;
    case "uoId":
      return html`${label}<select id="${id}" name="${f}"${req}>${options(ch.uos, "— выберите —")}</select>`;
    case "executorOrgId":
      return html`${label}<select id="${id}" name="${f}"${req}>${options(ch.executors, "— выберите —")}</select>`;
    case "executorUserId":
      return html`${label}<select id="${id}" name="${f}">${options(ch.staff, "— не указан —")}</select>`;
    case "workOrderAttachmentId":
      return html`<label for="${id}">${FIELD_LABELS[f]}</label><input id="${id}" name="file" type="file" accept="application/pdf,image/*"${req}>`;
    case "declineReason":
      return html`${label}<select id="${id}" name="${f}"${req}><option value="">— выберите —</option>${DECLINE_REASONS.map(
        (d) => html`<option value="${d}">${DECLINE_REASON_LABELS[d]}</option>`,
      )}</select>`;
    case "rating":
      return html`${label}<select id="${id}" name="${f}"${req}><option value="">—</option>${[5, 4, 3, 2, 1].map((n) => html`<option>${n}</option>`)}</select>`;
    case "publishable":
      return html`<label><input type="checkbox" name="${f}" value="true"> ${FIELD_LABELS[f]}</label>`;
    default:
      return null;
  }
}

export function actionForms(t: Card, actions: OfferedAction[], csrf: string, ch: ActionChoices): Html {
  if (!actions.length) return html`<p class="muted">Для вас сейчас нет доступных действий по этой заявке.</p>`;
  return html`${actions.map((a) => {
    const fields = [...a.requires.map((f) => field(a.action, f, true, ch)), ...a.optional.map((f) => field(a.action, f, false, ch))];
    const multipart = a.requires.includes("workOrderAttachmentId");
    const url = `/panel/tickets/${t.id}/act/${a.action}`;
    const body = html`<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="expectedVersion" value="${t.version}">
${fields}<button type="submit">${a.label}</button>`;
    if (!fields.some(Boolean))
      return html`<form method="post" action="${url}" class="action inline" data-action="${a.action}" data-inline>${body}</form>`;
    return html`<details class="action" data-action="${a.action}"><summary>${a.label}</summary>
<form method="post" action="${url}" class="stack" data-inline${multipart ? html` enctype="multipart/form-data"` : null}>${body}</form></details>`;
  })}`;
}
