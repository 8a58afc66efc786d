// The public connection request form (regulation Appendix 2) and the invitation page.
// Field errors come from the onboarding API's issues (`card.inn`, `staff.1.email`) and are
// shown next to their field; the building file's row report is a table.
import { passwordRules } from "../../auth/passwords.ts";
import { BUILDING_COLUMNS } from "../../onboarding/buildingRows.ts";
import { html, raw, selected, type Html } from "../html.ts";

export type ConnectKind = "uo" | "executor";
export type FieldErrors = Record<string, string>;
export interface RowError {
  row: number;
  field?: string;
  column?: string;
  message: string;
}
export interface ConnectFormState {
  values: Record<string, string>;
  staff: Array<Record<string, string>>;
  served: Array<Record<string, string>>;
  errors: FieldErrors;
  rowErrors: RowError[];
  /** A message for the whole form (409 organisation_exists, request_pending…). */
  message?: string;
}

/** Partner card fields (Appendix 2, «Карта партнера»): name, label, input hints. */
export const CARD_FIELDS: Array<[name: string, label: string, hint?: string]> = [
  ["fullName", "Полное наименование организации"],
  ["shortName", "Сокращённое наименование"],
  ["directorName", "Руководитель (ФИО, должность)"],
  ["postalAddress", "Почтовый адрес"],
  ["actualAddress", "Фактический адрес"],
  ["directorPhone", "Телефон руководителя", "tel"],
  ["dispatchPhone", "Телефон диспетчерской службы", "tel"],
  ["email", "Электронная почта организации", "email"],
  ["ogrn", "ОГРН (ОГРНИП для ИП)", "digits"],
  ["registrationDate", "Дата регистрации (ДД.ММ.ГГГГ)"],
  ["inn", "ИНН", "digits"],
  ["kpp", "КПП (для организации)", "optional"],
  ["bankName", "Наименование банка"],
  ["bik", "БИК", "digits"],
  ["settlementAccount", "Расчётный счёт", "digits"],
  ["correspondentAccount", "Корреспондентский счёт", "digits"],
  ["okved", "ОКВЭД"],
  ["okpo", "ОКПО", "digits"],
  ["okopf", "ОКОПФ", "digits"],
  ["okfs", "ОКФС", "digits"],
  ["okogu", "ОКОГУ", "digits"],
  ["oktmo", "ОКТМО", "digits"],
  ["workingHours", "Режим работы"],
  ["chiefAccountantName", "Главный бухгалтер (ФИО)"],
  ["chiefAccountantPhone", "Телефон главного бухгалтера", "tel"],
  ["chiefEngineerName", "Главный инженер (ФИО)"],
  ["chiefEngineerPhone", "Телефон главного инженера", "tel"],
];
export const STAFF_FIELDS: Array<[string, string]> = [["fullName", "ФИО"], ["position", "Должность"], ["email", "E-mail (логин)"], ["phone", "Телефон (необязательно)"]];
export const SERVED_FIELDS: Array<[string, string]> = [["name", "Наименование"], ["inn", "ИНН (необязательно)"]];

const PLACED = /^(card\.\w+|(staff|served)(\.\d+\.\w+)?|buildings|orgType|requesterName|requesterEmail)$/;
const fieldId = (name: string) => `f-${name.replace(/\./g, "-")}`;

/** A labelled input with its error next to it (aria-invalid + aria-describedby). */
function field(name: string, label: string, value: string | undefined, error: string | undefined, opts: { type?: string; required?: boolean; inputmode?: string } = {}): Html {
  const id = fieldId(name);
  return html`<div class="field${error ? " has-error" : ""}">
<label for="${id}">${label}</label>
<input id="${id}" name="${name}" value="${value ?? ""}" type="${opts.type ?? "text"}"${opts.required ? raw(" required") : null}${opts.inputmode ? html` inputmode="${opts.inputmode}"` : null}${error ? html` aria-invalid="true" aria-describedby="${id}-err"` : null}>
${error ? html`<span class="field-error" id="${id}-err">${error}</span>` : null}
</div>`;
}

function rows(prefix: "staff" | "served", fields: Array<[string, string]>, list: Array<Record<string, string>>, errors: FieldErrors, legend: string): Html {
  const n = Math.max(list.length + 2, 3);
  const listError = errors[prefix];
  return html`<fieldset class="rows" id="${prefix}"><legend>${legend}</legend>
${listError ? html`<span class="field-error" role="alert">${listError}</span>` : null}
${Array.from({ length: n }, (_, i) => html`<div class="row-entry"><span class="muted">${i + 1}.</span>${fields.map(([f, label]) => field(`${prefix}.${i}.${f}`, label, list[i]?.[f], errors[`${prefix}.${i}.${f}`]))}</div>`)}
<p class="muted">Пустые строки не учитываются. Нужно больше строк — заполните эти и нажмите «Ещё строки».</p>
<button type="submit" name="more" value="1" class="secondary" formnovalidate>Ещё строки</button>
</fieldset>`;
}

export function rowReport(errors: RowError[]): Html | null {
  if (!errors.length) return null;
  const shown = errors.slice(0, 500);
  return html`<section class="import-report" id="import-report" aria-labelledby="import-report-h">
<h2 id="import-report-h">Ошибки в файле домов и лицевых счетов</h2>
<p>Строк с ошибками: ${new Set(errors.map((e) => e.row)).size}. Ничего не загружено: исправьте эти строки и приложите файл снова.</p>
<div class="scroll"><table class="grid"><thead><tr><th>Строка</th><th>Столбец</th><th>Ошибка</th></tr></thead><tbody>
${shown.map((e) => html`<tr><td>${e.row}</td><td>${e.column ?? e.field ?? ""}</td><td>${e.message}</td></tr>`)}
</tbody></table></div>${errors.length > shown.length ? html`<p class="muted">Показаны первые ${shown.length} из ${errors.length} ошибок.</p>` : null}
</section>`;
}

export function connectForm(kind: ConnectKind, token: string, s: ConnectFormState): Html {
  const v = s.values;
  const e = s.errors;
  const errorCount = Object.keys(e).length + (s.rowErrors.length ? 1 : 0);
  // Errors the API names on no field of this form (e.g. an unknown key) are listed at the top.
  const unplaced = Object.entries(e).filter(([k]) => !PLACED.test(k));
  return html`<section class="wide-form">
<h1>${kind === "uo" ? "Заявка на подключение управляющей организации" : "Заявка на подключение подрядной или ресурсоснабжающей организации"}</h1>
<p>Сведения по Приложению 2 к Регламенту. Заявку рассматривает МКУ «Управление по делам ГО и ЧС»; после одобрения каждый сотрудник из списка получит письмо со ссылкой для входа.</p>
${s.message ? html`<div class="flash error" role="alert">${s.message}</div>` : null}
${errorCount && !s.message ? html`<div class="flash error" role="alert">Заявка не отправлена: исправьте отмеченные поля (${errorCount}). Ничего не сохранено.${kind === "uo" ? " Файл домов нужно приложить заново." : ""}${
    unplaced.length ? html`<ul>${unplaced.map(([, m]) => html`<li>${m}</li>`)}</ul>` : null
  }</div>` : null}
<form method="post" action="/connect/${kind}" enctype="multipart/form-data" class="stack wide" data-native novalidate>
<input type="hidden" name="_pcsrf" value="${token}">
${
  kind === "executor"
    ? html`<div class="field${e.orgType ? " has-error" : ""}"><label for="f-orgType">Тип организации</label>
<select id="f-orgType" name="orgType"><option value="contractor"${selected("contractor", v.orgType)}>Подрядная организация (ПО)</option><option value="resource_supplier"${selected("resource_supplier", v.orgType)}>Ресурсоснабжающая организация (РСО)</option></select>
${e.orgType ? html`<span class="field-error" id="f-orgType-err">${e.orgType}</span>` : null}</div>`
    : null
}
<fieldset id="card"><legend>Карта партнёра</legend>
${CARD_FIELDS.map(([name, label, hint]) =>
  field(`card.${name}`, label, v[`card.${name}`], e[`card.${name}`], {
    type: hint === "tel" ? "tel" : hint === "email" ? "email" : "text",
    required: hint !== "optional",
    inputmode: hint === "digits" ? "numeric" : undefined,
  }),
)}
</fieldset>
${rows("staff", STAFF_FIELDS, s.staff, e, "Сотрудники, допущенные к работе в системе")}
${rows("served", SERVED_FIELDS, s.served, e, kind === "uo" ? "Обслуживающие ПО и РСО" : "Обслуживаемые управляющие организации")}
${
  kind === "uo"
    ? html`<fieldset id="buildings-box"><legend>Дома и лицевые счета</legend>
<p>Таблица CSV или XLSX со столбцами: ${Object.values(BUILDING_COLUMNS).join("; ")}. <a href="/api/onboarding/buildings/template.csv">Скачать шаблон CSV</a>.</p>
<div class="field${e.buildings ? " has-error" : ""}"><label for="f-buildings">Файл домов и лицевых счетов</label>
<input id="f-buildings" name="buildings" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"${e.buildings ? html` aria-invalid="true" aria-describedby="f-buildings-err"` : null}>
${e.buildings ? html`<span class="field-error" id="f-buildings-err">${e.buildings}</span>` : null}</div>
${rowReport(s.rowErrors)}
</fieldset>`
    : null
}
<fieldset id="requester"><legend>Кто подаёт заявку</legend>
${field("requesterName", "ФИО заявителя", v.requesterName, e.requesterName, { required: true })}
${field("requesterEmail", "E-mail для ответа", v.requesterEmail, e.requesterEmail, { type: "email", required: true })}
</fieldset>
<button type="submit">Отправить заявку</button>
</form>
</section>`;
}

export const connectChoice = (): Html => html`<section class="narrow">
<h1>Подключение организации к системе</h1>
<p>Управляющие, подрядные и ресурсоснабжающие организации подают заявку на подключение (Приложение 2 к Регламенту). После рассмотрения МКУ «Управление по делам ГО и ЧС» сотрудники получат доступ по ссылке из письма.</p>
<ul class="choices">
<li><a href="/connect/uo">Управляющая организация (УО, ТСЖ, ЖСК)</a> — карта партнёра, сотрудники, обслуживающие ПО/РСО, дома и лицевые счета</li>
<li><a href="/connect/executor">Подрядная (ПО) или ресурсоснабжающая (РСО) организация</a> — карта партнёра, сотрудники, обслуживаемые УО</li>
</ul>
</section>`;

export const connectDone = (): Html => html`<section class="narrow">
<h1>Заявка отправлена</h1>
<p>На указанный e-mail отправлено подтверждение. МКУ «Управление по делам ГО и ЧС» рассмотрит заявку и сообщит о решении по почте; после одобрения каждый сотрудник получит письмо со ссылкой, чтобы задать пароль.</p>
<p><a href="/connect">Подать ещё одну заявку</a></p>
</section>`;

export function invitePage(token: string, csrf: string, who: { login: string; fullName: string; organisation: string | null }, error?: string): Html {
  return html`<section class="narrow">
<h1>Вход в систему «Открытая Печора»</h1>
<p>${who.fullName}${who.organisation ? html`, ${who.organisation}` : null}. Ваш логин: <b id="invite-login">${who.login}</b></p>
<p>Придумайте пароль: не короче ${passwordRules.min} символов. Ссылка действует один раз.</p>
${error ? html`<div class="flash error" role="alert" id="f-password-err">${error}</div>` : null}
<form method="post" action="/invite/${token}" class="stack">
<input type="hidden" name="_pcsrf" value="${csrf}">
<input type="text" name="username" value="${who.login}" autocomplete="username" hidden>
<label for="f-password">Новый пароль</label><input id="f-password" name="password" type="password" autocomplete="new-password" minlength="${passwordRules.min}" maxlength="${passwordRules.max}" required${error ? raw(' aria-invalid="true" aria-describedby="f-password-err"') : null}>
<label for="f-repeat">Пароль ещё раз</label><input id="f-repeat" name="repeat" type="password" autocomplete="new-password" required>
<button type="submit">Задать пароль</button>
</form>
</section>`;
}
