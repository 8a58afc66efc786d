// The page frame: head with static assets only (CSP without inline script), navigation by
// role, flash messages carried across a redirect in a short-lived cookie.
import type { Context } from "koa";
import type { Actor } from "../context.ts";
import type { AppState } from "../routes/middleware/auth.ts";
import { html, type Html } from "./html.ts";

export const ROLE_LABELS: Record<string, string> = {
  admin: "Администратор",
  operator: "Оператор ЦОЗ",
  agency: "МКУ ГО и ЧС",
  uo: "Управляющая организация",
  contractor: "Подрядная организация",
  supplier: "Ресурсоснабжающая организация",
  oversight: "Надзор",
};

type NavItem = [href: string, label: string];
const NAV: Record<string, NavItem[]> = {
  operator: [["/panel/tickets", "Заявки"], ["/panel/tickets/new", "Новая заявка"], ["/panel/callbacks", "Перезвонить"], ["/panel/outages", "Отключения"]],
  uo: [
    ["/panel/tickets", "Очередь"],
    ["/panel/tickets?tab=overdue", "Просроченные"],
    ["/panel/outages", "Отключения"],
    ["/panel/conflicts", "Конфликты"],
    ["/panel/reports", "Отчёты"],
  ],
  contractor: [["/panel/tickets", "Мои заявки"], ["/panel/outages", "Отключения"]],
  supplier: [["/panel/tickets", "Мои заявки"], ["/panel/outages", "Отключения"]],
  agency: [
    ["/panel/tickets", "Заявки"],
    ["/panel/orgs", "Организации"],
    ["/panel/requests", "Подключение"],
    ["/panel/users", "Пользователи"],
    ["/panel/reports", "Отчёты"],
    ["/panel/ratings", "Рейтинг УО"],
  ],
  oversight: [
    ["/panel/tickets", "Все заявки"],
    ["/panel/tickets?tab=overdue", "Просроченные"],
    ["/panel/conflicts", "Конфликты"],
    ["/panel/reports", "Отчёты"],
  ],
  admin: [
    ["/panel/tickets", "Заявки"],
    ["/panel/admin/categories", "Категории и сроки"],
    ["/panel/admin/calendar", "Календарь"],
    ["/panel/users", "Пользователи"],
    ["/panel/orgs", "Организации"],
    ["/panel/admin/status", "Состояние интеграций"],
  ],
};

export interface Flash {
  kind: "ok" | "error";
  text: string;
}
const FLASH = "op_flash";

export function setFlash(ctx: Context, flash: Flash): void {
  ctx.cookies.set(FLASH, Buffer.from(JSON.stringify(flash)).toString("base64url"), { httpOnly: true, sameSite: "strict", maxAge: 60_000, overwrite: true });
}

function takeFlash(ctx: Context): Flash | null {
  const v = ctx.cookies.get(FLASH);
  if (!v) return null;
  ctx.cookies.set(FLASH, "", { expires: new Date(0), httpOnly: true, sameSite: "strict", overwrite: true });
  try {
    const f = JSON.parse(Buffer.from(v, "base64url").toString("utf8")) as Flash;
    return typeof f.text === "string" ? { kind: f.kind === "ok" ? "ok" : "error", text: f.text.slice(0, 500) } : null;
  } catch {
    return null;
  }
}

export interface PageOpts {
  title: string;
  body: Html;
  /** data-page attribute: tells panel.js which behaviour to switch on. */
  page?: string;
  csrf?: string | null;
}

export function page(ctx: Context, o: PageOpts): void {
  const state = ctx.state as AppState;
  const actor: Actor = state.actor;
  const flash = takeFlash(ctx);
  const nav = actor.kind === "user" ? (NAV[actor.role] ?? []) : [];
  const csrf = o.csrf ?? state.session?.csrfToken ?? "";
  ctx.type = "html";
  ctx.set("Cache-Control", "no-store");
  ctx.body = html`<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${csrf}">
<title>${o.title} — Открытая Печора</title>
<link rel="stylesheet" href="/static/panel.css">
<script src="/static/dom.js" defer></script>
<script src="/static/panel.js" defer></script>
<script src="/static/calls.js" defer></script>
${o.page === "outages" ? html`<script src="/static/outages.js" defer></script>\n` : null}${o.page === "status" ? html`<script src="/static/admin.js" defer></script>\n` : null}${o.page === "profile" ? html`<script src="/static/profile.js" defer></script>\n` : null}</head>
<body data-page="${o.page ?? ""}" data-role="${actor.role}">
<a class="skip" href="#main">К содержимому</a>
<header class="top">
  <a class="brand" href="${actor.kind === "user" ? "/panel" : "/zayavka"}">Открытая Печора</a>
  ${
    actor.kind === "user"
      ? html`<nav aria-label="Разделы">${nav.map(([href, label]) => html`<a href="${href}">${label}</a>`)}</nav>
  <div class="who"><span>${actor.user.fullName}</span> <small>${ROLE_LABELS[actor.role] ?? actor.role}${actor.orgName ? html`, ${actor.orgName}` : ""}</small>
  <a href="/panel/password">Профиль</a>
  <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit" class="link">Выйти</button></form></div>`
      : html`<nav aria-label="Разделы"><a href="/zayavka">Подать заявку</a><a href="/status">Статус заявки</a><a href="/connect">Подключение организации</a><a href="/login">Вход для сотрудников</a></nav>`
  }
</header>
<div id="live-status" class="live" role="status" aria-live="polite"></div>
<div id="callpop" class="callpop" hidden></div>
<main id="main">
${flash ? html`<div class="flash ${flash.kind}" role="${flash.kind === "error" ? "alert" : "status"}">${flash.text}</div>` : null}
${o.body}
</main>
</body>
</html>`.value;
}

export function errorPage(ctx: Context, status: number, message: string): void {
  ctx.status = status;
  page(ctx, { title: "Ошибка", body: html`<h1>Не удалось выполнить</h1><div class="flash error" role="alert">${message}</div><p><a href="${(ctx.state as AppState).actor.kind === "user" ? "/panel" : "/zayavka"}">На главную</a></p>` });
  ctx.status = status;
}
