// Administrator and agency pages: categories with their deadlines, the working-day calendar,
// users, organisations, integration status. Forms marked data-api are sent by panel.js to the
// JSON API (PATCH /api/categories/:id, PUT /api/calendar/:day, POST/PATCH /api/users) so the
// rules live in one place.
import Router from "@koa/router";
import { QueryTypes } from "sequelize";
import { config, pbxName, telephonyConfigured } from "../config.ts";
import { sequelize } from "../db/sequelize.ts";
import { Category, DEADLINE_UNITS } from "../models/Category.ts";
import { Organisation, ORG_TYPES } from "../models/Organisation.ts";
import { STAFF_ROLES, User } from "../models/User.ts";
import { configuredChannels } from "../notifications/channels.ts";
import { panelErrors } from "./errors.ts";
import { staff } from "./guard.ts";
import { html, selected, checked } from "./html.ts";
import { page, ROLE_LABELS } from "./layout.ts";
import { pbxLinkOf } from "../commands/pbxLinkRecorder.ts";
import { presentPbxLink, type PbxLinkView } from "../presenters/pbxLink.ts";

const UNIT_LABELS: Record<string, string> = { minutes: "минут", hours: "часов", calendar_days: "календарных дней", working_days: "рабочих дней" };
export const ORG_LABELS: Record<string, string> = {
  call_centre: "ЦОЗ",
  management_company: "УО",
  contractor: "ПО",
  resource_supplier: "РСО",
  agency: "МКУ ГО и ЧС",
  oversight: "Надзор",
};
const DAY_KINDS: Record<string, string> = { off: "выходной", work: "рабочий (перенос)", short: "сокращённый", normal: "как обычно" };

const PBX_STATES: Record<PbxLinkView["state"], string> = {
  off: "не настроено",
  ready: "на связи",
  down: "нет связи",
  auth_failed: "вход отклонён",
  unknown: "не подтверждено",
};

/** The PBX row of the status page: the link as its holder reported it, and the technical reason. */
function amiRow(pbx: PbxLinkView, note: string) {
  const since = pbx.state !== "off" && pbx.sinceLocal ? ` с ${pbx.sinceLocal}` : "";
  const reason = pbx.lastError && pbx.state !== "ready" ? `; причина: ${pbx.lastError}` : "";
  return html`<tr data-pbx-state="${pbx.state}"><td>АТС (AMI)</td><td class="${pbx.state === "ready" ? "ok" : "bad"}">${PBX_STATES[pbx.state]}${since}</td><td>${note}${reason}</td></tr>`;
}

export function adminRoutes(): Router {
  const r = new Router({ prefix: "/panel" });
  r.use(panelErrors);

  r.get("/admin/categories", async (ctx) => {
    staff(ctx, ["admin"]);
    const cats = await Category.findAll({ order: [["sortOrder", "ASC"], ["id", "ASC"]] });
    page(ctx, {
      title: "Категории и сроки",
      page: "admin",
      body: html`<h1>Категории заявок и нормативные сроки</h1>
<div id="api-result" role="status" aria-live="polite"></div>
<table class="grid"><thead><tr><th>Категория</th><th>Срок</th><th>Основание</th><th>Аварийная</th><th>Активна</th><th></th></tr></thead><tbody>
${cats.map(
  (c) => html`<tr data-category="${c.id}"><td>${c.name}<br><small class="muted">${c.groupName}</small></td>
<td colspan="5"><form class="row" data-api="/api/categories/${c.id}" data-method="PATCH">
<label class="sr" for="dv-${c.id}">Срок</label><input id="dv-${c.id}" name="deadlineValue" data-type="int" type="number" min="0" max="10000" value="${c.deadlineValue}" class="num">
<label class="sr" for="du-${c.id}">Единица</label><select id="du-${c.id}" name="deadlineUnit">${DEADLINE_UNITS.map((u) => html`<option value="${u}"${selected(u, c.deadlineUnit)}>${UNIT_LABELS[u]}</option>`)}</select>
<label class="sr" for="db-${c.id}">Основание</label><input id="db-${c.id}" name="deadlineBasis" value="${c.deadlineBasis}" maxlength="500">
<label><input type="checkbox" name="emergency" data-type="bool"${checked(c.emergency)}> авар.</label>
<label><input type="checkbox" name="active" data-type="bool"${checked(c.active)}> акт.</label>
<button type="submit">Сохранить</button></form></td></tr>`,
)}</tbody></table>`,
    });
  });

  r.get("/admin/calendar", async (ctx) => {
    staff(ctx, ["admin"]);
    const days = await sequelize().query<{ day: string; kind: string; note: string | null }>(
      "SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, note FROM calendar_days WHERE day >= date_trunc('year', now()) - interval '1 year' ORDER BY day",
      { type: QueryTypes.SELECT },
    );
    page(ctx, {
      title: "Производственный календарь",
      page: "admin",
      body: html`<h1>Производственный календарь</h1>
<p class="muted">Выходные и рабочие дни, отличные от обычной недели. Сроки заявок в рабочих днях считаются по этому календарю.</p>
<div id="api-result" role="status" aria-live="polite"></div>
<form class="row" data-api="/api/calendar/{day}" data-method="PUT" data-reload>
<label for="cal-day">День</label><input id="cal-day" name="day" type="date" required data-path>
<label for="cal-kind">Тип</label><select id="cal-kind" name="kind">${Object.entries(DAY_KINDS).map(([k, v]) => html`<option value="${k}">${v}</option>`)}</select>
<label for="cal-note">Примечание</label><input id="cal-note" name="note" maxlength="200">
<button type="submit">Сохранить день</button></form>
<table class="grid"><thead><tr><th>День</th><th>Тип</th><th>Примечание</th></tr></thead><tbody>
${days.map((d) => html`<tr><td>${d.day}</td><td>${DAY_KINDS[d.kind] ?? d.kind}</td><td>${d.note ?? ""}</td></tr>`)}
</tbody></table>`,
    });
  });

  r.get("/users", async (ctx) => {
    const a = staff(ctx, ["admin", "agency"]);
    const [users, orgs] = await Promise.all([
      User.findAll({ include: [{ model: Organisation, as: "organisation" }], order: [["id", "ASC"]] }),
      Organisation.findAll({ where: { active: true }, order: [["shortName", "ASC"]] }),
    ]);
    const roles = STAFF_ROLES.filter((x) => x !== "admin" || a.role === "admin");
    page(ctx, {
      title: "Пользователи",
      page: "admin",
      body: html`<h1>Пользователи</h1>
<details><summary>Добавить пользователя</summary>
<form class="stack" data-api="/api/users" data-method="POST" data-show="oneTimePassword">
<label for="u-login">Логин</label><input id="u-login" name="login" required pattern="[a-zA-Z0-9._\\-]{3,60}">
<label for="u-name">ФИО</label><input id="u-name" name="fullName" required minlength="3">
<label for="u-pos">Должность</label><input id="u-pos" name="position">
<label for="u-role">Роль</label><select id="u-role" name="role">${roles.map((x) => html`<option value="${x}">${ROLE_LABELS[x]}</option>`)}</select>
<label for="u-org">Организация</label><select id="u-org" name="organisationId" data-type="int"><option value="">— нет (администратор) —</option>${orgs.map(
        (o) => html`<option value="${o.id}">${o.shortName} (${ORG_LABELS[o.type]})</option>`,
      )}</select>
<label for="u-email">E-mail</label><input id="u-email" name="email" type="email">
<button type="submit">Создать</button></form></details>
<div id="api-result" role="status" aria-live="polite"></div>
<table class="grid"><thead><tr><th>Логин</th><th>ФИО</th><th>Роль</th><th>Организация</th><th>Вход</th><th></th></tr></thead><tbody>
${users.map(
  (u) => html`<tr><td>${u.login}</td><td>${u.fullName}</td><td>${ROLE_LABELS[u.role]}</td><td>${u.organisation?.shortName ?? "—"}</td><td>${u.lastLoginAt ? u.lastLoginAt.toLocaleString("ru-RU", { timeZone: config().district.timezone }) : "—"}</td>
<td><form data-api="/api/users/${u.id}" data-method="PATCH" data-reload><input type="hidden" name="active" data-type="bool-value" value="${u.active ? "false" : "true"}"><button type="submit" class="link">${u.active ? "Отключить" : "Включить"}</button></form></td></tr>`,
)}</tbody></table>`,
    });
  });

  r.get("/orgs", async (ctx) => {
    staff(ctx, ["admin", "agency", "oversight"]);
    const orgs = await Organisation.findAll({ order: [["type", "ASC"], ["shortName", "ASC"]] });
    const counts = await sequelize().query<{ org: number; n: number }>(
      "SELECT organisation_id AS org, count(*)::int AS n FROM users WHERE active GROUP BY organisation_id",
      { type: QueryTypes.SELECT },
    );
    const n = new Map(counts.map((c) => [c.org, c.n]));
    page(ctx, {
      title: "Организации",
      body: html`<h1>Организации</h1>
${ORG_TYPES.map((t) => {
  const list = orgs.filter((o) => o.type === t);
  return list.length
    ? html`<h2>${ORG_LABELS[t]}</h2><table class="grid"><thead><tr><th>Название</th><th>ИНН</th><th>Телефон</th><th>Пользователей</th><th>Статус</th></tr></thead><tbody>
${list.map((o) => html`<tr><td>${o.shortName}</td><td>${o.inn ?? "—"}</td><td>${o.dispatchPhone ?? o.phone ?? "—"}</td><td>${n.get(o.id) ?? 0}</td><td>${o.active ? "действует" : "отключена"}</td></tr>`)}</tbody></table>`
    : null;
})}`,
    });
  });

  r.get("/admin/status", async (ctx) => {
    staff(ctx, ["admin"]);
    const [q] = await sequelize().query<{ backlog: number; failing: number; oldest: string | null; done24: number }>(
      `SELECT count(*) FILTER (WHERE processed_at IS NULL)::int AS backlog,
              count(*) FILTER (WHERE processed_at IS NULL AND last_error IS NOT NULL)::int AS failing,
              to_char(min(created_at) FILTER (WHERE processed_at IS NULL), 'DD.MM.YYYY HH24:MI') AS oldest,
              count(*) FILTER (WHERE processed_at > now() - interval '1 day')::int AS done24
         FROM outbox`,
      { type: QueryTypes.SELECT },
    );
    const [lastCall] = await sequelize().query<{ at: string | null }>(
      "SELECT to_char(max(started_at) AT TIME ZONE $1, 'DD.MM.YYYY HH24:MI') AS at FROM calls",
      { bind: [config().district.timezone], type: QueryTypes.SELECT },
    );
    const channels = configuredChannels();
    const cfg = config();
    const amiConfigured = telephonyConfigured(cfg);
    const pbx = presentPbxLink(amiConfigured ? await pbxLinkOf(pbxName(cfg)) : null, { configured: amiConfigured, forAdmin: true });
    const row = (name: string, ok: boolean, note: string, yes = "подключено", no = "не подключено") =>
      html`<tr><td>${name}</td><td class="${ok ? "ok" : "bad"}">${ok ? yes : no}</td><td>${note}</td></tr>`;
    page(ctx, {
      title: "Состояние интеграций",
      page: "status",
      body: html`<h1>Состояние интеграций</h1>
<table class="grid"><thead><tr><th>Канал</th><th>Состояние</th><th>Примечание</th></tr></thead><tbody>
${row("Telegram", channels.includes("telegram"), cfg.telegram.token ? `режим: ${cfg.telegram.mode}` : "токен не задан")}
${row("ВКонтакте", channels.includes("vk"), cfg.vk.token ? `режим: ${cfg.vk.mode}` : "токен не задан")}
${row("Электронная почта", channels.includes("email"), cfg.smtp.url ? "SMTP задан" : "SMTP не задан")}
${amiRow(pbx, cfg.ami.host ? `${pbxName(cfg)}; последний звонок в журнале: ${lastCall?.at ?? "нет"}` : "адрес АТС не задан")}
</tbody></table>
<h2>Очередь уведомлений</h2>
<dl class="facts"><dt>Ожидают отправки</dt><dd id="outbox-backlog">${q?.backlog ?? 0}</dd>
<dt>С ошибками (повторяются)</dt><dd>${q?.failing ?? 0}</dd>
<dt>Самое старое ожидающее</dt><dd>${q?.oldest ?? "—"}</dd>
<dt>Обработано за сутки</dt><dd>${q?.done24 ?? 0}</dd></dl>
<h2>Доставка по каналам</h2>
<table class="grid" data-backlog><thead><tr><th>Состояние</th><th>Канал</th><th>Сколько</th></tr></thead><tbody><tr><td colspan="3" class="empty">Загрузка…</td></tr></tbody></table>
<h2>Неотправленные уведомления</h2>
<table class="grid" data-dead-letters><thead><tr><th>Когда</th><th>Канал</th><th>Состояние</th><th>Ошибка</th><th></th></tr></thead><tbody><tr><td colspan="5" class="empty">Загрузка…</td></tr></tbody></table>`,
    });
  });
  return r;
}
