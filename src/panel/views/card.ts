// The ticket card: details, deadline countdown, history timeline, attachments (photos inline),
// contact attempts, and the forms of the legal next actions.
import { html, type Html } from "../html.ts";
import { actionForms, remaining, type ActionChoices, type Card } from "./tickets.ts";

const OUTCOMES: Record<string, string> = { pending: "звонок идёт", answered: "ответил", no_answer: "не ответил", busy: "занято", failed: "не состоялся" };
const CLOSURES: Record<string, string> = {
  resident_confirmed: "житель подтвердил выполнение",
  operator_confirmed: "подтверждено оператором",
  unreachable: "житель недоступен",
  no_answer: "житель не ответил на запрос",
  declined: "отказано в регистрации",
  withdrawn: "отозвана",
};

export interface CardExtras {
  canAttempt: boolean;
  canAttach: boolean;
  /** May see the call log (ЦОЗ, oversight, admin). */
  canCall: boolean;
  /** Extra blocks other parts of the panel add (linked calls, outages). */
  extra?: Html[];
}

export function ticketCard(t: Card, csrf: string, ch: ActionChoices, x: CardExtras): Html {
  const open = t.status !== "closed";
  return html`<article class="card" data-ticket-card="${t.id}" data-version="${t.version}">
<header class="card-head">
  <h1>Заявка № ${t.number}${t.emergency ? html` <span class="badge red">аварийная</span>` : null}</h1>
  <p class="status-line"><span class="status">${t.statusLabel}</span>${t.closureKind ? html` — ${CLOSURES[t.closureKind] ?? t.closureKind}` : null}</p>
  <div id="stale" class="flash warn" hidden>Заявка изменена другим участником. <a href="/panel/tickets/${t.id}">Обновить карточку</a></div>
</header>
<div class="cols">
<section class="details">
  <dl>
    <dt>Тип</dt><dd>${t.category.name ?? ""}</dd>
    <dt>Адрес</dt><dd>${t.address ?? "не указан"}</dd>
    ${t.contact ? html`<dt>Житель</dt><dd>${t.contact.name ?? "—"}${t.contact.phone ? html`, <span class="phone">${t.contact.phoneFormatted}</span>` : " (телефон не указан)"}</dd>` : null}
    <dt>УО</dt><dd>${t.uo?.name ?? "не назначена"}</dd>
    <dt>Исполнитель</dt><dd>${t.executor?.name ?? "—"}${t.executorUser ? html`, ${t.executorUser.name}` : null}</dd>
    <dt>Срок</dt><dd>${t.deadlineLocal} ${
      open ? html`<span class="countdown ${t.overdue ? "red" : ""}" data-deadline="${t.deadlineAt}">${remaining(t.deadlineAt)}</span>` : null
    }<br><small>${t.deadlineBasis}</small></dd>
    ${t.emergency && t.dispatchDeadlineAt ? html`<dt>Выезд бригады</dt><dd>${t.crewDispatchedAt ? `выехала ${new Date(t.crewDispatchedAt).toLocaleString("ru-RU", { timeZone: "Europe/Moscow" })}` : html`<span class="countdown" data-deadline="${t.dispatchDeadlineAt}">${remaining(t.dispatchDeadlineAt)}</span>`}</dd>` : null}
    ${t.postponedUntil ? html`<dt>Отложена до</dt><dd>${new Date(t.postponedUntil).toLocaleString("ru-RU", { timeZone: "Europe/Moscow" })}</dd>` : null}
    ${t.worksDone ? html`<dt>Выполненные работы</dt><dd>${t.worksDone}</dd>` : null}
    ${t.rating ? html`<dt>Оценка</dt><dd>${t.rating} из 5</dd>` : null}
  </dl>
  <h2>Описание</h2>
  <p class="description">${t.description}</p>
  <h2>Файлы</h2>
  ${t.attachments?.length
    ? html`<ul class="files">${t.attachments.map((a) =>
        a.mime.startsWith("image/")
          ? html`<li><a href="${a.url}"><img src="${a.url}" alt="${a.name}" loading="lazy"></a><small>${a.kind === "work_order" ? "заказ-наряд" : a.name}</small></li>`
          : html`<li><a href="${a.url}">${a.kind === "work_order" ? "Заказ-наряд: " : ""}${a.name}</a></li>`,
      )}</ul>`
    : html`<p class="muted">Файлов нет.</p>`}
  ${x.canAttach && open
    ? html`<form method="post" action="/panel/tickets/${t.id}/attachments" enctype="multipart/form-data" class="inline upload">
  <input type="hidden" name="_csrf" value="${csrf}"><label>Приложить фото <input type="file" name="file" accept="image/*,application/pdf" required></label><button type="submit">Загрузить</button></form>`
    : null}
  ${t.buildingId ? html`<div data-building-outages="${t.buildingId}" hidden><h2>Отключения по дому</h2><ul></ul></div>` : null}
  ${x.extra ?? null}
</section>
<section class="side">
  <h2>Действия</h2>
  <div class="actions">${actionForms(t, t.actions ?? [], csrf, ch)}</div>
  ${x.canCall
    ? html`<div data-ticket-calls="${t.id}"><h2>Звонки</h2>
  ${x.canAttempt && open && t.contact?.phone ? html`<button type="button" data-dial>Позвонить жителю</button><div class="dial-result" role="status" aria-live="polite"></div>` : null}
  <ul class="linked-calls"><li class="muted">Загрузка…</li></ul></div>`
    : null}
  ${t.contactAttempts
    ? html`<h2>Попытки связаться с жителем</h2>
  ${t.contactAttempts.length
    ? html`<ol class="attempts">${t.contactAttempts.map((c) => html`<li>${c.atLocal} — ${OUTCOMES[c.outcome] ?? c.outcome}${c.note ? html`: ${c.note}` : null}</li>`)}</ol>`
    : html`<p class="muted">Звонков не было.</p>`}
  ${x.canAttempt && open
    ? html`<form method="post" action="/panel/tickets/${t.id}/attempts" class="stack attempt-form" data-inline>
    <input type="hidden" name="_csrf" value="${csrf}">
    <label for="att-outcome">Результат звонка</label>
    <select id="att-outcome" name="outcome" required><option value="answered">Житель ответил</option><option value="no_answer">Не ответил</option><option value="busy">Занято</option><option value="failed">Вызов не состоялся</option></select>
    <label for="att-note">Заметка (необязательно)</label><input id="att-note" name="note" maxlength="1000">
    <button type="submit">Записать звонок</button></form>`
    : null}`
    : null}
</section>
</div>
<section class="history">
  <h2>История</h2>
  <ol class="timeline">${(t.history ?? []).map(
    (h) => html`<li><time>${h.atLocal}</time> <b>${h.label}</b> — ${h.actor.name}${h.from !== h.to ? html` <span class="muted">→ ${h.toLabel}</span>` : null}${h.reason ? html`<br><span class="reason">${h.reason}</span>` : null}</li>`,
  )}</ol>
</section>
</article>`;
}
