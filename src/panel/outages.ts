// The outages page (УО, РСО, ПО, ЦОЗ, oversight): a shell the outages script fills from the
// JSON API (/api/outages), so the rules stay with the outages module.
import Router from "@koa/router";
import { RESOURCES } from "../models/Category.ts";
import { panelErrors } from "./errors.ts";
import { staff } from "./guard.ts";
import { html } from "./html.ts";
import { page } from "./layout.ts";

const RESOURCE_NAMES: Record<string, string> = {
  cold_water: "Холодная вода",
  hot_water: "Горячая вода",
  heating: "Отопление",
  electricity: "Электроснабжение",
  gas: "Газоснабжение",
  sewerage: "Водоотведение",
};
/** Who registers outages: management companies and resource suppliers (regulation §3.4.2, §3.5). */
const REGISTRARS = ["uo", "supplier"];

export function outageRoutes(): Router {
  const r = new Router({ prefix: "/panel" });
  r.use(panelErrors);
  r.get("/outages", (ctx) => {
    const a = staff(ctx);
    const canEdit = REGISTRARS.includes(a.role);
    page(ctx, {
      title: "Отключения",
      page: "outages",
      body: html`<h1>Отключения ресурсов</h1>
${canEdit
  ? html`<details><summary>Зарегистрировать отключение</summary>
<form id="outage-form" class="stack">
<label for="o-resource">Ресурс</label><select id="o-resource" name="resource" required>${RESOURCES.map((x) => html`<option value="${x}">${RESOURCE_NAMES[x]}</option>`)}</select>
<label for="o-kind">Вид</label><select id="o-kind" name="kind"><option value="planned">Плановое</option><option value="emergency">Аварийное</option></select>
<label for="o-start">Начало</label><input id="o-start" name="startsAt" type="datetime-local" required>
<label for="o-end">Ожидаемое окончание</label><input id="o-end" name="expectedEndAt" type="datetime-local" required>
<label for="o-reason">Причина</label><input id="o-reason" name="reason" required maxlength="1000">
<fieldset><legend>Адреса</legend>
<label for="o-street">Улица</label><input id="o-street" name="street" required>
<div class="row"><label for="o-from">дома с</label><input id="o-from" name="from" type="number" min="0" class="num"><label for="o-to">по</label><input id="o-to" name="to" type="number" min="0" class="num">
<label for="o-parity">сторона</label><select id="o-parity" name="parity"><option value="all">все</option><option value="odd">нечётная</option><option value="even">чётная</option></select></div>
</fieldset>
<div class="form-result" role="status" aria-live="polite"></div>
<button type="submit">Зарегистрировать</button>
</form></details>`
  : null}
<div data-outages data-can-edit="${canEdit ? "1" : "0"}">
<div class="outage-result" role="status" aria-live="polite"></div>
<label for="outage-state">Показать</label> <select id="outage-state"><option value="current">текущие и плановые</option><option value="all">все, включая завершённые</option></select>
<table class="grid"><thead><tr><th>Ресурс</th><th>Период</th><th>Состояние</th><th>Причина</th><th>Адреса и нормы ПП 354</th><th></th></tr></thead>
<tbody><tr><td colspan="6" class="empty">Загрузка…</td></tr></tbody></table>
</div>`,
    });
  });
  return r;
}
