// The operator's ticket form: resident search by phone, address street → house → apartment,
// category, description. panel.js fills it from the incoming-call card.
import type { UserActor } from "../../context.ts";
import { Category } from "../../models/Category.ts";
import { html, type Html } from "../html.ts";

/** The address picker shared by the operator's form and the resident's form. */
export function addressPicker(apiBase: string, required: boolean): Html {
  return html`<fieldset class="address" data-address-api="${apiBase}">
  <legend>Адрес</legend>
  <label for="street">Улица</label>
  <input id="street" name="street" list="street-list" autocomplete="off" placeholder="Начните вводить название улицы"${required ? html` required` : null}>
  <datalist id="street-list"></datalist>
  <label for="buildingId">Дом</label>
  <select id="buildingId" name="buildingId"${required ? html` required` : null}><option value="">— сначала улица —</option></select>
  <label for="apartmentId">Квартира</label>
  <select id="apartmentId" name="apartmentId"><option value="">— не указана —</option></select>
</fieldset>`;
}

export async function categorySelect(): Promise<Html> {
  const cats = await Category.findAll({ where: { active: true }, order: [["sortOrder", "ASC"], ["id", "ASC"]] });
  const groups = new Map<string, Category[]>();
  for (const c of cats) groups.set(c.groupName ?? "Прочее", [...(groups.get(c.groupName ?? "Прочее") ?? []), c]);
  return html`<label for="categoryId">Тип заявки</label>
<select id="categoryId" name="categoryId" required><option value="">— выберите —</option>${[...groups].map(
    ([g, list]) => html`<optgroup label="${g}">${list.map((c) => html`<option value="${c.id}">${c.name}${c.emergency ? " (аварийная)" : ""}</option>`)}</optgroup>`,
  )}</select>`;
}

export async function newTicketForm(csrf: string, _a: UserActor): Promise<Html> {
  return html`<h1>Новая заявка</h1>
<form method="post" action="/panel/tickets" class="stack wide" id="new-ticket" data-once data-inline>
<input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="residentId" id="residentId">
<fieldset><legend>Житель</legend>
  <label for="contactPhone">Телефон</label>
  <div class="row"><input id="contactPhone" name="contactPhone" type="tel" autocomplete="off" placeholder="+7 912 345-67-89"><button type="button" id="find-resident">Найти жителя</button></div>
  <div id="resident-results" aria-live="polite"></div>
  <label for="contactName">Имя</label><input id="contactName" name="contactName" maxlength="200">
</fieldset>
${addressPicker("/api", false)}
<label for="addressText">Адрес текстом (если дома нет в справочнике)</label><input id="addressText" name="addressText" maxlength="300">
${await categorySelect()}
<label><input type="checkbox" name="emergency"> Аварийная</label>
<label for="description">Описание</label><textarea id="description" name="description" rows="4" maxlength="4000" required></textarea>
<label for="channel">Источник</label><select id="channel" name="channel"><option value="phone">Звонок</option><option value="panel">Иное обращение</option></select>
<button type="submit">Создать заявку</button>
</form>`;
}
