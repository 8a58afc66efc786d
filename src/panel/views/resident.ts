// The resident's form and status page.
import type { OfferedAction } from "../../workflow/engine.ts";
import { html, type Html } from "../html.ts";
import { addressPicker, categorySelect } from "./newTicket.ts";
import type { Card } from "./tickets.ts";

/** The consent text shown on the web form; immutable by version (consent_texts). */
export const WEB_CONSENT = {
  version: "web-2026-12-03",
  text: "Согласен(на) на обработку моих персональных данных (имя, телефон, адрес, фотографии) Центром обработки заявок и организациями, выполняющими заявку, для её рассмотрения, выполнения и информирования меня о ходе работ.",
};

export async function residentForm(token: string): Promise<Html> {
  return html`<section class="narrow">
<h1>Заявка в управляющую организацию</h1>
<p>Опишите проблему в доме или квартире. Оператор Центра обработки заявок перезвонит вам, чтобы подтвердить заявку, и передаст её в управляющую организацию. При аварии (затопление, запах газа, нет света во всём доме) звоните по телефону ЕДДС.</p>
<form method="post" action="/zayavka" enctype="multipart/form-data" class="stack" data-once>
<input type="hidden" name="_pcsrf" value="${token}">
<label for="name">Ваше имя</label><input id="name" name="name" autocomplete="name" required maxlength="200">
<label for="phone">Телефон для связи</label><input id="phone" name="phone" type="tel" autocomplete="tel" required placeholder="+7 912 345-67-89">
${addressPicker("/p/api", true)}
${await categorySelect()}
<label for="description">Что случилось</label><textarea id="description" name="description" rows="5" maxlength="4000" required></textarea>
<label for="photos">Фотографии (до 3, необязательно)</label><input id="photos" name="photos" type="file" accept="image/*" multiple>
<label><input type="checkbox" name="consent" required> ${WEB_CONSENT.text}</label>
<div class="form-error" role="alert" hidden></div>
<button type="submit">Отправить заявку</button>
</form>
<p><a href="/status">Узнать статус поданной заявки</a></p>
</section>`;
}

export function statusLookup(token: string): Html {
  return html`<section class="narrow">
<h1>Статус заявки</h1>
<form method="post" action="/status" class="stack">
<input type="hidden" name="_pcsrf" value="${token}">
<label for="number">Номер заявки</label><input id="number" name="number" required placeholder="2026-000123" pattern="\\d{4}-\\d{6}">
<label for="phone">Телефон, указанный в заявке</label><input id="phone" name="phone" type="tel" required>
<button type="submit">Показать</button>
</form></section>`;
}

export function statusPage(t: Card, actions: OfferedAction[], token: string, phone: string, notice?: string): Html {
  const hidden = html`<input type="hidden" name="_pcsrf" value="${token}"><input type="hidden" name="number" value="${t.number}"><input type="hidden" name="phone" value="${phone}"><input type="hidden" name="expectedVersion" value="${t.version}">`;
  const can = (a: string) => actions.some((x) => x.action === a);
  return html`<section class="narrow">
${notice ? html`<div class="flash ok" role="status">${notice}</div>` : null}
<h1>Заявка № ${t.number}</h1>
<p class="status-line"><span class="status">${t.statusLabel}</span></p>
<dl><dt>Тип</dt><dd>${t.category.name ?? ""}</dd><dt>Адрес</dt><dd>${t.address ?? ""}</dd>
<dt>Срок выполнения</dt><dd>${t.deadlineLocal}</dd>
${t.uo?.name ? html`<dt>Управляющая организация</dt><dd>${t.uo.name}</dd>` : null}
${t.worksDone ? html`<dt>Выполненные работы</dt><dd>${t.worksDone}</dd>` : null}</dl>
<h2>Описание</h2><p class="description">${t.description}</p>
${can("confirm")
  ? html`<h2>Работы выполнены?</h2>
<form method="post" action="/status/act" class="stack">${hidden}<input type="hidden" name="action" value="confirm">
<label for="rating">Оценка</label><select id="rating" name="rating"><option value="">—</option>${[5, 4, 3, 2, 1].map((n) => html`<option>${n}</option>`)}</select>
<button type="submit">Да, подтверждаю выполнение</button></form>`
  : null}
${can("dispute")
  ? html`<form method="post" action="/status/act" class="stack">${hidden}<input type="hidden" name="action" value="dispute">
<label for="reason">Что не сделано</label><textarea id="reason" name="reason" rows="3" required maxlength="2000"></textarea>
<button type="submit" class="secondary">Нет, не выполнено</button></form>`
  : null}
<h2>Ход выполнения</h2>
<ol class="timeline">${(t.history ?? []).map((h) => html`<li><time>${h.atLocal}</time> ${h.label}${h.from !== h.to ? html` — ${h.toLabel}` : null}</li>`)}</ol>
</section>`;
}
