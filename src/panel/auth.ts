// Login, logout and password change; each role lands in its own workspace.
import Router from "@koa/router";
import { z } from "zod";
import { changePassword, login, logout, SESSION_COOKIE } from "../auth/sessions.ts";
import { config } from "../config.ts";
import { runCommand } from "../context.ts";
import { staffLinksOf } from "../commands/staffLinks.ts";
import type { AppState } from "../routes/middleware/auth.ts";
import { panelErrors } from "./errors.ts";
import { checkPublicCsrf, publicCsrf, staff } from "./guard.ts";
import { html, raw } from "./html.ts";
import { page, setFlash } from "./layout.ts";
import { messengerSection } from "./views/profile.ts";

const loginForm = z.object({ login: z.string().trim().min(1, "введите логин").max(100), password: z.string().min(1, "введите пароль").max(200), _pcsrf: z.string() });
const passwordForm = z.object({ current: z.string().min(1).max(200), next: z.string().min(1).max(200), repeat: z.string().max(200), _csrf: z.string().optional() });

export function authRoutes(): Router {
  const r = new Router();
  r.use(panelErrors);

  r.get("/", (ctx) => ctx.redirect((ctx.state as AppState).actor.kind === "user" ? "/panel" : "/login"));

  r.get("/login", (ctx) => {
    const token = publicCsrf(ctx);
    const known = typeof ctx.query.login === "string" ? ctx.query.login.slice(0, 100) : "";
    page(ctx, {
      title: "Вход",
      page: "login",
      body: html`<section class="narrow">
<h1>Вход для сотрудников</h1>
<form method="post" action="/login" class="stack">
  <input type="hidden" name="_pcsrf" value="${token}">
  <label>Логин <input name="login" autocomplete="username" required value="${known}"${known ? null : raw(" autofocus")}></label>
  <label>Пароль <input name="password" type="password" autocomplete="current-password" required${known ? raw(" autofocus") : null}></label>
  <button type="submit">Войти</button>
</form>
<p><a href="/zayavka">Подать заявку как житель</a></p>
</section>`,
    });
  });

  r.post("/login", async (ctx) => {
    (ctx.state as { back?: string }).back = "/login";
    const body = ctx.request.body as Record<string, unknown>;
    checkPublicCsrf(ctx, body?._pcsrf);
    const f = loginForm.parse(body);
    const res = await login(f.login, f.password, ctx.ip);
    ctx.cookies.set(SESSION_COOKIE, res.token, {
      httpOnly: true,
      sameSite: "strict",
      secure: config().http.publicUrl.startsWith("https://"),
      expires: res.session.expiresAt,
      overwrite: true,
    });
    ctx.redirect(res.user.mustChangePassword ? "/panel/password" : "/panel");
  });

  r.post("/logout", async (ctx) => {
    staff(ctx);
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (token) await logout(token);
    ctx.cookies.set(SESSION_COOKIE, "", { expires: new Date(0), httpOnly: true, sameSite: "strict", overwrite: true });
    setFlash(ctx, { kind: "ok", text: "Вы вышли из системы." });
    ctx.redirect("/login");
  });

  r.get("/panel/password", async (ctx) => {
    const a = staff(ctx);
    const links = await runCommand(a, (c) => staffLinksOf(c, a.user.id));
    page(ctx, {
      title: "Профиль",
      page: "profile",
      body: html`<section class="narrow">
<h1>Смена пароля</h1>
${a.user.mustChangePassword ? html`<p class="flash error">Перед началом работы задайте свой пароль.</p>` : null}
<form method="post" action="/panel/password" class="stack">
  <input type="hidden" name="_csrf" value="${(ctx.state as AppState).session!.csrfToken}">
  <label>Текущий пароль <input name="current" type="password" autocomplete="current-password" required></label>
  <label>Новый пароль <input name="next" type="password" autocomplete="new-password" minlength="10" required></label>
  <label>Новый пароль ещё раз <input name="repeat" type="password" autocomplete="new-password" required></label>
  <button type="submit">Сменить пароль</button>
</form></section>
${messengerSection(links)}`,
    });
  });

  r.post("/panel/password", async (ctx) => {
    (ctx.state as { back?: string }).back = "/panel/password";
    const a = staff(ctx);
    const f = passwordForm.parse(ctx.request.body);
    if (f.next !== f.repeat) {
      setFlash(ctx, { kind: "error", text: "Новые пароли не совпадают." });
      return ctx.redirect("/panel/password");
    }
    await changePassword(a.user, f.current, f.next, (ctx.state as AppState).session!.id);
    setFlash(ctx, { kind: "ok", text: "Пароль изменён. Другие сеансы завершены." });
    ctx.redirect("/panel");
  });

  r.get("/panel", (ctx) => {
    const a = staff(ctx);
    if (a.user.mustChangePassword) return ctx.redirect("/panel/password");
    ctx.redirect(a.role === "admin" ? "/panel/admin/categories" : a.role === "agency" ? "/panel/orgs" : "/panel/tickets");
  });
  return r;
}
